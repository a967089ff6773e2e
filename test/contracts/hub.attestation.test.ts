import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, getAddress, keccak256, parseEther, type Hex } from "viem";

import {
  type Attestation,
  budgetOf,
  deployHub,
  deployProtocol,
  alone,
  INPUT,
  instancesHash,
  MIN_STAKE,
  OUTPUT,
  PRICE,
  PROOF_STORE,
  proofFor,
  Role,
  SLASH,
  Status,
  provenOutput,
  provenOutputs,
} from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A request of the ATTESTED model with its proof submitted; returns the attestation everyone signs. */
async function withProof(f: Awaited<ReturnType<typeof fixture>>, output = OUTPUT, opts = {}) {
  const id = await f.request(f.models.attested, opts);
  await f.deliver(id);
  const proof = proofFor(INPUT, output);
  const prover = await f.prove(id, output, proof);
  const a: Attestation = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, output), valid: true };
  return { id, proof, a, prover };
}

/** The quorum's reason for refusing the last (or `index`-th) attestation item, decoded with the hub's errors. */
async function rejectionOf(f: Awaited<ReturnType<typeof fixture>>, index = -1) {
  const events = await f.quorum.getEvents.AttestationRejected({}, { fromBlock: 0n, strict: true });
  const e = events.at(index)!;
  return decodeErrorResult({ abi: f.hub.abi, data: e.args.reason! });
}

