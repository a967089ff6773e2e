/**
 * Adversarial tests: each attack of the sound-incentives issue, tried the way an attacker would, asserting that it
 * fails and that nothing is lost. Written (and seen failing) against the hub before the fix.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { encodeAbiParameters, keccak256, parseEther, type Hex } from "viem";

import { deployHub, INPUT, MIN_STAKE, Mode, modelSpec, OUTPUT, PRICE, proofFor, instancesHash, Role, Status } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
type F = Awaited<ReturnType<typeof fixture>>;

const WRONG = [9n, 9n, 9n];
/** Marks the attacks not fixed yet (they run and fail without failing the suite); removed as each fix lands. */
const OPEN = { todo: "attack succeeds against the current hub" };

async function attestation(f: F, id: bigint, output: bigint[], proof: Hex, valid = true) {
  return { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, output), valid };
}

describe("attack 1: quorum shrink (votes weighed at record time, pass mark from the current total)", OPEN, () => {
  it("a verifier attests, unbonds, and a second key it controls completes the quorum on a wrong output: refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets } = f;
    // The attacker holds half the verifier stake: ver1 and a second key (outsider). Honest: ver2, ver3.
    await nodeRegistry.write.register([Role.Verifier], { value: MIN_STAKE, account: wallets.outsider.account });
    const id = await f.request(f.models.attested, { proofTimeout: 600 });
    const executor = await f.deliver(id); // honest result
    // The attacker's prover key proves a wrong output (a junk proof: verifiers would reject it).
    const junk = proofFor(INPUT, WRONG);
    await hub.write.submitProof([id, INPUT, WRONG, junk], { account: wallets.prover2.account });
    const a = await attestation(f, id, WRONG, junk);
    await hub.write.submitAttestations([[a], [await f.sign(wallets.ver1, a)]]);
    await nodeRegistry.write.beginUnbonding([Role.Verifier, MIN_STAKE], { account: wallets.ver1.account });
    await hub.write.submitAttestations([[a], [await f.sign(wallets.outsider, a)]]);

    assert.notEqual(await hub.read.status([id]), Status.Settled, "half the electorate's stake settled a wrong output");
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "honest executor slashed");
  });

  it("one stake votes twice under two keys (unbond, withdraw, re-register inside the proof window): refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets } = f;
    const id = await f.request(f.models.attested, { proofTimeout: 7200 });
    const executor = await f.deliver(id);
    const junk = proofFor(INPUT, WRONG);
    await hub.write.submitProof([id, INPUT, WRONG, junk], { account: wallets.prover2.account });
    const a = await attestation(f, id, WRONG, junk);
    await hub.write.submitAttestations([[a], [await f.sign(wallets.ver1, a)]]);
    // the same wei again, under a new key
    await nodeRegistry.write.beginUnbonding([Role.Verifier, MIN_STAKE], { account: wallets.ver1.account });
    await networkHelpers.time.increase(Number(await nodeRegistry.read.unbondingDelay()) + 1);
    await nodeRegistry.write.withdrawUnbonded([Role.Verifier], { account: wallets.ver1.account }).catch(() => undefined);
    await nodeRegistry.write.register([Role.Verifier], { value: MIN_STAKE, account: wallets.outsider.account });
    await hub.write.submitAttestations([[a], [await f.sign(wallets.outsider, a)]]).catch(() => undefined);

    assert.notEqual(await hub.read.status([id]), Status.Settled, "a third of the stake, counted twice, settled a wrong output");
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "honest executor slashed");
  });
});

