/**
 * Batched attestations (ZKML_ATTESTED): a verification node signs one EIP-712 AttestationBatch(root) over a Merkle
 * tree of its verdicts; the AttestationQuorum recovers the signer once per batch and counts each leaf with a Merkle
 * check; `settleMany` settles the decided requests, each item on its own. Written as an attacker would try it: a bad
 * leaf must not sink the batch, conflicting verdicts in two batches (or a batch and a single vote) are slashable,
 * a leaf cannot be replayed into another round, chain or quorum, and a signer cannot count twice.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, getAddress, hashTypedData, keccak256, parseEther, type Hex } from "viem";

import { buildAttestationBatch } from "../../protocol/attestationBatch.js";
import { attestationBatchTypedData } from "../../protocol/attestation.js";
import { alone, type Attestation, deployHub, deployProtocol, INPUT, instancesHash, MIN_STAKE, OUTPUT, proofFor, Role, SLASH, Status, provenOutput, provenOutputs } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
type F = Awaited<ReturnType<typeof fixture>>;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** `n` ATTESTED requests, each with a valid stand-in proof under attestation; their "valid" attestations. */
async function withProofs(f: F, n: number): Promise<Attestation[]> {
  const out: Attestation[] = [];
  for (let i = 0; i < n; i++) {
    const id = await f.request(f.models.attested);
    await f.deliver(id);
    const proof = proofFor(INPUT, OUTPUT);
    await f.prove(id, OUTPUT, proof);
    out.push({ requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true });
  }
  return out;
}

/** Every AttestationRejected since the fixture, decoded with the hub's errors: [requestId, error name, args]. */
async function rejections(f: F) {
  const events = await f.quorum.getEvents.AttestationRejected({}, { fromBlock: 0n, strict: true });
  return events.map((e) => {
    const err = decodeErrorResult({ abi: f.hub.abi, data: e.args.reason! });
    return { requestId: e.args.requestId!, error: err.errorName, args: err.args };
  });
}

async function validStake(f: F, a: Attestation) {
  const [valid] = await f.quorum.read.tally([a.requestId, a.proofHash, a.instancesHash]);
  return valid;
}

/** Evidence of a leaf of a signed batch. */
const inBatch = (b: { root: Hex; votes: { attestation: Attestation; proof: Hex[] }[]; signature: Hex }, i: number) => ({
  attestation: b.votes[i].attestation,
  root: b.root,
  proof: b.votes[i].proof,
  signature: b.signature,
});

