/**
 * Batch proofs for ZKML_ATTESTED (commitBatchProof): one proof, committed by its hash, for up to N requests of a batch
 * version. The hub checks every slot as commitProof would, records the batch's instancesHash (every slot's input,
 * padding zeros, then every slot's output) for each request, and opens one round for the batch (keyed by its first
 * request): one vote per node decides every request of it, each then settled, rejected and rewarded on its own.
 * Verification nodes rebuild the instances from the transaction's events. Written as an attacker would try it: a
 * padded slot presented as a request, a copied commitment, a batch proof sent down the single path (or the other
 * mode's path), an invalid proof the quorum must reject for every request it covers, a vote keyed by another request
 * of the batch, a reward claimed twice through the shared round, conflicting verdicts on the batch's round.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, keccak256, parseEventLogs, zeroAddress, type Hex } from "viem";

import { buildBatchInstances, instancesHash as hashInstances } from "../../protocol/instances.js";
import { batchCommitmentFromLogs } from "../../protocol/batchCommitment.js";
import { alone, deployHub, MIN_STAKE, Mode, modelSpec, Role, SLASH, Status, type Attestation } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();

const N = 4;
const STORE = "http://prover.test";
const inputOf = (i: number): bigint[] => [100n + BigInt(i), -50n - BigInt(i), 7n * BigInt(i), 3n];
const outputOf = (i: number): bigint[] => [500n + BigInt(i), -120n, BigInt(i)];
const PAD_OUTPUT = [11n, -22n, 33n];
const padTo = (outputs: bigint[][]): bigint[][] => [...outputs, ...Array.from({ length: N - outputs.length }, () => PAD_OUTPUT)];

/** deployHub with a batch-4 ZKML_ATTESTED version, and one eligible prover (prover2 unbonds) so a batch has one prover. */
async function fixture() {
  const f = await deployHub(viem);
  const spec = { ...modelSpec(Mode.ZKML_ATTESTED, zeroAddress), manifestHash: keccak256("0xa4"), batch: N };
  const { result: batchModel } = await f.modelRegistry.simulate.registerModel([spec]);
  await f.modelRegistry.write.registerModel([spec]);
  const onchainSpec = { ...modelSpec(Mode.ZKML_ONCHAIN, f.verifier.address), manifestHash: keccak256("0xb4"), batch: N };
  const { result: onchainBatch } = await f.modelRegistry.simulate.registerModel([onchainSpec]);
  await f.modelRegistry.write.registerModel([onchainSpec]);
  const { prover1, prover2 } = f.wallets;
  await f.nodeRegistry.write.beginUnbonding([Role.Prover, await f.nodeRegistry.read.stakeOf([prover2.account.address, Role.Prover])], { account: prover2.account });

  /** Requests of `modelId` with `inputs`, each delivered (`outputs[i]`, default outputOf(i)). */
  async function executed(modelId: bigint, inputs: bigint[][], outputs = inputs.map((_, i) => outputOf(i))): Promise<bigint[]> {
    const ids: bigint[] = [];
    for (const [i, input] of inputs.entries()) {
      const id = await f.request(modelId, {}, input);
      await f.deliver(id, outputs[i]);
      ids.push(id);
    }
    return ids;
  }
  /** Commits a batch proof (a stand-in hash: the hub never sees the bytes) from prover1; returns the receipt. */
  async function commit(ids: bigint[], inputs: bigint[][], outputs: bigint[][], proofHash: Hex = keccak256("0xbeef"), account = prover1.account) {
    const tx = await f.hub.write.commitBatchProof([ids, inputs, outputs, proofHash, STORE], { account });
    return f.publicClient.getTransactionReceipt({ hash: tx });
  }
  /** `n` requests of the batch version (inputOf / outputOf their slot), delivered and committed as one batch proof. */
  async function committedBatch(n: number, proofHash: Hex) {
    const inputs = Array.from({ length: n }, (_, i) => inputOf(i));
    const ids = await executed(batchModel, inputs);
    const outputs = padTo(inputs.map((_, i) => outputOf(i)));
    const receipt = await commit(ids, inputs, outputs, proofHash);
    return { ids, inputs, outputs, receipt, instancesHash: hashInstances(buildBatchInstances(inputs, outputs, 4)) };
  }
  return { ...f, batchModel, onchainBatch, executed, commit, committedBatch };
}

