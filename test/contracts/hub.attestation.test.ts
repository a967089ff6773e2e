import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, getAddress, keccak256, parseEther, type Hex } from "viem";

import { type Attestation, deployHub, INPUT, instancesHash, OUTPUT, PRICE, proofFor, Role, SLASH, Status } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A request of the ATTESTED model with its proof submitted; returns the attestation everyone signs. */
async function withProof(f: Awaited<ReturnType<typeof fixture>>, output = OUTPUT, opts = {}) {
  const id = await f.request(f.models.attested, opts);
  await f.deliver(id);
  const proof = proofFor(INPUT, output);
  await f.hub.write.submitProof([id, INPUT, output, proof], { account: f.wallets.prover1.account });
  const a: Attestation = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, output), valid: true };
  return { id, proof, a };
}

async function rejectionOf(f: Awaited<ReturnType<typeof fixture>>, index = -1) {
  const events = await f.hub.getEvents.ItemRejected({}, { fromBlock: 0n, strict: true });
  const e = events.at(index)!;
  return decodeErrorResult({ abi: f.hub.abi, data: e.args.reason! });
}

describe("InferenceHub attestations (ZKML_ATTESTED)", () => {
  it("the attestation digest is the EIP-712 digest viem computes for this chain and hub", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { a } = await withProof(f);
    const { hashTypedData } = await import("viem");
    const expected = hashTypedData({
      domain: { name: "Twinpath", version: "1", chainId: f.chainId, verifyingContract: f.hub.address },
      types: { Attestation: [
        { name: "requestId", type: "uint256" },
        { name: "proofHash", type: "bytes32" },
        { name: "instancesHash", type: "bytes32" },
        { name: "valid", type: "bool" },
      ] },
      primaryType: "Attestation",
      message: a,
    });
    assert.equal(await f.hub.read.attestationDigest([a]), expected);
  });

  it("rejects a forged signature, a non-verifier signer and a malleable (high-s) signature", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { a } = await withProof(f);
    // signed by someone who is not a verification node
    await f.hub.write.submitAttestations([[a], [await f.sign(f.wallets.outsider, a)]]);
    assert.deepEqual((await rejectionOf(f)).args, [getAddress(f.wallets.outsider.account.address), Role.Verifier]);
    // garbage bytes
    await f.hub.write.submitAttestations([[a], [("0x" + "11".repeat(65)) as Hex]]);
    assert.ok(["InferenceHubInvalidSignature", "InferenceHubNotEligible"].includes((await rejectionOf(f)).errorName));
    await f.hub.write.submitAttestations([[a], ["0x1234"]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubInvalidSignature");
    // same signature with s -> n - s and v flipped: recovers the same key, must still be refused
    const sig = await f.sign(f.wallets.ver1, a);
    const r = sig.slice(2, 66);
    const s = BigInt("0x" + sig.slice(66, 130));
    const v = parseInt(sig.slice(130, 132), 16);
    const malleable = `0x${r}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    await f.hub.write.submitAttestations([[a], [malleable]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubInvalidSignature");
    const [validStake] = await f.quorum.read.tally([a.requestId, a.proofHash]);
    assert.equal(validStake, 0n);
  });

  it("rejects duplicates and attestations about another proof; a signature cannot be replayed on another request", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, a } = await withProof(f);
    const sig = await f.sign(f.wallets.ver1, a);
    const { result } = await f.hub.simulate.submitAttestations([[a, a], [sig, sig]]);
    assert.deepEqual(result, [true, false]);
    await f.hub.write.submitAttestations([[a, a], [sig, sig]]);
    assert.deepEqual((await rejectionOf(f)).args, [id, getAddress(f.wallets.ver1.account.address)]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubDuplicateAttestation");
    // the other verdict from the same node is also a duplicate (and equivocation, see below)
    const flipped = { ...a, valid: false };
    await f.hub.write.submitAttestations([[flipped], [await f.sign(f.wallets.ver1, flipped)]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubDuplicateAttestation");
    // wrong proof hash / instances hash
    const wrongProof = { ...a, proofHash: keccak256("0xdead") };
    await f.hub.write.submitAttestations([[wrongProof], [await f.sign(f.wallets.ver2, wrongProof)]]);
    assert.deepEqual((await rejectionOf(f)).args, [id]);
    const wrongInstances = { ...a, instancesHash: keccak256("0xbeef") };
    await f.hub.write.submitAttestations([[wrongInstances], [await f.sign(f.wallets.ver2, wrongInstances)]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubAttestationMismatch");

    // Same input and output => same proof and instances on a second request. ver2's signature for request 1 must
    // not count for request 2.
    const { id: id2, a: a2 } = await withProof(f);
    assert.equal(a2.proofHash, a.proofHash);
    const sig2For1 = await f.sign(f.wallets.ver2, a);
    await f.hub.write.submitAttestations([[a2], [sig2For1]]);
    const err = await rejectionOf(f);
    assert.equal(err.errorName, "InferenceHubNotEligible"); // recovers some unrelated address
    assert.notEqual(getAddress(err.args![0] as string), getAddress(f.wallets.ver2.account.address));
    const [valid2] = await f.quorum.read.tally([id2, a2.proofHash]);
    assert.equal(valid2, 0n);
  });

  it("a signature for another chain id or another hub deployment is refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { a } = await withProof(f);
    await f.hub.write.submitAttestations([[a], [await f.sign(f.wallets.ver1, a, { chainId: 1 })]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubNotEligible");
    // a second hub deployment on the same chain, same registries
    const hub2 = await viem.deployContract("InferenceHub", [
      f.modelRegistry.address,
      f.nodeRegistry.address,
      f.wallets.admin.account.address,
      f.wallets.treasury.account.address,
    ]);
    assert.notEqual(await hub2.read.attestationDigest([a]), await f.hub.read.attestationDigest([a]));
    await f.hub.write.submitAttestations([[a], [await f.sign(f.wallets.ver1, a, { hub: hub2.address })]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubNotEligible");
    const [validStake] = await f.quorum.read.tally([a.requestId, a.proofHash]);
    assert.equal(validStake, 0n);
  });

  it("quorum not reached by the proof deadline: consumer refunded, executor slashed, nobody paid", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, a } = await withProof(f, OUTPUT, { proofTimeout: 120 });
    await f.hub.write.submitAttestations([[a], [await f.sign(f.wallets.ver1, a)]]);
    const r = await f.hub.read.getRequest([id]);
    await viem.assertions.revertWithCustomErrorWithArgs(f.hub.write.refundExpired([id]), f.hub, "InferenceHubDeadlineNotReached", [
      id,
      r.proofDeadline,
    ]);
    await networkHelpers.time.increaseTo(r.proofDeadline + 1n);
    // too late to attest
    await f.hub.write.submitAttestations([[a], [await f.sign(f.wallets.ver2, a)]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubDeadlinePassed");
    await viem.assertions.emitWithArgs(f.hub.write.refundExpired([id]), f.hub, "RequestRefunded", [
      id,
      getAddress(f.consumer.address),
      PRICE,
      Status.ProofSubmitted,
    ]);
    assert.equal(await f.hub.read.releasable([f.consumer.address]), PRICE + SLASH / 2n);
    assert.equal(await f.hub.read.releasable([f.wallets.prover1.account.address]), 0n);
    assert.equal(await f.hub.read.releasable([r.deliveredBy]), 0n);
    assert.equal(await f.nodeRegistry.read.stakeOf([r.deliveredBy, Role.Executor]), parseEther("1") - SLASH);
    await f.assertBooksBalance();
  });

  it("when the invalid side makes the quorum impossible the proof is rejected, the prover slashed, and a new proof can settle", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, a, proof } = await withProof(f);
    const invalid = { ...a, valid: false };
    await f.hub.write.submitAttestations([[invalid], [await f.sign(f.wallets.ver1, invalid)]]);
    assert.equal(await f.hub.read.status([id]), Status.ProofSubmitted); // 1 of 3 invalid: 2 could still accept
    await f.hub.write.submitAttestations([[invalid], [await f.sign(f.wallets.ver2, invalid)]]);
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    const [rejected] = await f.hub.getEvents.ProofRejected({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.equal(getAddress(rejected.args.prover!), getAddress(f.wallets.prover1.account.address));
    assert.equal(await f.nodeRegistry.read.stakeOf([f.wallets.prover1.account.address, Role.Prover]), parseEther("1") - SLASH);
    assert.equal(await f.hub.read.releasable([f.wallets.treasury.account.address]), SLASH); // no harmed party: all to treasury
    // the same proof cannot come back
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: f.wallets.prover2.account }),
      f.hub,
      "InferenceHubInvalidProof",
      [id],
    );
    // another proof (different bytes) for the same output, attested valid by 2 of 3
    const proof2 = proofFor(INPUT, OUTPUT, "0x01");
    await f.hub.write.submitProof([id, INPUT, OUTPUT, proof2], { account: f.wallets.prover2.account });
    const b = { ...a, proofHash: keccak256(proof2) };
    await f.hub.write.submitAttestations([[b, b], [await f.sign(f.wallets.ver1, b), await f.sign(f.wallets.ver3, b)]]);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.equal(getAddress((await f.hub.read.getRequest([id])).provedBy), getAddress(f.wallets.prover2.account.address));
    await f.hub.write.claimVerifierReward([id], { account: f.wallets.ver3.account });
    await f.hub.write.claimVerifierReward([id], { account: f.wallets.ver1.account });
    // ver2 only attested on the rejected proof
    await viem.assertions.revertWithCustomError(
      f.hub.write.claimVerifierReward([id], { account: f.wallets.ver2.account }),
      f.hub,
      "InferenceHubNothingToClaim",
    );
    await f.assertBooksBalance();
  });

  it("a proof of another output beyond tolerance, accepted by the quorum, slashes the executor and settles the proven output", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const id = await f.request(f.models.attested);
    const executor = await f.deliver(id, [9n, 9n, 9n]);
    const proof = proofFor(INPUT, OUTPUT);
    await f.hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: f.wallets.prover1.account });
    const a = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true };
    await f.hub.write.submitAttestations([[a, a], [await f.sign(f.wallets.ver1, a), await f.sign(f.wallets.ver2, a)]]);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.deepEqual(await f.consumer.read.settledOutput([id]), OUTPUT);
    assert.equal(await f.nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), parseEther("1") - SLASH);
    assert.equal(await f.hub.read.releasable([executor.account.address]), 0n);
    await f.assertBooksBalance();
  });

  it("reportEquivocation slashes a node that signed both verdicts, once; anything else is not equivocation", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { a } = await withProof(f);
    const yes = await f.sign(f.wallets.ver3, a);
    const no = await f.sign(f.wallets.ver3, { ...a, valid: false });
    const reporter = f.wallets.outsider;
    await viem.assertions.emitWithArgs(
      f.hub.write.reportEquivocation([a, yes, { ...a, valid: false }, no], { account: reporter.account }),
      f.hub,
      "EquivocationSlashed",
      [a.requestId, getAddress(f.wallets.ver3.account.address), SLASH],
    );
    assert.equal(await f.nodeRegistry.read.stakeOf([f.wallets.ver3.account.address, Role.Verifier]), parseEther("1") - SLASH);
    assert.equal(await f.hub.read.releasable([reporter.account.address]), SLASH / 2n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.reportEquivocation([a, yes, { ...a, valid: false }, no], { account: reporter.account }),
      f.hub,
      "InferenceHubEquivocationAlreadyReported",
      [a.requestId, getAddress(f.wallets.ver3.account.address)],
    );
    // same verdict twice, different signers, different proofs: not equivocation
    await viem.assertions.revertWithCustomError(f.hub.write.reportEquivocation([a, yes, a, yes]), f.hub, "InferenceHubNotEquivocation");
    const otherNo = await f.sign(f.wallets.ver2, { ...a, valid: false });
    await viem.assertions.revertWithCustomError(
      f.hub.write.reportEquivocation([a, yes, { ...a, valid: false }, otherNo]),
      f.hub,
      "InferenceHubNotEquivocation",
    );
    const other = { ...a, valid: false, proofHash: keccak256("0x01") };
    await viem.assertions.revertWithCustomError(
      f.hub.write.reportEquivocation([a, yes, other, await f.sign(f.wallets.ver3, other)]),
      f.hub,
      "InferenceHubNotEquivocation",
    );
    await f.assertBooksBalance();
  });
});