describe("attack 2: profitable griefing by a consumer", OPEN, () => {
  it("(a) an input the hub accepts but the executor refuses: no result, timeout; the consumer must not profit", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, nodeRegistry } = f;
    const huge = [2n ** 60n, 1n, 1n, 1n];
    const accepted = await f.request(f.models.onchain, { resultTimeout: 30 }, huge).then(
      () => true,
      () => false,
    );
    if (accepted) {
      const id = await hub.read.requestCount();
      const r = await hub.read.getRequest([id]);
      await networkHelpers.time.increaseTo(r.resultDeadline + 1n);
      await hub.write.refundExpired([id]);
      assert.ok((await hub.read.releasable([consumer.address])) <= PRICE, "the consumer got back more than it paid");
      assert.equal(await nodeRegistry.read.stakeOf([r.executor, Role.Executor]), MIN_STAKE, "executor slashed for an input it could not run");
    }
  });

  it("(b) an input the executor runs but nobody can prove: proof timeout; the executor that delivered is not slashed", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, nodeRegistry } = f;
    const id = await f.request(f.models.onchain, { proofTimeout: 60 });
    const executor = await f.deliver(id);
    await networkHelpers.time.increaseTo((await hub.read.getRequest([id])).proofDeadline + 1n);
    await hub.write.refundExpired([id]);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "executor slashed for a missing proof");
    assert.ok((await hub.read.releasable([consumer.address])) <= PRICE, "the consumer profited from the timeout");
  });

  it("(c) ZKML_ATTESTED: a junk proof at the deadline second costs its prover, not the executor", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, nodeRegistry, wallets } = f;
    const id = await f.request(f.models.attested, { proofTimeout: 600 });
    const executor = await f.deliver(id);
    const { proofDeadline } = await hub.read.getRequest([id]);
    const junk = proofFor(INPUT, WRONG);
    await networkHelpers.time.setNextBlockTimestamp(proofDeadline);
    await hub.write.submitProof([id, INPUT, WRONG, junk], { account: wallets.prover2.account });
    // the honest verifiers reject it as fast as they can (next block)
    const no = await attestation(f, id, WRONG, junk, false);
    await hub.write.submitAttestations([[no, no], [await f.sign(wallets.ver2, no), await f.sign(wallets.ver3, no)]]);
    const deadline = (await hub.read.getRequest([id])).proofDeadline;
    await networkHelpers.time.increaseTo(deadline + 100_000n);
    await hub.write.refundExpired([id]).catch(() => undefined);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "executor slashed for a junk proof");
    assert.ok((await nodeRegistry.read.stakeOf([wallets.prover2.account.address, Role.Prover])) < MIN_STAKE, "junk prover not slashed");
    assert.ok((await hub.read.releasable([consumer.address])) <= PRICE, "the consumer profited");
  });
});

describe("attack 4: silent stake", OPEN, () => {
  it("more than a third of verifier stake stays silent: the quorum cannot settle, and the honest executor must not pay", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets, consumer } = f;
    const id = await f.request(f.models.attested, { proofTimeout: 300 });
    const executor = await f.deliver(id);
    const proof = proofFor(INPUT, OUTPUT);
    await hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: wallets.prover1.account });
    const a = await attestation(f, id, OUTPUT, proof);
    await hub.write.submitAttestations([[a], [await f.sign(wallets.ver1, a)]]); // ver2, ver3 silent
    await networkHelpers.time.increase(100_000);
    await hub.write.refundExpired([id]);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "executor slashed for a silent quorum");
    assert.ok((await hub.read.releasable([consumer.address])) <= PRICE, "the consumer profited from the silent quorum");
  });

  it("an ATTESTED model with no verification nodes: the request is refused, or ends without slashing the executor", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, nodeRegistry, wallets } = f;
    for (const v of [wallets.ver1, wallets.ver2, wallets.ver3]) {
      await nodeRegistry.write.beginUnbonding([Role.Verifier, MIN_STAKE], { account: v.account });
    }
    const accepted = await f.request(f.models.attested, { proofTimeout: 300 }).then(
      () => true,
      () => false,
    );
    if (accepted) {
      const id = await hub.read.requestCount();
      const executor = await f.deliver(id);
      await hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: wallets.prover1.account }).catch(() => undefined);
      await networkHelpers.time.increase(100_000);
      await hub.write.refundExpired([id]);
      assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "executor slashed: no electorate");
    }
  });
});

