/**
 * Adversarial tests: each attack of the sound-incentives issue, tried the way an attacker would, asserting that it
 * fails and that nothing is lost. Every one of them succeeded against the hub before the fix (base commit 9e7440c:
 * 13 of 13 failed there; the record is in contracts/hub/README.md). The attacks are unchanged; only the calls the
 * protocol now requires (a payment that includes the callback budget, settle() as its own step, the prover whose
 * window it is) were adapted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { encodeAbiParameters, getAddress, keccak256, parseEther, type Hex } from "viem";

import {
  deployHub,
  deployProtocol,
  GAS_PRICE,
  hashValues,
  INPUT,
  instancesHash,
  MIN_STAKE,
  Mode,
  modelSpec,
  OUTPUT,
  paymentOf,
  PRICE,
  PROOF_STORE,
  proofFor,
  Role,
  Status,
  provenOutput,
  provenOutputs,
} from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
type F = Awaited<ReturnType<typeof fixture>>;

const WRONG = [9n, 9n, 9n];

function attestation(id: bigint, output: bigint[], proof: Hex, valid = true) {
  return { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, output), valid };
}

/** The attacker runs the only eligible prover key (prover2), so the proof under attestation is its junk. */
async function attackerIsTheProver(f: F) {
  await f.nodeRegistry.write.beginUnbonding([Role.Prover, MIN_STAKE], { account: f.wallets.prover1.account });
}

describe("attack 1: quorum shrink (votes weighed at record time, pass mark from the current total)", () => {
  it("a verifier attests, unbonds, and a second key it controls completes the quorum on a wrong output: refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets } = f;
    // The attacker holds half the verifier stake: ver1 and a second key (outsider). Honest: ver2, ver3.
    await nodeRegistry.write.register([Role.Verifier], { value: MIN_STAKE, account: wallets.outsider.account });
    await attackerIsTheProver(f);
    const id = await f.request(f.models.attested, { proofTimeout: 600 });
    const executor = await f.deliver(id); // honest result
    // The attacker's prover key proves a wrong output (a junk proof: verifiers would reject it).
    const junk = proofFor(INPUT, WRONG);
    await hub.write.commitProof([id, INPUT, WRONG, keccak256(junk), PROOF_STORE], { account: wallets.prover2.account });
    const a = attestation(id, WRONG, junk);
    await f.attest(a, [wallets.ver1]);
    await nodeRegistry.write.beginUnbonding([Role.Verifier, MIN_STAKE], { account: wallets.ver1.account });
    await f.attest(a, [wallets.outsider]);
    await hub.write.settle([id, await provenOutput(hub, id)]).catch(() => undefined);

    assert.notEqual(await hub.read.status([id]), Status.Settled, "half the electorate's stake settled a wrong output");
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "honest executor slashed");
    // the honest half rejects it: the junk prover pays, the executor does not
    await f.attest({ ...a, valid: false }, [wallets.ver2, wallets.ver3]);
    await hub.write.settle([id, await provenOutput(hub, id)]);
    assert.equal(await hub.read.status([id]), Status.Executed);
    assert.ok((await nodeRegistry.read.stakeOf([wallets.prover2.account.address, Role.Prover])) < MIN_STAKE, "junk prover not slashed");
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE);
    await f.assertBooksBalance();
  });

  it("one stake votes twice under two keys (unbond, withdraw, re-register inside the proof window): refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets } = f;
    await attackerIsTheProver(f);
    const id = await f.request(f.models.attested, { proofTimeout: 7200 });
    const executor = await f.deliver(id);
    const junk = proofFor(INPUT, WRONG);
    await hub.write.commitProof([id, INPUT, WRONG, keccak256(junk), PROOF_STORE], { account: wallets.prover2.account });
    const a = attestation(id, WRONG, junk);
    await f.attest(a, [wallets.ver1]);
    // the same wei again, under a new key
    await nodeRegistry.write.beginUnbonding([Role.Verifier, MIN_STAKE], { account: wallets.ver1.account });
    await networkHelpers.time.increase(61);
    await nodeRegistry.write.withdrawUnbonded([Role.Verifier], { account: wallets.ver1.account }).catch(() => undefined);
    await nodeRegistry.write.register([Role.Verifier], { value: MIN_STAKE, account: wallets.outsider.account });
    await f.attest(a, [wallets.outsider]);
    await hub.write.settle([id, await provenOutput(hub, id)]).catch(() => undefined);

    assert.notEqual(await hub.read.status([id]), Status.Settled, "a third of the stake, counted twice, settled a wrong output");
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "honest executor slashed");
    const [, unbondingReadyAt] = await nodeRegistry.read.unbondingOf([wallets.ver1.account.address, Role.Verifier]);
    assert.ok(unbondingReadyAt > (await hub.read.getRequest([id])).verifyDeadline, "the unbonded stake outlasts the round");
  });
});