describe("InferenceHub attestations (ZKML_ATTESTED)", () => {
  it("the attestation digest is the EIP-712 digest viem computes for this chain and the hub's quorum", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { a } = await withProof(f);
    const { hashTypedData } = await import("viem");
    const expected = hashTypedData({
      domain: { name: "Twinpath", version: "1", chainId: f.chainId, verifyingContract: f.quorum.address },
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
    assert.equal(await f.quorum.read.digest([a]), expected);
    const domain = await f.quorum.read.eip712Domain();
    assert.deepEqual([domain[1], domain[2], domain[3], getAddress(domain[4])], ["Twinpath", "1", BigInt(f.chainId), getAddress(f.quorum.address)]);
  });

  it("rejects a forged signature, a non-verifier signer and a malleable (high-s) signature", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { a } = await withProof(f);
    // signed by someone who is not in the electorate
    await f.attest(a, [f.wallets.outsider]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubNotInElectorate");
    assert.deepEqual((await rejectionOf(f)).args, [a.requestId, getAddress(f.wallets.outsider.account.address)]);
    // garbage bytes
    await f.quorum.write.submitAttestations([[a], [("0x" + "11".repeat(65)) as Hex]]);
    assert.ok(["InferenceHubInvalidSignature", "InferenceHubNotInElectorate"].includes((await rejectionOf(f)).errorName));
    await f.quorum.write.submitAttestations([[a], ["0x1234"]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubInvalidSignature");
    // same signature with s -> n - s and v flipped: recovers the same key, must still be refused
    const sig = await f.sign(f.wallets.ver1, a);
    const r = sig.slice(2, 66);
    const s = BigInt("0x" + sig.slice(66, 130));
    const v = parseInt(sig.slice(130, 132), 16);
    const malleable = `0x${r}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    await f.quorum.write.submitAttestations([[a], [malleable]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubInvalidSignature");
    const [validStake] = await f.quorum.read.tally([a.requestId, a.proofHash, a.instancesHash]);
    assert.equal(validStake, 0n);
  });

  it("rejects duplicates and attestations about another proof; a signature cannot be replayed on another request", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, a } = await withProof(f);
    const sig = await f.sign(f.wallets.ver1, a);
    const { result } = await f.quorum.simulate.submitAttestations([[a, a], [sig, sig]]);
    assert.deepEqual(result, [true, false]);
    await f.quorum.write.submitAttestations([[a, a], [sig, sig]]);
    assert.deepEqual((await rejectionOf(f)).args, [id, getAddress(f.wallets.ver1.account.address)]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubDuplicateAttestation");
    // the other verdict from the same node is also a duplicate (and equivocation, see below)
    const flipped = { ...a, valid: false };
    await f.attest(flipped, [f.wallets.ver1]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubDuplicateAttestation");
    // wrong proof hash / instances hash: no such round
    const wrongProof = { ...a, proofHash: keccak256("0xdead") };
    await f.attest(wrongProof, [f.wallets.ver2]);
    assert.deepEqual((await rejectionOf(f)).args, [id]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubAttestationMismatch");
    const wrongInstances = { ...a, instancesHash: keccak256("0xbeef") };
    await f.attest(wrongInstances, [f.wallets.ver2]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubAttestationMismatch");

    // Same input and output => same proof and instances on a second request. ver2's signature for request 1 must
    // not count for request 2.
    const { id: id2, a: a2 } = await withProof(f);
    assert.equal(a2.proofHash, a.proofHash);
    const sig2For1 = await f.sign(f.wallets.ver2, a);
    await f.quorum.write.submitAttestations([[a2], [sig2For1]]);
    const err = await rejectionOf(f);
    assert.equal(err.errorName, "InferenceHubNotInElectorate"); // recovers some unrelated address
    assert.notEqual(getAddress(err.args![1] as string), getAddress(f.wallets.ver2.account.address));
    const [valid2] = await f.quorum.read.tally([id2, a2.proofHash, a2.instancesHash]);
    assert.equal(valid2, 0n);
  });

  it("a signature for another chain id or another deployment is refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { a } = await withProof(f);
    await f.quorum.write.submitAttestations([[a], [await f.sign(f.wallets.ver1, a, { chainId: 1 })]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubNotInElectorate");
    // a second deployment on the same chain
    const other = await deployProtocol(viem);
    assert.notEqual(await other.hub.read.attestationDigest([a]), await f.hub.read.attestationDigest([a]));
    await f.quorum.write.submitAttestations([[a], [await f.sign(f.wallets.ver1, a, { quorum: other.quorum.address })]]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubNotInElectorate");
    const [validStake] = await f.quorum.read.tally([a.requestId, a.proofHash, a.instancesHash]);
    assert.equal(validStake, 0n);
  });

  it("votes count until the round's deadline, then are refused; the round is fixed when the proof arrives", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, a } = await withProof(f, OUTPUT, { proofTimeout: 120 });
    const r = await f.hub.read.getRequest([id]);
    const round = await f.quorum.read.roundKey([id, a.proofHash, a.instancesHash]);
    const info = await f.quorum.read.roundOf([round]);
    assert.equal(info.deadline, Number(r.verifyDeadline));
    assert.equal(info.electorate, 3n * MIN_STAKE);
    await f.attest(a, [f.wallets.ver1]);
    await networkHelpers.time.increaseTo(r.verifyDeadline + 1n);
    await f.attest(a, [f.wallets.ver2]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubDeadlinePassed");
    const [validStake] = await f.quorum.read.tally([id, a.proofHash, a.instancesHash]);
    assert.equal(validStake, MIN_STAKE);
  });

  it("the electorate is the verifier stake counted at the snapshot: later stake neither votes nor raises the bar", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, a } = await withProof(f);
    // a node registered after the proof arrived is not in this round's electorate
    await f.nodeRegistry.write.register([Role.Verifier], { value: 5n * MIN_STAKE, account: f.wallets.outsider.account });
    await f.attest(a, [f.wallets.outsider]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubNotInElectorate");
    // and the pass mark is still 2/3 of the 3 ether at the snapshot
    await f.attest(a, [f.wallets.ver1, f.wallets.ver2]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    // a stake increase after the snapshot does not change a vote's weight
    const { id: id2, a: a2 } = await withProof(f);
    await f.nodeRegistry.write.increaseStake([Role.Verifier], { value: 10n * MIN_STAKE, account: f.wallets.ver3.account });
    await f.attest(a2, [f.wallets.ver3]);
    const round = await f.quorum.read.roundKey([id2, a2.proofHash, a2.instancesHash]);
    const [, weight] = await f.quorum.read.attestationOf([round, f.wallets.ver3.account.address]);
    assert.equal(weight, MIN_STAKE);
    await viem.assertions.revertWithCustomErrorWithArgs(f.hub.write.settle([id2, await provenOutput(f.hub, id2)]), f.hub, "InferenceHubQuorumPending", [id2]);
  });

  it("when the invalid side makes the quorum impossible the proof is rejected, the prover slashed, and a new proof can settle", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, a, proof, prover } = await withProof(f);
    const invalid = { ...a, valid: false };
    await f.attest(invalid, [f.wallets.ver1]);
    // 1 of 3 invalid: 2 could still accept
    await viem.assertions.revertWithCustomErrorWithArgs(f.hub.write.settle([id, await provenOutput(f.hub, id)]), f.hub, "InferenceHubQuorumPending", [id]);
    await f.attest(invalid, [f.wallets.ver2]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    const [rejected] = await f.hub.getEvents.ProofRejected({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.equal(getAddress(rejected.args.prover!), getAddress(prover.account.address));
    assert.equal(await f.nodeRegistry.read.stakeOf([prover.account.address, Role.Prover]), parseEther("1") - SLASH);
    assert.equal(await f.hub.read.releasable([f.wallets.treasury.account.address]), SLASH); // no harmed party: all to treasury
    assert.equal(await f.nodeRegistry.read.dutiesOf([prover.account.address, Role.Prover]), 0n);
    // the same proof cannot come back
    const next = await f.proverOf(id);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.commitProof([id, INPUT, OUTPUT, keccak256(proof), PROOF_STORE], { account: next.account }),
      f.hub,
      "InferenceHubInvalidProof",
      [id],
    );
    // another proof (different bytes) for the same output, attested valid by 2 of 3
    const proof2 = proofFor(INPUT, OUTPUT, "0x01");
    await f.hub.write.commitProof([id, INPUT, OUTPUT, keccak256(proof2), PROOF_STORE], { account: next.account });
    const b = { ...a, proofHash: keccak256(proof2) };
    await f.attest(b, [f.wallets.ver1, f.wallets.ver3]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.equal(getAddress((await f.hub.read.getRequest([id])).provedBy), getAddress(next.account.address));
    await networkHelpers.time.increaseTo((await f.hub.read.getRequest([id])).verifyDeadline + 1n);
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
    await f.prove(id, OUTPUT, proof);
    const a = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true };
    await f.attest(a, [f.wallets.ver1, f.wallets.ver2]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.deepEqual(await f.consumer.read.settledOutput([id]), OUTPUT);
    assert.equal(await f.nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), parseEther("1") - SLASH);
    assert.equal(await f.hub.read.releasable([executor.account.address]), budgetOf() / 2n); // paid for the callback only
    await f.assertBooksBalance();
  });

  it("reportEquivocation slashes a node that signed both verdicts, once; anything else is not equivocation", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { a } = await withProof(f);
    const yes = await f.sign(f.wallets.ver3, a);
    const no = await f.sign(f.wallets.ver3, { ...a, valid: false });
    const reporter = f.wallets.outsider;
    await viem.assertions.emitWithArgs(
      f.hub.write.reportEquivocation([alone(a, yes), alone({ ...a, valid: false }, no)], { account: reporter.account }),
      f.hub,
      "EquivocationSlashed",
      [a.requestId, getAddress(f.wallets.ver3.account.address), SLASH],
    );
    assert.equal(await f.nodeRegistry.read.stakeOf([f.wallets.ver3.account.address, Role.Verifier]), parseEther("1") - SLASH);
    assert.equal(await f.hub.read.releasable([reporter.account.address]), SLASH / 2n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.reportEquivocation([alone(a, yes), alone({ ...a, valid: false }, no)], { account: reporter.account }),
      f.hub,
      "InferenceHubEquivocationAlreadyReported",
      [a.requestId, getAddress(f.wallets.ver3.account.address)],
    );
    // same verdict twice, different signers, different proofs: not equivocation
    await viem.assertions.revertWithCustomError(f.hub.write.reportEquivocation([alone(a, yes), alone(a, yes)]), f.hub, "InferenceHubNotEquivocation");
    const otherNo = await f.sign(f.wallets.ver2, { ...a, valid: false });
    await viem.assertions.revertWithCustomError(
      f.hub.write.reportEquivocation([alone(a, yes), alone({ ...a, valid: false }, otherNo)]),
      f.hub,
      "InferenceHubNotEquivocation",
    );
    const other = { ...a, valid: false, proofHash: keccak256("0x01") };
    await viem.assertions.revertWithCustomError(
      f.hub.write.reportEquivocation([alone(a, yes), alone(other, await f.sign(f.wallets.ver3, other))]),
      f.hub,
      "InferenceHubNotEquivocation",
    );
    await f.assertBooksBalance();
  });

  it("a node silent through silenceLimit closed rounds of its electorate is suspended; one that voted, even late, is not", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    await f.hub.write.setParameters([{ ...(await f.hub.read.parameters()), silenceLimit: 2, suspension: 3600 }]);
    const rounds: `0x${string}`[] = [];
    for (let i = 0; i < 2; i++) {
      const { id, a } = await withProof(f);
      await f.attest(a, [f.wallets.ver1, f.wallets.ver2]);
      await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
      if (i === 1) await f.attest(a, [f.wallets.ver3]); // ver3 votes late on the second round, after settlement
      rounds.push(await f.quorum.read.roundKey([id, a.proofHash, a.instancesHash]));
    }
    const { id: id3, a: a3 } = await withProof(f);
    await f.attest(a3, [f.wallets.ver1, f.wallets.ver2]); // ver3 silent on rounds 3 and 4
    const { id: id4, a: a4 } = await withProof(f);
    await f.attest(a4, [f.wallets.ver1, f.wallets.ver2]);
    const r3 = await f.quorum.read.roundKey([id3, a3.proofHash, a3.instancesHash]);
    const r4 = await f.quorum.read.roundKey([id4, a4.proofHash, a4.instancesHash]);
    // not while the last round is still open
    await viem.assertions.revertWithCustomErrorWithArgs(f.hub.write.reportSilence([f.wallets.ver3.account.address, r3, r4]), f.hub, "InferenceHubNotSilent", [
      getAddress(f.wallets.ver3.account.address),
    ]);
    await networkHelpers.time.increaseTo((await f.hub.read.getRequest([id4])).verifyDeadline + 1n);
    // a node that voted in the span, or a span shorter than the limit, shows nothing
    for (const [who, from, to] of [
      [f.wallets.ver1, r3, r4],
      [f.wallets.ver3, rounds[0], rounds[1]],
      [f.wallets.ver3, r4, r4],
    ] as const) {
      await viem.assertions.revertWithCustomError(f.hub.write.reportSilence([who.account.address, from, to]), f.hub, "InferenceHubNotSilent");
    }
    await viem.assertions.emit(f.hub.write.reportSilence([f.wallets.ver3.account.address, r3, r4], { account: f.wallets.outsider.account }), f.hub, "VerifierSuspended");
    assert.equal(await f.nodeRegistry.read.isEligible([f.wallets.ver3.account.address, Role.Verifier]), false);
    assert.equal(await f.nodeRegistry.read.stakeOf([f.wallets.ver3.account.address, Role.Verifier]), MIN_STAKE); // eligibility lost, not stake
    // the next round's electorate no longer counts it: 2 of the 2 remaining ether settle
    const { id: id5, a: a5 } = await withProof(f);
    const [opened] = await f.hub.getEvents.VerificationOpened({ requestId: id5 }, { fromBlock: 0n, strict: true });
    assert.equal(opened.args.electorate, 2n * MIN_STAKE);
    await f.attest(a5, [f.wallets.ver3]);
    assert.equal((await rejectionOf(f)).errorName, "InferenceHubNotInElectorate");
    // it may come back once the suspension is over
    await viem.assertions.revertWithCustomError(f.nodeRegistry.write.reinstate([Role.Verifier], { account: f.wallets.ver3.account }), f.nodeRegistry, "NodeRegistrySuspended");
    await networkHelpers.time.increase(3601);
    await f.nodeRegistry.write.reinstate([Role.Verifier], { account: f.wallets.ver3.account });
    assert.equal(await f.nodeRegistry.read.isEligible([f.wallets.ver3.account.address, Role.Verifier]), true);
    await f.assertBooksBalance();
  });
});
