import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, encodeAbiParameters, getAddress, keccak256, zeroAddress, type Address, type Hex } from "viem";

import { budgetOf, deployHub, hashValues, INPUT, instancesHash, MIN_STAKE, OUTPUT, PRICE, proofFor, Role, SLASH, Status } from "./helpers/hub.js";
import { proofKey } from "../../protocol/attestation.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);

/** The commitment a challenger records before its challenge: it binds the challenger to the output and proof. */
function commitment(id: bigint, challenger: Address, output: bigint[], proof: Hex) {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
      [id, challenger, hashValues(output), keccak256(proof)],
    ),
  );
}

describe("InferenceHub.submitProof (ZKML_ONCHAIN)", () => {
  it("rejects a valid proof bound to another input or another output (unbound proof)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models } = f;
    const id = await f.request(models.onchain);
    await f.deliver(id);
    const wallets = { prover1: await f.proverOf(id) };
    const otherInput = [1n, 2n, 3n, 4n];
    const otherOutput = [7n, 8n, 9n];
    // A proof valid for other instances, claimed for this request's input/output.
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([id, INPUT, OUTPUT, proofFor(otherInput, OUTPUT)], { account: wallets.prover1.account }),
      hub,
      "InferenceHubInvalidProof",
      [id],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, otherOutput)], { account: wallets.prover1.account }),
      hub,
      "InferenceHubInvalidProof",
      [id],
    );
    // A proof valid for its own (other) input, passed with that input: the input is not this request's.
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([id, otherInput, OUTPUT, proofFor(otherInput, OUTPUT)], { account: wallets.prover1.account }),
      hub,
      "InferenceHubInputMismatch",
      [id],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([id, INPUT, [1n], proofFor(INPUT, [1n])], { account: wallets.prover1.account }),
      hub,
      "InferenceHubWrongOutputLength",
      [models.onchain, 3n, 1n],
    );
    assert.equal(await hub.read.status([id]), Status.Executed);
  });

  it("needs the Executed state, the right mode, a proof in time, and the prover whose window it is", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets } = f;
    const proof = proofFor(INPUT, OUTPUT);
    const id = await f.request(models.onchain, { proofTimeout: 60 });
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: wallets.prover1.account }),
      hub,
      "InferenceHubUnexpectedStatus",
      [id, Status.Requested, Status.Executed],
    );
    await f.deliver(id);
    const assigned = await f.proverOf(id);
    const other = assigned === wallets.prover1 ? wallets.prover2 : wallets.prover1;
    const { proofDeadline } = await hub.read.getRequest([id]);
    const windowEnd = proofDeadline - 60n + 600n; // the result time + proverWindow
    for (const w of [other, wallets.outsider]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: w.account }),
        hub,
        "InferenceHubNotAssigned",
        [id, getAddress(w.account.address), getAddress(assigned.account.address), windowEnd],
      );
    }
    await networkHelpers.time.increaseTo(proofDeadline + 1n);
    assert.equal(await hub.read.assignedProver([id]), zeroAddress);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: assigned.account }),
      hub,
      "InferenceHubDeadlinePassed",
      [id, proofDeadline],
    );
    const opt = await f.request(models.optimistic);
    await f.deliver(opt);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([opt, INPUT, OUTPUT, proof], { account: wallets.prover1.account }),
      hub,
      "InferenceHubWrongMode",
      [opt, 2],
    );
  });

  it("after the first prover's window, each window belongs to one eligible prover; an ineligible one is refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets, nodeRegistry } = f;
    const id = await f.request(models.onchain, { proofTimeout: 7200 });
    await f.deliver(id);
    const first = await f.proverOf(id);
    const { proofDeadline } = await hub.read.getRequest([id]);
    const start = proofDeadline - 7200n;
    const seen = new Set<string>();
    for (let w = 1n; w <= 8n; w++) {
      await networkHelpers.time.increaseTo(start + w * 600n);
      const now = getAddress(await hub.read.assignedProver([id]));
      assert.ok([wallets.prover1, wallets.prover2].some((p) => getAddress(p.account.address) === now));
      seen.add(now);
    }
    assert.equal(seen.size, 2, "both provers get windows");
    // a prover that fell below the minimum stake is refused even in its window
    const current = await f.proverOf(id);
    await nodeRegistry.write.beginUnbonding([Role.Prover, 1n], { account: current.account });
    const stillAssigned = getAddress(await hub.read.assignedProver([id])) === getAddress(current.account.address);
    if (stillAssigned) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: current.account }),
        hub,
        "InferenceHubNotEligible",
        [getAddress(current.account.address), Role.Prover],
      );
    }
    void first;
  });

  it("a proven output beyond tolerance slashes the executor, pays its share back to the consumer, and settles the proven output", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, consumer, nodeRegistry } = f;
    const id = await f.request(models.onchain); // tolerance 0
    const wrong = [501n, -120n, -380n];
    const executor = await f.deliver(id, wrong);
    const stakeBefore = await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]);
    const prover = await f.prove(id);
    assert.equal(await hub.read.status([id]), Status.Settled);
    const [mismatch] = await hub.getEvents.ExecutorMismatch({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.equal(mismatch.args.fastOutputHash, hashValues(wrong));
    assert.equal(mismatch.args.provenOutputHash, hashValues(OUTPUT));
    assert.deepEqual(await consumer.read.settledOutput([id]), OUTPUT);
    assert.deepEqual(await consumer.read.fastOutput([id]), wrong);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), stakeBefore - SLASH);
    // the wrong executor keeps only what it was paid for running the callback
    assert.equal(await hub.read.releasable([executor.account.address]), budgetOf() / 2n);
    const executorShare = (PRICE * 4000n) / 10000n;
    // the consumer gets the executor's fee share back, never slashed stake; the prover that proved it gets half
    assert.equal(await hub.read.releasable([consumer.address]), executorShare);
    const [slash] = await hub.getEvents.SlashCredited({}, { fromBlock: 0n, strict: true });
    assert.equal(slash.args.amount, SLASH);
    assert.equal(getAddress(slash.args.beneficiary!), getAddress(prover.account.address));
    assert.equal(slash.args.beneficiaryShare, SLASH / 2n);
    await f.assertBooksBalance();
    // the consumer contract can pull what it was credited
    await consumer.write.withdrawFromHub();
    assert.equal(await hub.read.releasable([consumer.address]), 0n);
    await f.assertBooksBalance();
  });

  it("within the model's tolerance the executor is paid and the proven output settles", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, consumer, nodeRegistry } = f;
    const id = await f.request(models.onchainTolerant); // tolerance 5
    const close = [505n, -115n, -385n]; // max |diff| = 5
    const executor = await f.deliver(id, close);
    await f.prove(id);
    assert.equal(await hub.read.status([id]), Status.Settled);
    assert.equal((await hub.getEvents.ExecutorMismatch({}, { fromBlock: 0n })).length, 0);
    assert.deepEqual(await consumer.read.settledOutput([id]), OUTPUT);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), 10n ** 18n);
    assert.equal(await hub.read.releasable([executor.account.address]), (PRICE * 4000n) / 10000n + budgetOf() / 2n);

    const id2 = await f.request(models.onchainTolerant);
    const executor2 = await f.deliver(id2, [506n, -120n, -380n]); // 6 > 5
    const stake = await nodeRegistry.read.stakeOf([executor2.account.address, Role.Executor]);
    await f.prove(id2);
    assert.equal((await hub.getEvents.ExecutorMismatch({}, { fromBlock: 0n })).length, 1);
    assert.equal(await nodeRegistry.read.stakeOf([executor2.account.address, Role.Executor]), stake - SLASH);
    await f.assertBooksBalance();
  });

  it("submitProofs: items settle or fail on their own", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets, nodeRegistry } = f;
    // one prover left, so every proof is its own
    await nodeRegistry.write.beginUnbonding([Role.Prover, MIN_STAKE], { account: wallets.prover1.account });
    const a = await f.request(models.onchain);
    const b = await f.request(models.onchain);
    await f.deliver(a);
    await f.deliver(b);
    const good = proofFor(INPUT, OUTPUT);
    await hub.write.submitProofs([[a, b], [INPUT, INPUT], [OUTPUT, OUTPUT], [good, proofFor([0n, 0n, 0n, 0n], OUTPUT)]], {
      account: wallets.prover2.account,
    });
    assert.equal(await hub.read.status([a]), Status.Settled);
    assert.equal(await hub.read.status([b]), Status.Executed);
    const [rejected] = await hub.getEvents.ItemRejected({}, { fromBlock: 0n, strict: true });
    assert.equal(rejected.args.requestId, b);
    assert.equal(decodeErrorResult({ abi: hub.abi, data: rejected.args.reason! }).errorName, "InferenceHubInvalidProof");
    assert.equal(getAddress((await hub.read.getRequest([a])).provedBy), getAddress(wallets.prover2.account.address));
    assert.equal((await hub.read.getRequest([a])).proofKey, proofKey(a, keccak256(good), instancesHash(INPUT, OUTPUT)));
    await viem.assertions.revertWithCustomError(
      hub.write.submitProofs([[a], [INPUT], [], [good]], { account: wallets.prover2.account }),
      hub,
      "InferenceHubBatchLengthMismatch",
    );
    await f.assertBooksBalance();
  });
});