describe("attack 2: profitable griefing by a consumer", () => {
  it("(a) an input the hub accepts but the executor refuses: no result, timeout; the consumer must not profit", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, nodeRegistry } = f;
    const huge = [2n ** 60n, 1n, 1n, 1n];
    const accepted = await f.request(f.models.onchain, { resultTimeout: 30 }, huge).then(
      () => true,
      (e: unknown) => {
        assert.match(String(e), /InferenceHubInputOutOfDomain/);
        return false;
      },
    );
    assert.equal(accepted, false, "an input outside the model's domain was accepted");
    // an admitted request that times out returns exactly what was paid, never more
    const id = await f.request(f.models.onchain, { resultTimeout: 30 });
    const r = await hub.read.getRequest([id]);
    await networkHelpers.time.increaseTo(r.resultDeadline + 1n);
    await hub.write.refundExpired([id]);
    assert.equal(await hub.read.releasable([consumer.address]), paymentOf({ resultTimeout: 30 }), "the consumer got back more than it paid");
    assert.equal(await nodeRegistry.read.stakeOf([r.executor, Role.Executor]), MIN_STAKE - parseEther("0.1"));
  });

  it("(b) an input the executor runs but nobody can prove: proof timeout; the executor that delivered is not slashed", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, nodeRegistry } = f;
    const id = await f.request(f.models.onchain, { proofTimeout: 60 });
    const executor = await f.deliver(id);
    await networkHelpers.time.increaseTo((await hub.read.getRequest([id])).proofDeadline + 1n);
    await hub.write.refundExpired([id]);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "executor slashed for a missing proof");
    assert.ok((await hub.read.releasable([consumer.address])) <= paymentOf({ proofTimeout: 60 }), "the consumer profited from the timeout");
  });

  it("(c) ZKML_ATTESTED: a junk proof at the deadline second costs its prover, not the executor", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, nodeRegistry, wallets } = f;
    await attackerIsTheProver(f);
    const id = await f.request(f.models.attested, { proofTimeout: 600 });
    const executor = await f.deliver(id);
    const { proofDeadline } = await hub.read.getRequest([id]);
    const junk = proofFor(INPUT, WRONG);
    await networkHelpers.time.setNextBlockTimestamp(proofDeadline);
    await hub.write.commitProof([id, INPUT, WRONG, keccak256(junk), PROOF_STORE], { account: wallets.prover2.account });
    // the honest verifiers reject it as fast as they can (next block)
    const no = attestation(id, WRONG, junk, false);
    await f.attest(no, [wallets.ver2, wallets.ver3]);
    await hub.write.settle([id, await provenOutput(hub, id)]).catch(() => undefined);
    const deadline = (await hub.read.getRequest([id])).proofDeadline;
    await networkHelpers.time.increaseTo(deadline + 100_000n);
    await hub.write.refundExpired([id]).catch(() => undefined);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "executor slashed for a junk proof");
    assert.ok((await nodeRegistry.read.stakeOf([wallets.prover2.account.address, Role.Prover])) < MIN_STAKE, "junk prover not slashed");
    assert.ok((await hub.read.releasable([consumer.address])) <= paymentOf({ proofTimeout: 600 }), "the consumer profited");
    assert.equal(await hub.read.status([id]), Status.Refunded);
    await f.assertBooksBalance();
  });
});

describe("attack 4: silent stake", () => {
  it("more than a third of verifier stake stays silent: the quorum cannot settle, and the honest executor must not pay", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets, consumer } = f;
    const id = await f.request(f.models.attested, { proofTimeout: 300 });
    const executor = await f.deliver(id);
    const proof = proofFor(INPUT, OUTPUT);
    const prover = await f.prove(id, OUTPUT, proof);
    await f.attest(attestation(id, OUTPUT, proof), [wallets.ver1]); // ver2, ver3 silent
    await networkHelpers.time.increase(100_000);
    await hub.write.refundExpired([id]);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "executor slashed for a silent quorum");
    assert.equal(await nodeRegistry.read.stakeOf([prover.account.address, Role.Prover]), MIN_STAKE, "prover slashed for a silent quorum");
    assert.ok((await hub.read.releasable([consumer.address])) <= paymentOf({ proofTimeout: 300 }), "the consumer profited from the silent quorum");
  });

  it("an ATTESTED model with no verification nodes: the request is refused, or ends without slashing the executor", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets } = f;
    for (const v of [wallets.ver1, wallets.ver2, wallets.ver3]) {
      await nodeRegistry.write.beginUnbonding([Role.Verifier, MIN_STAKE], { account: v.account });
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([f.models.attested, INPUT, { callbackGasLimit: 0, resultCallback: true, resultTimeout: 0, proofTimeout: 300 }], {
        value: paymentOf(),
        account: wallets.user.account,
        gasPrice: GAS_PRICE,
      }),
      hub,
      "InferenceHubNoVerifiers",
      [f.models.attested],
    );
  });
});

