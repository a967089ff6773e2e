import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, keccak256 } from "viem";

import { budgetOf, deployHub, hashValues, INPUT, instancesHash, OUTPUT, PRICE, PROOF_STORE, proofFor, Status, provenOutput, provenOutputs } from "./helpers/hub.js";
import { proofKey } from "../../protocol/attestation.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);

/** The fee split under the default 40/30/20/10 parameters. */
function split(fee: bigint) {
  const executor = (fee * 4000n) / 10000n;
  const prover = (fee * 3000n) / 10000n;
  const verifiers = (fee * 2000n) / 10000n;
  return { executor, prover, verifiers, protocol: fee - executor - prover - verifiers };
}

describe("InferenceHub lifecycle", () => {
  it("ZKML_ONCHAIN: request -> result (onResult) -> proof verified -> settled (onSettled), fees into pull balances", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, models, wallets } = f;

    const id = await f.request(models.onchain);
    const req = await hub.read.getRequest([id]);
    assert.equal(req.status, Status.Requested);
    assert.equal(getAddress(req.consumer), getAddress(consumer.address));
    assert.equal(req.inputHash, hashValues(INPUT));
    assert.equal(req.fee, PRICE);
    assert.equal(req.callbackBudget, budgetOf()); // 200k gas x 2 callbacks x the request's gas price
    assert.ok([wallets.exec1, wallets.exec2].some((w) => getAddress(w.account.address) === getAddress(req.executor)));
    const [requested] = await hub.getEvents.InferenceRequested({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.deepEqual(requested.args.input, INPUT); // the input travels in the log, not in storage

    const executor = await f.deliver(id);
    assert.equal(await hub.read.status([id]), Status.Executed);
    assert.deepEqual(await consumer.read.fastOutput([id]), OUTPUT);
    assert.equal((await hub.read.getRequest([id])).outputHash, hashValues(OUTPUT));

    const proof = proofFor(INPUT, OUTPUT);
    assert.deepEqual(await hub.read.expectedInstances([id, INPUT, OUTPUT]), [...INPUT, ...OUTPUT].map((v) => (v >= 0n ? v : 21888242871839275222246405745257275088548364400416034343698204186575808495617n + v)));
    const prover = await f.proverOf(id);
    assert.ok([wallets.prover1, wallets.prover2].includes(prover));
    await viem.assertions.emitWithArgs(
      hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: prover.account }),
      hub,
      "RequestSettled",
      [id, hashValues(OUTPUT), split(PRICE).executor, split(PRICE).prover + split(PRICE).verifiers, 0n, split(PRICE).protocol],
    );
    // no verification nodes in this mode: their share went to the prover; each callback paid its runner half the budget
    const s = split(PRICE);
    const half = budgetOf() / 2n;
    assert.equal(await hub.read.status([id]), Status.Settled);
    assert.deepEqual(await consumer.read.settledOutput([id]), OUTPUT);
    assert.equal(await hub.read.releasable([executor.account.address]), s.executor + half);
    assert.equal(await hub.read.releasable([prover.account.address]), s.prover + s.verifiers + half);
    assert.equal(await hub.read.releasable([wallets.treasury.account.address]), s.protocol);
    const r = await hub.read.getRequest([id]);
    assert.equal(r.proofKey, proofKey(id, keccak256(proof), instancesHash(INPUT, OUTPUT)));
    await f.assertBooksBalance();

    // pull payment
    await viem.assertions.balancesHaveChanged(
      hub.write.withdraw({ account: executor.account }),
      [{ address: hub.address, amount: -(s.executor + half) }],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.withdraw({ account: executor.account }),
      hub,
      "InferenceHubNothingToWithdraw",
      [getAddress(executor.account.address)],
    );
    await f.assertBooksBalance();
  });

  it("ZKML_ATTESTED: proof published, 2 of 3 verification nodes attest valid -> settled; verifiers claim by stake", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, models, wallets } = f;
    const id = await f.request(models.attested);
    await f.deliver(id);
    const proof = proofFor(INPUT, OUTPUT);
    await f.prove(id, OUTPUT, proof);
    assert.equal(await hub.read.status([id]), Status.ProofSubmitted);
    const [published] = await hub.getEvents.ProofSubmitted({ requestId: id }, { fromBlock: 0n, strict: true });
    // only the commitment is on chain: the bytes are served by the prover's proof store, named in the event
    assert.equal(published.args.proofHash, keccak256(proof));
    assert.equal(published.args.proofStore, PROOF_STORE);
    assert.equal(published.args.instancesHash, instancesHash(INPUT, OUTPUT));
    const [opened] = await hub.getEvents.VerificationOpened({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.equal(opened.args.electorate, 3n * 10n ** 18n); // three verification nodes at 1 ether, fixed now

    const a = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true };
    await f.attest(a, [wallets.ver1]);
    // settling is its own step, and needs the quorum: 1 of 3 ether < 2/3
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.settle([id, await provenOutput(hub, id)]), hub, "InferenceHubQuorumPending", [id]);
    await f.attest(a, [wallets.ver2]);
    assert.equal(await hub.read.status([id]), Status.ProofSubmitted);
    await hub.write.settle([id, await provenOutput(hub, id)], { account: wallets.outsider.account });
    assert.equal(await hub.read.status([id]), Status.Settled);
    assert.deepEqual(await consumer.read.settledOutput([id]), OUTPUT);
    // whoever settles runs onSettled and is paid the rest of the budget
    assert.equal(await hub.read.releasable([wallets.outsider.account.address]), budgetOf() - budgetOf() / 2n);

    // a late vote still counts for the reward until the window closes; claims wait for it
    await f.attest(a, [wallets.ver3]);
    const { verifyDeadline } = await hub.read.getRequest([id]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.claimVerifierReward([id], { account: wallets.ver1.account }),
      hub,
      "InferenceHubClaimTooEarly",
      [id, verifyDeadline],
    );
    await networkHelpers.time.increaseTo(verifyDeadline + 1n);
    const s = split(PRICE);
    const c1 = await hub.simulate.claimVerifierReward([id], { account: wallets.ver1.account.address });
    await hub.write.claimVerifierReward([id], { account: wallets.ver1.account });
    await hub.write.claimVerifierReward([id], { account: wallets.ver2.account });
    await hub.write.claimVerifierReward([id], { account: wallets.ver3.account });
    assert.equal(c1.result, s.verifiers / 3n);
    assert.equal(
      (await hub.read.releasable([wallets.ver1.account.address])) +
        (await hub.read.releasable([wallets.ver2.account.address])) +
        (await hub.read.releasable([wallets.ver3.account.address])),
      s.verifiers,
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.claimVerifierReward([id], { account: wallets.ver1.account }),
      hub,
      "InferenceHubNothingToClaim",
      [id, getAddress(wallets.ver1.account.address)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.claimVerifierReward([id], { account: wallets.outsider.account }),
      hub,
      "InferenceHubNothingToClaim",
      [id, getAddress(wallets.outsider.account.address)],
    );
    await f.assertBooksBalance();
  });

  it("OPTIMISTIC: unchallenged result settles after the window; the executor takes every worker share", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, consumer, models } = f;
    const id = await f.request(models.optimistic, { proofTimeout: 120 });
    const executor = await f.deliver(id);
    const { proofDeadline } = await hub.read.getRequest([id]);
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.settleUnchallenged([id]), hub, "InferenceHubDeadlineNotReached", [
      id,
      proofDeadline,
    ]);
    await networkHelpers.time.increaseTo(proofDeadline + 1n);
    await hub.write.settleUnchallenged([id], { account: f.wallets.outsider.account });
    assert.equal(await hub.read.status([id]), Status.Settled);
    assert.deepEqual(await consumer.read.settledOutput([id]), OUTPUT);
    const s = split(PRICE);
    const half = budgetOf({ proofTimeout: 120 }) / 2n;
    assert.equal(await hub.read.releasable([executor.account.address]), s.executor + s.prover + s.verifiers + half);
    assert.equal(await hub.read.releasable([f.wallets.outsider.account.address]), half);
    await f.assertBooksBalance();
  });
});