describe("attack 5: slash dodging (unbonding delay shorter than the windows)", OPEN, () => {
  it("an executor delivers a wrong OPTIMISTIC result, unbonds and withdraws before the challenge: the slash still lands", async () => {
    const wallets = await viem.getWalletClients();
    const [admin, treasury, exec1, , prover1, , , , , user, challenger] = wallets;
    const modelRegistry = await viem.deployContract("ModelRegistry");
    // the local parameters of the issue: 60 s unbonding vs an 1800 s window
    const nodeRegistry = await viem.deployContract("NodeRegistry", [admin.account.address, [MIN_STAKE, MIN_STAKE, MIN_STAKE], 60n]);
    const hub = await viem
      .deployContract("InferenceHub", [modelRegistry.address, nodeRegistry.address, admin.account.address, treasury.account.address])
      .catch((e: unknown) => e);
    if (hub instanceof Error) return; // refused: the hub does not accept a registry whose delay is shorter than its windows
    const wired = await nodeRegistry.write.setHub([hub.address]).then(
      () => true,
      () => false,
    );
    if (!wired) return; // refused at wiring time
    const verifier = await viem.deployContract("TestOnlyInstanceCheckingVerifier");
    const spec = modelSpec(Mode.OPTIMISTIC, verifier.address, 0n);
    await modelRegistry.write.registerModel([spec]);
    await nodeRegistry.write.register([Role.Executor], { value: MIN_STAKE, account: exec1.account });
    await nodeRegistry.write.register([Role.Prover], { value: MIN_STAKE, account: prover1.account });
    const options = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 0, proofTimeout: 1800 };
    await hub.write.requestInference([1n, INPUT, options], { value: PRICE, account: user.account });
    await hub.write.submitResult([1n, WRONG], { account: exec1.account });
    await nodeRegistry.write.beginUnbonding([Role.Executor, MIN_STAKE], { account: exec1.account });
    await networkHelpers.time.increase(61);
    await nodeRegistry.write.withdrawUnbonded([Role.Executor], { account: exec1.account }).catch(() => undefined);
    await hub.write.challenge([1n, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: challenger.account });
    const slashed = await nodeRegistry.getEvents.NodeSlashed({}, { fromBlock: 0n, strict: true });
    assert.equal(slashed.at(-1)?.args.amount, parseEther("0.1"), "the slash took nothing: the executor left with its stake");
  });
});

describe("attack 6: proof and challenge theft", OPEN, () => {
  it("a prover copies another's pending submitProof (same arguments, its own key): it earns nothing", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, wallets } = f;
    const id = await f.request(f.models.onchain);
    await f.deliver(id);
    // prover1 broadcast [id, INPUT, OUTPUT, proof]; prover2 copies it from the mempool with a higher fee.
    const copied = await hub.write
      .submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: wallets.prover2.account })
      .then(
        () => true,
        () => false,
      );
    if (copied) {
      assert.equal(await hub.read.releasable([wallets.prover2.account.address]), 0n, "the copier took the prover reward");
    }
  });

  it("anyone copies a pending challenge: the copier earns nothing", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, wallets } = f;
    const id = await f.request(f.models.optimistic);
    await f.deliver(id, WRONG);
    const copied = await hub.write
      .challenge([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: wallets.outsider.account })
      .then(
        () => true,
        () => false,
      );
    if (copied) {
      assert.equal(await hub.read.releasable([wallets.outsider.account.address]), 0n, "the copier took the challenger's reward");
    }
  });
});

describe("attack 7: lesser", OPEN, () => {
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
    await burner.write.request([f.models.onchain, INPUT, options], { value: PRICE, account: wallets.user.account }).catch(() => undefined);
    const id = await hub.read.requestCount();
    const r = await hub.read.getRequest([id]);
    const executor = f.walletOf(r.executor);
    const before = await hub.read.releasable([executor.account.address]);
    const tx = await hub.write.submitResult([id, OUTPUT], { account: executor.account, gas: 3_000_000n });
    const receipt = await publicClient.getTransactionReceipt({ hash: tx });
    const [delivered] = await hub.getEvents.CallbackDelivered({ requestId: id }, { blockHash: receipt.blockHash, strict: true });
    const paidForCallback = (await hub.read.releasable([executor.account.address])) - before;
    assert.ok(paidForCallback >= delivered.args.gasUsed! * receipt.effectiveGasPrice, "the executor paid for the consumer's callback");
  });

  it("the example consumer refunds the user who paid, not its owner", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, wallets, publicClient } = f;
    const iris = await viem.deployContract("IrisClassifierConsumer", [hub.address, f.models.onchain], { account: wallets.admin.account });
    await iris.write.classify([[653n, 448n, 179n, 26n]], { value: PRICE, account: wallets.user.account });
    const id = await hub.read.requestCount();
    await networkHelpers.time.increaseTo((await hub.read.getRequest([id])).resultDeadline + 1n);
    await hub.write.refundExpired([id]);
    const before = await publicClient.getBalance({ address: wallets.user.account.address });
    // whoever may trigger it, the refund must reach the user (never the owner)
    const abi = iris.abi as readonly { type: string; name?: string }[];
    if (abi.some((x) => x.type === "function" && x.name === "claimRefund")) {
      await (iris.write as unknown as Record<string, (a: unknown[], o: unknown) => Promise<Hex>>).claimRefund([id], { account: wallets.outsider.account });
    } else {
      await iris.write.withdrawRefunds([wallets.admin.account.address], { account: wallets.admin.account });
    }
    const after = await publicClient.getBalance({ address: wallets.user.account.address });
    assert.ok(after - before >= PRICE, "the user who paid got nothing back");
  });
});