describe("attack 5: slash dodging (unbonding delay shorter than the windows)", () => {
  it("an executor delivers a wrong OPTIMISTIC result, unbonds and withdraws before the challenge: the slash still lands", async () => {
    // the local parameters of the issue, 60 s unbonding vs the hub's windows: refused at deployment
    await assert.rejects(deployProtocol(viem, { unbondingDelay: 60n }), /InferenceHubUnbondingTooShort/);
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets } = f;
    const id = await f.request(f.models.optimistic, { proofTimeout: 1800 });
    const executor = await f.deliver(id, WRONG);
    await nodeRegistry.write.beginUnbonding([Role.Executor, MIN_STAKE], { account: executor.account });
    await networkHelpers.time.increase(61);
    await nodeRegistry.write.withdrawUnbonded([Role.Executor], { account: executor.account }).catch(() => undefined);
    const proof = proofFor(INPUT, OUTPUT);
    const c = keccak256(
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
        [id, wallets.challenger.account.address, hashValues(OUTPUT), keccak256(proof)],
      ),
    );
    await hub.write.commitChallenge([id, c], { account: wallets.challenger.account });
    await hub.write.challenge([id, INPUT, OUTPUT, proof], { account: wallets.challenger.account });
    const slashed = await nodeRegistry.getEvents.NodeSlashed({}, { fromBlock: 0n, strict: true });
    assert.equal(slashed.at(-1)?.args.amount, parseEther("0.1"), "the slash took nothing: the executor left with its stake");
    await f.assertBooksBalance();
  });
});

describe("attack 6: proof and challenge theft", () => {
  it("a prover copies another's pending submitProof (same arguments, its own key): it earns nothing", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, wallets } = f;
    const id = await f.request(f.models.onchain);
    await f.deliver(id);
    const owner = await f.proverOf(id);
    const copier = owner === wallets.prover1 ? wallets.prover2 : wallets.prover1;
    // the owner broadcast [id, INPUT, OUTPUT, proof]; the copier sends it from its own key with a higher fee
    const copied = await hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: copier.account }).then(
      () => true,
      (e: unknown) => {
        assert.match(String(e), /InferenceHubNotAssigned/);
        return false;
      },
    );
    if (copied) assert.equal(await hub.read.releasable([copier.account.address]), 0n, "the copier took the prover reward");
    await hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: owner.account });
    assert.equal(getAddress((await hub.read.getRequest([id])).provedBy), getAddress(owner.account.address));
    assert.equal(await hub.read.releasable([copier.account.address]), 0n);
  });

  it("anyone copies a pending challenge: the copier earns nothing", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, wallets } = f;
    const id = await f.request(f.models.optimistic);
    await f.deliver(id, WRONG);
    const proof = proofFor(INPUT, OUTPUT);
    const c = keccak256(
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
        [id, wallets.challenger.account.address, hashValues(OUTPUT), keccak256(proof)],
      ),
    );
    await hub.write.commitChallenge([id, c], { account: wallets.challenger.account });
    // the copier replays the commitment, then the challenge itself, from its own key
    await hub.write.commitChallenge([id, c], { account: wallets.outsider.account });
    const copied = await hub.write.challenge([id, INPUT, OUTPUT, proof], { account: wallets.outsider.account }).then(
      () => true,
      (e: unknown) => {
        assert.match(String(e), /InferenceHubChallengeNotCommitted/);
        return false;
      },
    );
    if (copied) assert.equal(await hub.read.releasable([wallets.outsider.account.address]), 0n, "the copier took the challenger's reward");
    await hub.write.challenge([id, INPUT, OUTPUT, proof], { account: wallets.challenger.account });
    assert.ok((await hub.read.releasable([wallets.challenger.account.address])) > 0n);
    assert.equal(await hub.read.releasable([wallets.outsider.account.address]), 0n);
  });
});