describe("InferenceHub.challenge (OPTIMISTIC)", () => {
  it("a proof of a different output (beyond tolerance) slashes the executor, rewards the challenger and settles the proven output", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets, consumer, nodeRegistry } = f;
    const id = await f.request(models.optimistic); // tolerance 5
    const wrong = [100n, 100n, 100n];
    const executor = await f.deliver(id, wrong);
    const stake = await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]);
    const proof = proofFor(INPUT, OUTPUT);
    const c = commitment(id, wallets.challenger.account.address, OUTPUT, proof);
    // no commitment, or one made in the same block, is not enough
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.challenge([id, INPUT, OUTPUT, proof], { account: wallets.challenger.account }),
      hub,
      "InferenceHubChallengeNotCommitted",
      [id, c],
    );
    await viem.assertions.emitWithArgs(hub.write.commitChallenge([id, c], { account: wallets.challenger.account }), hub, "ChallengeCommitted", [id, c]);
    await viem.assertions.emitWithArgs(
      hub.write.challenge([id, INPUT, OUTPUT, proof], { account: wallets.challenger.account }),
      hub,
      "Challenged",
      [id, getAddress(wallets.challenger.account.address), hashValues(OUTPUT)],
    );
    assert.equal(await hub.read.status([id]), Status.Settled);
    assert.deepEqual(await consumer.read.settledOutput([id]), OUTPUT);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), stake - SLASH);
    const protocol = PRICE / 10n;
    const half = budgetOf() / 2n;
    // the challenger runs onSettled too: it is paid the rest of the budget
    assert.equal(await hub.read.releasable([wallets.challenger.account.address]), PRICE - protocol + SLASH / 2n + half);
    assert.equal(await hub.read.releasable([executor.account.address]), half);
    assert.equal(await hub.read.releasable([wallets.treasury.account.address]), protocol + SLASH / 2n);
    await f.assertBooksBalance();
  });

  it("rejects a challenge within tolerance, with an unbound proof, after the window, or in another mode", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets } = f;
    const id = await f.request(models.optimistic, { proofTimeout: 100 });
    await f.deliver(id, [503n, -120n, -380n]); // within 5 of OUTPUT
    const challenger = wallets.challenger.account.address;
    const commit = (output: bigint[], proof: Hex) => hub.write.commitChallenge([id, commitment(id, challenger, output, proof)], { account: wallets.outsider.account });
    await commit(OUTPUT, proofFor(INPUT, OUTPUT));
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.challenge([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: wallets.challenger.account }),
      hub,
      "InferenceHubChallengeFailed",
      [id],
    );
    const other = [0n, 0n, 0n];
    await commit(other, proofFor(INPUT, OUTPUT));
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.challenge([id, INPUT, other, proofFor(INPUT, OUTPUT)], { account: wallets.challenger.account }),
      hub,
      "InferenceHubInvalidProof",
      [id],
    );
    const { proofDeadline } = await hub.read.getRequest([id]);
    await networkHelpers.time.increaseTo(proofDeadline + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.challenge([id, INPUT, other, proofFor(INPUT, other)], { account: wallets.challenger.account }),
      hub,
      "InferenceHubDeadlinePassed",
      [id, proofDeadline],
    );
    // an OPTIMISTIC result is never refunded: it settles
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.refundExpired([id]), hub, "InferenceHubWrongMode", [id, 2]);
    const on = await f.request(models.onchain);
    await f.deliver(on);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.challenge([on, INPUT, other, proofFor(INPUT, other)], { account: wallets.challenger.account }),
      hub,
      "InferenceHubWrongMode",
      [on, 0],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.commitChallenge([on, commitment(on, challenger, other, "0x")], { account: wallets.challenger.account }),
      hub,
      "InferenceHubWrongMode",
      [on, 0],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.settleUnchallenged([on]), hub, "InferenceHubWrongMode", [on, 0]);
  });
});