describe("InferenceHub batched attestations (ZKML_ATTESTED)", () => {
  it("a node signs one root for many requests: the quorum counts every leaf, settleMany settles them all", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const as = await withProofs(f, 5);
    const batch = buildAttestationBatch(as);
    // the leaf and digest the contract checks are the ones the off-chain library builds
    assert.equal(
      await f.quorum.read.batchDigest([batch.root]),
      hashTypedData(attestationBatchTypedData(f.chainId, f.quorum.address, batch.root)),
    );
    const one = buildAttestationBatch([as[0]]);
    assert.equal(await f.quorum.read.leafHash([as[0]]), one.root); // a one-leaf tree's root is its leaf

    const b1 = await f.attestBatch(f.wallets.ver1, as);
    const [submitted] = await f.quorum.getEvents.AttestationBatchSubmitted({ root: b1.root }, { fromBlock: 0n, strict: true });
    assert.deepEqual([getAddress(submitted.args.verifier!), submitted.args.submitted, submitted.args.recorded], [getAddress(f.wallets.ver1.account.address), 5n, 5n]);
    for (const a of as) assert.equal(await validStake(f, a), MIN_STAKE);
    await f.attestBatch(f.wallets.ver2, [...as].reverse()); // another node, its own tree
    const ids = as.map((a) => a.requestId);
    const { result } = await f.hub.simulate.settleMany([ids, await provenOutputs(f.hub, ids)]);
    assert.deepEqual(result, [true, true, true, true, true]);
    await f.hub.write.settleMany([ids, await provenOutputs(f.hub, ids)], { account: f.wallets.outsider.account });
    for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.deepEqual(await rejections(f), []);
    // the votes are the same records as single votes: rewards are claimable per request
    await networkHelpers.time.increaseTo((await f.hub.read.getRequest([ids[4]])).verifyDeadline + 1n);
    for (const id of ids) {
      await f.hub.write.claimVerifierReward([id], { account: f.wallets.ver1.account });
      await f.hub.write.claimVerifierReward([id], { account: f.wallets.ver2.account });
    }
    await f.assertBooksBalance();
  });

  it("a batch with one bad leaf settles the rest and names the bad one", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const as = await withProofs(f, 4);
    // leaf 1 is about a proof that is not under attestation (wrong instances), leaf 2's path is tampered with
    const bogus = { ...as[1], instancesHash: keccak256("0xbad0") };
    const batch = buildAttestationBatch([as[0], bogus, as[2], as[3]]);
    batch.votes[2].proof = [keccak256("0x01"), ...batch.votes[2].proof.slice(1)];
    for (const v of [f.wallets.ver1, f.wallets.ver2]) {
      const signature = await f.signBatch(v, batch.root);
      const { result } = await f.quorum.simulate.submitAttestationBatch([batch.root, signature, batch.votes]);
      assert.deepEqual(result, [true, false, false, true]);
      await f.quorum.write.submitAttestationBatch([batch.root, signature, batch.votes]);
    }
    const named = await rejections(f);
    assert.deepEqual(
      named.map((r) => [r.requestId, r.error]),
      [
        [as[1].requestId, "InferenceHubAttestationMismatch"],
        [as[2].requestId, "InferenceHubNotInBatch"],
        [as[1].requestId, "InferenceHubAttestationMismatch"],
        [as[2].requestId, "InferenceHubNotInBatch"],
      ],
    );
    assert.deepEqual(named[1].args, [as[2].requestId, batch.root]);
    // settleMany: the two good ones settle, the two others are named (quorum pending) and stay open
    const ids = as.map((a) => a.requestId);
    const { result } = await f.hub.simulate.settleMany([ids, await provenOutputs(f.hub, ids)]);
    assert.deepEqual(result, [true, false, false, true]);
    await f.hub.write.settleMany([ids, await provenOutputs(f.hub, ids)]);
    const items = await f.hub.getEvents.ItemRejected({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(
      items.map((e) => [e.args.requestId, decodeErrorResult({ abi: f.hub.abi, data: e.args.reason! }).errorName]),
      [
        [as[1].requestId, "InferenceHubQuorumPending"],
        [as[2].requestId, "InferenceHubQuorumPending"],
      ],
    );
    assert.deepEqual(
      await Promise.all(ids.map((id) => f.hub.read.status([id]))),
      [Status.Settled, Status.ProofSubmitted, Status.ProofSubmitted, Status.Settled],
    );
    await f.assertBooksBalance();
  });

  it("a batch that judges one proof invalid settles the others and rejects that one (its prover slashed)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const as = await withProofs(f, 3);
    const prover = getAddress((await f.hub.read.getRequest([as[1].requestId])).provedBy);
    const verdicts = [as[0], { ...as[1], valid: false }, as[2]];
    await f.attestBatch(f.wallets.ver1, verdicts);
    await f.attestBatch(f.wallets.ver3, verdicts);
    const stakeBefore = await f.nodeRegistry.read.stakeOf([prover, Role.Prover]);
    await f.hub.write.settleMany([as.map((a) => a.requestId), await provenOutputs(f.hub, as.map((a) => a.requestId))]);
    assert.deepEqual(
      await Promise.all(as.map((a) => f.hub.read.status([a.requestId]))),
      [Status.Settled, Status.Executed, Status.Settled],
    );
    const [rejected] = await f.hub.getEvents.ProofRejected({ requestId: as[1].requestId }, { fromBlock: 0n, strict: true });
    assert.equal(getAddress(rejected.args.prover!), prover);
    assert.ok((await f.nodeRegistry.read.stakeOf([prover, Role.Prover])) < stakeBefore);
    await f.assertBooksBalance();
  });

  it("conflicting verdicts in two batches, or in a batch and a single vote, are equivocation: slashed once, reporter paid", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const as = await withProofs(f, 3);
    const { ver2, ver3, outsider: reporter } = f.wallets;
    // ver3 votes "valid" on request 1 in one batch and "invalid" on it in another
    const yes = await f.attestBatch(ver3, [as[0], as[1], as[2]]);
    const no = await f.attestBatch(ver3, [{ ...as[1], valid: false }, as[2]]);
    // the second batch cannot count twice: both of its leaves are duplicates
    assert.deepEqual((await rejections(f)).map((r) => r.error), ["InferenceHubDuplicateAttestation", "InferenceHubDuplicateAttestation"]);
    assert.equal(await validStake(f, as[1]), MIN_STAKE);
    await viem.assertions.emitWithArgs(
      f.hub.write.reportEquivocation([inBatch(yes, 1), inBatch(no, 0)], { account: reporter.account }),
      f.hub,
      "EquivocationSlashed",
      [as[1].requestId, getAddress(ver3.account.address), SLASH],
    );
    assert.equal(await f.nodeRegistry.read.stakeOf([ver3.account.address, Role.Verifier]), MIN_STAKE - SLASH);
    assert.equal(await f.hub.read.releasable([reporter.account.address]), SLASH / 2n); // slashRewardBps 5000
    // once per (request, node), whatever evidence comes next
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.reportEquivocation([inBatch(no, 0), alone(as[1], await f.sign(ver3, as[1]))]),
      f.hub,
      "InferenceHubEquivocationAlreadyReported",
      [as[1].requestId, getAddress(ver3.account.address)],
    );
    // a batch leaf against a single signature of the opposite verdict
    const batch2 = await f.attestBatch(ver2, [as[0], as[2]]);
    const single = { ...as[2], valid: false };
    await viem.assertions.emitWithArgs(
      f.hub.write.reportEquivocation([alone(single, await f.sign(ver2, single)), inBatch(batch2, 1)], { account: reporter.account }),
      f.hub,
      "EquivocationSlashed",
      [as[2].requestId, getAddress(ver2.account.address), SLASH],
    );
    // not equivocation: same verdict in two batches; a path that does not lead to the signed root; another node's batch
    const again = await f.attestBatch(ver3, [as[0]]);
    await viem.assertions.revertWithCustomError(f.hub.write.reportEquivocation([inBatch(yes, 0), inBatch(again, 0)]), f.hub, "InferenceHubNotEquivocation");
    const forged = { ...inBatch(yes, 0), attestation: { ...as[0], valid: false } };
    await viem.assertions.revertWithCustomError(f.hub.write.reportEquivocation([inBatch(batch2, 0), forged]), f.hub, "InferenceHubNotEquivocation");
    await viem.assertions.revertWithCustomError(
      f.hub.write.reportEquivocation([inBatch(batch2, 0), { ...inBatch(no, 1), attestation: { ...as[0], valid: false } }]),
      f.hub,
      "InferenceHubNotEquivocation",
    );
    await f.assertBooksBalance();
  });

  it("a leaf replayed from another round, chain or quorum is refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const [a, b] = await withProofs(f, 2);
    // same input and output: the two requests' proofs and instances hash the same, only the request id differs
    assert.equal(a.proofHash, b.proofHash);
    const batch = buildAttestationBatch([a]);
    const sig = await f.signBatch(f.wallets.ver1, batch.root);
    // request a's signed leaf presented for request b
    await f.quorum.write.submitAttestationBatch([batch.root, sig, [{ attestation: b, proof: batch.votes[0].proof }]]);
    assert.deepEqual((await rejections(f)).at(-1)!.error, "InferenceHubNotInBatch");
    // the batch signed for another chain, and for another deployment's quorum on this chain
    const other = await deployProtocol(viem);
    for (const overrides of [{ chainId: 1 }, { quorum: other.quorum.address }]) {
      const foreign = await f.signBatch(f.wallets.ver1, batch.root, overrides);
      await f.quorum.write.submitAttestationBatch([batch.root, foreign, batch.votes]);
      const last = (await rejections(f)).at(-1)!;
      assert.equal(last.error, "InferenceHubNotInElectorate"); // recovers some unrelated key
      assert.notEqual(getAddress(last.args![1] as string), getAddress(f.wallets.ver1.account.address));
    }
    assert.equal(await validStake(f, a), 0n);
    assert.equal(await validStake(f, b), 0n);

    // another round of the same request: the proof is rejected and a new one submitted; votes signed for the old
    // proof count in the old round only, never in the new one
    const invalid = { ...a, valid: false };
    await f.attestBatch(f.wallets.ver1, [invalid]);
    const oldYes = await f.attestBatch(f.wallets.ver2, [a]);
    await f.attestBatch(f.wallets.ver3, [invalid]);
    await f.hub.write.settle([a.requestId, await provenOutput(f.hub, a.requestId)]);
    assert.equal(await f.hub.read.status([a.requestId]), Status.Executed);
    const proof2 = proofFor(INPUT, OUTPUT, "0x02");
    await f.prove(a.requestId, OUTPUT, proof2);
    const a2 = { ...a, proofHash: keccak256(proof2) };
    await f.quorum.write.submitAttestationBatch([oldYes.root, oldYes.signature, oldYes.votes]);
    assert.equal((await rejections(f)).at(-1)!.error, "InferenceHubDuplicateAttestation");
    await f.quorum.write.submitAttestationBatch([oldYes.root, oldYes.signature, [{ attestation: a2, proof: oldYes.votes[0].proof }]]);
    assert.equal((await rejections(f)).at(-1)!.error, "InferenceHubNotInBatch");
    assert.equal(await validStake(f, a2), 0n);
    await viem.assertions.revertWithCustomErrorWithArgs(f.hub.write.settle([a.requestId, await provenOutput(f.hub, a.requestId)]), f.hub, "InferenceHubQuorumPending", [a.requestId]);
  });

  it("a signer counted twice in one batch is refused; a malleable batch signature refuses the batch", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const [a, b] = await withProofs(f, 2);
    const batch = buildAttestationBatch([a, b]);
    const sig = await f.signBatch(f.wallets.ver1, batch.root);
    // the same leaf twice in one submission
    const twice = [batch.votes[0], batch.votes[0], batch.votes[1]];
    const { result } = await f.quorum.simulate.submitAttestationBatch([batch.root, sig, twice]);
    assert.deepEqual(result, [true, false, true]);
    await f.quorum.write.submitAttestationBatch([batch.root, sig, twice]);
    assert.deepEqual((await rejections(f)).map((r) => [r.requestId, r.error, r.args![1]]), [
      [a.requestId, "InferenceHubDuplicateAttestation", getAddress(f.wallets.ver1.account.address)],
    ]);
    assert.equal(await validStake(f, a), MIN_STAKE);
    // the same batch sent again, and the same vote sent alone: duplicates
    const { result: again } = await f.quorum.simulate.submitAttestationBatch([batch.root, sig, batch.votes]);
    assert.deepEqual(again, [false, false]);
    await f.attest(a, [f.wallets.ver1]);
    assert.equal((await rejections(f)).at(-1)!.error, "InferenceHubDuplicateAttestation");
    assert.equal(await validStake(f, a), MIN_STAKE);
    // the same signature with s -> n - s (same key): refused as a whole, nothing counted
    const [c] = await withProofs(f, 1);
    const cBatch = buildAttestationBatch([c]);
    const good = await f.signBatch(f.wallets.ver2, cBatch.root);
    const s = BigInt("0x" + good.slice(66, 130));
    const v = parseInt(good.slice(130, 132), 16);
    const malleable = `0x${good.slice(2, 66)}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.quorum.write.submitAttestationBatch([cBatch.root, malleable, cBatch.votes]),
      f.hub,
      "InferenceHubInvalidBatchSignature",
      [cBatch.root],
    );
    assert.equal(await validStake(f, c), 0n);
    assert.equal(await f.nodeRegistry.read.stakeOf([f.wallets.ver1.account.address, Role.Verifier]), parseEther("1"));
  });
});