describe("attack 7: lesser", () => {
  it("the requester predicts its executor before the request is mined (seed = previous blockhash + id): it cannot", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, publicClient } = f;
    let hits = 0;
    const tries = 16;
    for (let i = 0; i < tries; i++) {
      const block = await publicClient.getBlock();
      const id = (await hub.read.requestCount()) + 1n;
      const seed = BigInt(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [id, block.hash!])));
      const count = await nodeRegistry.read.eligibleCount([Role.Executor]);
      const predicted = await nodeRegistry.read.eligibleAt([Role.Executor, seed % count]);
      await f.request(f.models.onchain);
      if ((await hub.read.getRequest([id])).executor === predicted) hits += 1;
    }
    assert.ok(hits < tries, `the requester predicted all ${tries} assignments`);
  });

  it("a consumer asks for the largest callback gas: the node that runs the callback is paid for it", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, publicClient, wallets } = f;
    const burner = await viem.deployContract("GasBurningConsumer", [hub.address]);
    const options = { callbackGasLimit: 2_000_000, resultCallback: true, resultTimeout: 0, proofTimeout: 0 };
    await burner.write
      .request([f.models.onchain, INPUT, options], { value: paymentOf(options), account: wallets.user.account, gasPrice: GAS_PRICE })
      .catch(() => undefined);
    const id = await hub.read.requestCount();
    const r = await hub.read.getRequest([id]);
    const executor = f.walletOf(r.executor);
    const before = await hub.read.releasable([executor.account.address]);
    const tx = await hub.write.submitResult([id, OUTPUT], { account: executor.account, gas: 3_000_000n, gasPrice: GAS_PRICE });
    const receipt = await publicClient.getTransactionReceipt({ hash: tx });
    const [delivered] = await hub.getEvents.CallbackDelivered({ requestId: id }, { blockHash: receipt.blockHash, strict: true });
    const paidForCallback = (await hub.read.releasable([executor.account.address])) - before;
    assert.ok(paidForCallback >= delivered.args.gasUsed! * receipt.effectiveGasPrice, "the executor paid for the consumer's callback");
  });

  it("the example consumer refunds the user who paid, not its owner", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, wallets, publicClient } = f;
    const iris = await viem.deployContract("IrisClassifierConsumer", [hub.address, f.models.onchain]);
    const payment = await hub.read.quoteFee([f.models.onchain, await iris.read.requestOptions(), GAS_PRICE]);
    await iris.write.classify([[653n, 448n, 179n, 26n]], { value: payment, account: wallets.user.account, gasPrice: GAS_PRICE });
    const id = await hub.read.requestCount();
    await networkHelpers.time.increaseTo((await hub.read.getRequest([id])).resultDeadline + 1n);
    await hub.write.refundExpired([id]);
    const before = await publicClient.getBalance({ address: wallets.user.account.address });
    // whoever may trigger it, the refund must reach the user (never the owner)
    await iris.write.claimRefund([id], { account: wallets.outsider.account });
    const after = await publicClient.getBalance({ address: wallets.user.account.address });
    assert.ok(after - before >= PRICE, "the user who paid got nothing back");
  });
});

describe("more attacks found on the way", () => {
  it("a consumer that is also the prover drawn for its request gets no share of the executor's slash", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets, modelRegistry, verifier } = f;
    // the consumer runs the only prover and requests from that same key (an EOA consumer)
    await nodeRegistry.write.beginUnbonding([Role.Prover, MIN_STAKE], { account: wallets.prover1.account });
    const spec = { ...modelSpec(Mode.ZKML_ONCHAIN, verifier.address), manifestHash: keccak256("0x0a") };
    const { result: modelId } = await modelRegistry.simulate.registerModel([spec]);
    await modelRegistry.write.registerModel([spec]);
    await hub.write.requestInference([modelId, INPUT, { callbackGasLimit: 0, resultCallback: false, resultTimeout: 0, proofTimeout: 0 }], {
      value: paymentOf({ resultCallback: false }),
      account: wallets.prover2.account,
      gasPrice: GAS_PRICE,
    });
    const id = await hub.read.requestCount();
    await f.deliver(id, WRONG);
    await hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: wallets.prover2.account });
    const [slash] = await hub.getEvents.SlashCredited({}, { fromBlock: 0n, strict: true });
    assert.equal(slash.args.beneficiaryShare, 0n, "the party that chose the input received slashed stake");
    await f.assertBooksBalance();
  });

  it("nobody can have an honest, voting verification node suspended", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, wallets, quorum } = f;
    await hub.write.setParameters([{ ...(await hub.read.parameters()), silenceLimit: 1 }]);
    const rounds: Hex[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await f.request(f.models.attested);
      await f.deliver(id);
      const proof = proofFor(INPUT, OUTPUT, i === 0 ? "0x" : (`0x0${i}` as Hex));
      await f.prove(id, OUTPUT, proof);
      const a = attestation(id, OUTPUT, proof);
      await f.attest(a, [wallets.ver1, wallets.ver2, wallets.ver3]);
      rounds.push(await quorum.read.roundKey([id, a.proofHash, a.instancesHash]));
    }
    await networkHelpers.time.increase(100_000);
    for (const from of rounds) {
      for (const to of rounds) {
        await viem.assertions.revertWithCustomError(hub.write.reportSilence([wallets.ver2.account.address, from, to]), hub, "InferenceHubNotSilent");
      }
    }
  });
});