describe("InferenceHub.commitBatchProof (ZKML_ATTESTED batch versions)", () => {
  it("a partial batch (3 of 4) commits each request with the batch's instances, rebuildable from the transaction's events; one vote per node settles them all", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const proven = [0, 1, 2].map(outputOf);
    const proofHash = keccak256("0x01");
    const { ids, inputs, outputs, receipt, instancesHash: expected } = await f.committedBatch(3, proofHash);

    // what a verification node rebuilds from the receipt alone (plus each request's input)
    const batch = batchCommitmentFromLogs(receipt.logs, f.hub.address, proofHash, expected, ids[1]);
    assert.ok(batch);
    assert.deepEqual(batch.requestIds, ids);
    assert.deepEqual(batch.outputs, outputs);
    assert.equal(hashInstances(buildBatchInstances(inputs, batch.outputs, 4)), expected);
    const [committed] = parseEventLogs({ abi: f.hub.abi, logs: receipt.logs, eventName: "BatchProofCommitted" });
    assert.equal(committed.args.requests, 3n);
    assert.equal(committed.args.modelId, f.batchModel);

    const { ver1, ver2 } = f.wallets;
    // one round for the batch, keyed by its first request: every request's record points at it
    const round = await f.quorum.read.roundKey([ids[0], proofHash, expected]);
    assert.ok((await f.quorum.read.roundOf([round])).seq > 0n, "the batch's round is open");
    for (const id of ids) {
      const r = await f.hub.read.getRequest([id]);
      assert.equal(r.status, Status.ProofSubmitted);
      assert.equal(getAddress(r.provedBy), getAddress(f.wallets.prover1.account.address));
      assert.equal(r.proofKey, round);
    }
    const opened = parseEventLogs({ abi: f.hub.abi, logs: receipt.logs, eventName: "VerificationOpened" });
    assert.deepEqual(opened.map((e) => [e.args.requestId, e.args.round]), ids.map((id) => [id, round]));
    assert.equal(parseEventLogs({ abi: f.quorum.abi, logs: receipt.logs, eventName: "RoundOpened" }).length, 1, "one round opened");
    // a vote keyed by another request of the batch names no round: it counts nowhere
    const stray = await f.attestBatch(ver1, [{ requestId: ids[1], proofHash, instancesHash: expected, valid: true }]);
    const strayLogs = (await f.publicClient.getTransactionReceipt({ hash: stray.tx })).logs;
    assert.equal(parseEventLogs({ abi: f.quorum.abi, logs: strayLogs, eventName: "AttestationRecorded" }).length, 0);
    // one vote per node on the batch's round decides all three
    const vote: Attestation = { requestId: ids[0], proofHash, instancesHash: expected, valid: true };
    await f.attestBatch(ver1, [vote]);
    await f.attestBatch(ver2, [vote]);
    for (const [i, id] of ids.entries()) {
      await f.hub.write.settle([id, proven[i]]);
      assert.equal(await f.hub.read.status([id]), Status.Settled);
      assert.deepEqual(await f.consumer.read.settledOutput([id]), proven[i]);
    }
    // rewards per request though the round is shared: each voter claims each request's pool once, never twice
    await networkHelpers.time.increase(3600);
    for (const id of ids) {
      await f.hub.write.claimVerifierReward([id], { account: ver1.account });
      assert.equal(await f.quorum.read.rewardClaimed([id, ver1.account.address]), true);
      assert.equal(await f.quorum.read.rewardClaimed([id, ver2.account.address]), false);
    }
    for (const id of ids) {
      await viem.assertions.revertWithCustomError(f.hub.write.claimVerifierReward([id], { account: ver1.account }), f.hub, "InferenceHubNothingToClaim");
    }
    // the third node did not vote: nothing to claim on any of them
    await viem.assertions.revertWithCustomError(f.hub.write.claimVerifierReward([ids[2]], { account: f.wallets.ver3.account }), f.hub, "InferenceHubNothingToClaim");
    for (const id of ids) await f.hub.write.claimVerifierReward([id], { account: ver2.account });
    const claimed = await f.hub.getEvents.VerifierRewardClaimed({}, { fromBlock: 0n, strict: true });
    const settled = await f.hub.getEvents.RequestSettled({}, { fromBlock: 0n, strict: true });
    for (const id of ids) {
      const pool = settled.find((e) => e.args.requestId === id)!.args.verifierReward;
      assert.equal(claimed.filter((e) => e.args.requestId === id).reduce((t, e) => t + e.args.amount!, 0n), pool, `request ${id}: its pool, paid out exactly`);
    }
    await f.assertBooksBalance();
  });

  it("an invalid batch proof is rejected for every request it covers: each reopens, its prover slashed per request", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const proofHash = keccak256("0x02");
    const { ids, inputs, outputs, instancesHash: ih } = await f.committedBatch(2, proofHash);
    const prover = f.wallets.prover1.account.address;
    const before = await f.nodeRegistry.read.stakeOf([prover, Role.Prover]);
    const votes: Attestation[] = [{ requestId: ids[0], proofHash, instancesHash: ih, valid: false }];
    await f.attestBatch(f.wallets.ver1, votes);
    await f.attestBatch(f.wallets.ver2, votes);
    for (const id of ids) {
      await f.hub.write.settle([id, []]);
      const r = await f.hub.read.getRequest([id]);
      assert.equal(r.status, Status.Executed, "reopened for another proof");
      assert.equal(r.proofKey, "0x0000000000000000000000000000000000000000000000000000000000000000");
    }
    assert.equal(await f.nodeRegistry.read.stakeOf([prover, Role.Prover]), before - SLASH * BigInt(ids.length));
    // slashed below the minimum stake, the prover is out of the draw: the batch cannot come back from it
    assert.equal(await f.nodeRegistry.read.isEligible([prover, Role.Prover]), false);
    await viem.assertions.revertWithCustomError(f.commit(ids, inputs, outputs, proofHash), f.hub, "InferenceHubNotAssigned");
    await f.assertBooksBalance();
  });

  it("a rejected batch's first request, proven again, does not take the batch's other requests into its new round", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const junk = keccak256("0x0a");
    const { ids, instancesHash: ih } = await f.committedBatch(3, junk);
    const oldRound = await f.quorum.read.roundKey([ids[0], junk, ih]);
    const no: Attestation[] = [{ requestId: ids[0], proofHash: junk, instancesHash: ih, valid: false }];
    await f.attestBatch(f.wallets.ver1, no);
    await f.attestBatch(f.wallets.ver2, no);
    await f.hub.write.settle([ids[0], []]); // rejected: back to Executed, its prover slashed out of the draw
    assert.equal(await f.hub.read.status([ids[0]]), Status.Executed);
    // another prover proves the first request again (a batch of one), and the quorum accepts it
    const { outsider, ver1, ver2 } = f.wallets;
    await f.nodeRegistry.write.register([Role.Prover], { value: MIN_STAKE, account: outsider.account });
    const good = keccak256("0x0b");
    const outputs = padTo([outputOf(0)]);
    await f.commit([ids[0]], [inputOf(0)], outputs, good, outsider.account);
    const newIh = hashInstances(buildBatchInstances([inputOf(0)], outputs, 4));
    const yes: Attestation[] = [{ requestId: ids[0], proofHash: good, instancesHash: newIh, valid: true }];
    await f.attestBatch(ver1, yes);
    await f.attestBatch(ver2, yes);
    await f.hub.write.settle([ids[0], outputOf(0)]);
    assert.equal(await f.hub.read.status([ids[0]]), Status.Settled);
    // the batch's other requests still answer to the rejected round, not to their first request's new one
    for (const id of ids.slice(1)) assert.equal((await f.hub.read.getRequest([id])).proofKey, oldRound);
    await f.hub.write.settle([ids[1], outputOf(1)]);
    assert.equal(await f.hub.read.status([ids[1]]), Status.Executed, "rejected with its round, not settled by another's");
    const rejected = await f.hub.getEvents.ProofRejected({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(rejected.map((e) => [e.args.requestId, e.args.round]), [[ids[0], oldRound], [ids[1], oldRound]]);
    await f.assertBooksBalance();
  });

  it("a padded slot presented as a request: its zeros are not the request's input", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [0, 1, 2].map(inputOf);
    const ids = await f.executed(f.batchModel, inputs);
    const outputs = padTo([outputOf(0), outputOf(1)]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.commit(ids, [...inputs.slice(0, 2), [0n, 0n, 0n, 0n]], outputs.map((o, i) => (i === 2 ? outputOf(2) : o))),
      f.hub,
      "InferenceHubInputMismatch",
      [ids[2]],
    );
    for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Executed);
  });

  it("a copied commitment earns its copier nothing, and slot rules hold (ascending ids, one version, at most N, N outputs)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [0, 1, 2, 3, 4].map(inputOf);
    const ids = await f.executed(f.batchModel, inputs);
    const outputs = [0, 1, 2, 3].map(outputOf);
    await viem.assertions.revertWithCustomError(
      f.commit(ids.slice(0, 4), inputs.slice(0, 4), outputs, undefined, f.wallets.outsider.account),
      f.hub,
      "InferenceHubNotAssigned",
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.commit([ids[1], ids[0]], [inputs[1], inputs[0]], padTo([outputOf(1), outputOf(0)])),
      f.hub,
      "InferenceHubBatchNotAscending",
      [1n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(f.commit(ids, inputs, [...outputs, outputOf(4)]), f.hub, "InferenceHubBatchTooLarge", [5n, BigInt(N)]);
    await viem.assertions.revertWithCustomError(f.commit(ids.slice(0, 2), inputs.slice(0, 2), outputs.slice(0, 2)), f.hub, "InferenceHubBatchLengthMismatch");
    const [other] = await f.executed(f.models.attested, [inputOf(0)]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.commit([ids[0], other], [inputs[0], inputOf(0)], padTo([outputOf(0), outputOf(0)])),
      f.hub,
      "InferenceHubBatchModelMismatch",
      [other, f.batchModel],
    );
    for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Executed);
  });

  it("each mode keeps its own path: no single commitment for a batch version, no commitBatchProof for ZKML_ONCHAIN, no submitBatchProof for ZKML_ATTESTED", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const [id] = await f.executed(f.batchModel, [inputOf(0)]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.commitProof([id, inputOf(0), outputOf(0), keccak256("0x03"), STORE], { account: f.wallets.prover1.account }),
      f.hub,
      "InferenceHubBatchTooLarge",
      [1n, BigInt(N)],
    );
    await viem.assertions.revertWithCustomError(
      f.hub.write.submitBatchProof([[id], [inputOf(0)], padTo([outputOf(0)]), "0x1234"], { account: f.wallets.prover1.account }),
      f.hub,
      "InferenceHubWrongMode",
    );
    const [onchain] = await f.executed(f.onchainBatch, [inputOf(0)]);
    await viem.assertions.revertWithCustomError(f.commit([onchain], [inputOf(0)], padTo([outputOf(0)])), f.hub, "InferenceHubWrongMode");
    // an empty proof store or a zero hash is no commitment
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.commit([id], [inputOf(0)], padTo([outputOf(0)]), `0x${"00".repeat(32)}`),
      f.hub,
      "InferenceHubInvalidCommitment",
      [id],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.commitBatchProof([[id], [inputOf(0)], padTo([outputOf(0)]), keccak256("0x04"), ""], { account: f.wallets.prover1.account }),
      f.hub,
      "InferenceHubInvalidCommitment",
      [id],
    );
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    await f.commit([id], [inputOf(0)], padTo([outputOf(0)]));
    assert.equal(await f.hub.read.status([id]), Status.ProofSubmitted);
  });

  it("conflicting verdicts on a batch's round are equivocation, punished once", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const proofHash = keccak256("0x05");
    const { ids, instancesHash } = await f.committedBatch(2, proofHash);
    const a: Attestation = { requestId: ids[0], proofHash, instancesHash, valid: true };
    const { ver3, outsider } = f.wallets;
    const yes = await f.sign(ver3, a);
    const no = await f.sign(ver3, { ...a, valid: false });
    const before = await f.nodeRegistry.read.stakeOf([ver3.account.address, Role.Verifier]);
    await f.hub.write.reportEquivocation([alone(a, yes), alone({ ...a, valid: false }, no)], { account: outsider.account });
    assert.ok((await f.nodeRegistry.read.stakeOf([ver3.account.address, Role.Verifier])) < before, "slashed");
    await viem.assertions.revertWithCustomError(
      f.hub.write.reportEquivocation([alone(a, yes), alone({ ...a, valid: false }, no)], { account: outsider.account }),
      f.hub,
      "InferenceHubEquivocationAlreadyReported",
    );
  });
});
