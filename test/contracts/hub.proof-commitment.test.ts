/**
 * ZKML_ATTESTED proofs off the hub's calldata: the prover commits to the proof's hash (commitProof) and serves the
 * bytes from its proof store; verification nodes fetch and hash-check them, and vote invalid when they cannot (the
 * workers' side is tested in test/proofpath/proof-availability.test.ts). Here: the hub's rules around the
 * commitment, and the money of the adversarial cases (withheld bytes, copied commitments, bytes served to some
 * verification nodes only), with the verification nodes' votes as they cast them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, keccak256, parseEther, zeroHash } from "viem";

import { type Attestation, deployHub, INPUT, instancesHash, OUTPUT, PROOF_STORE, proofFor, Role, SLASH, Status, provenOutput, provenOutputs } from "./helpers/hub.js";
import { proofKey } from "../../protocol/attestation.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
type F = Awaited<ReturnType<typeof fixture>>;

/** An executed ZKML_ATTESTED request; returns its id, the entitled prover and the other one. */
async function executed(f: F) {
  const id = await f.request(f.models.attested, { proofTimeout: 7200 });
  const executor = await f.deliver(id);
  const owner = await f.proverOf(id);
  const other = owner === f.wallets.prover1 ? f.wallets.prover2 : f.wallets.prover1;
  return { id, executor, owner, other };
}

const verdict = (id: bigint, proofHash: `0x${string}`, valid: boolean): Attestation => ({ requestId: id, proofHash, instancesHash: instancesHash(INPUT, OUTPUT), valid });
const proverStake = (f: F, who: { account: { address: `0x${string}` } }) => f.nodeRegistry.read.stakeOf([who.account.address, Role.Prover]);

describe("ZKML_ATTESTED proof commitments (bytes off the hub's calldata)", () => {
  it("the hub records only the commitment: hash, instances, submitter and the store URL in the event", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, owner } = await executed(f);
    const proof = proofFor(INPUT, OUTPUT);
    await f.hub.write.commitProof([id, INPUT, OUTPUT, keccak256(proof), PROOF_STORE], { account: owner.account });
    const r = await f.hub.read.getRequest([id]);
    assert.equal(r.status, Status.ProofSubmitted);
    // the hub keeps one key of the commitment (the quorum's round); the hashes are in ProofSubmitted
    assert.equal(r.proofKey, proofKey(id, keccak256(proof), instancesHash(INPUT, OUTPUT)));
    assert.equal(r.proofKey, await f.quorum.read.roundKey([id, keccak256(proof), instancesHash(INPUT, OUTPUT)]));
    assert.equal(getAddress(r.provedBy), getAddress(owner.account.address));
    const [e] = await f.hub.getEvents.ProofSubmitted({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.equal(e.args.proofStore, PROOF_STORE);
    assert.equal(getAddress(e.args.prover!), getAddress(owner.account.address));
    const [opened] = await f.hub.getEvents.VerificationOpened({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.ok(opened, "the round opened on the commitment");
  });

  it("each mode takes its own proof step: ATTESTED refuses proof bytes, ONCHAIN refuses a bare commitment", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, owner } = await executed(f);
    const proof = proofFor(INPUT, OUTPUT);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: owner.account }),
      f.hub,
      "InferenceHubWrongMode",
      [id, 1],
    );
    const onchain = await f.request(f.models.onchain);
    await f.deliver(onchain);
    const p = await f.proverOf(onchain);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.commitProof([onchain, INPUT, OUTPUT, keccak256(proof), PROOF_STORE], { account: p.account }),
      f.hub,
      "InferenceHubWrongMode",
      [onchain, 0],
    );
  });

  it("a commitment needs a hash and a store URL of 1-256 bytes; bad input reverts and changes nothing", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, owner } = await executed(f);
    const h = keccak256(proofFor(INPUT, OUTPUT));
    for (const [hash, store] of [[zeroHash, PROOF_STORE], [h, ""], [h, `http://${"a".repeat(250)}`]] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.hub.write.commitProof([id, INPUT, OUTPUT, hash, store], { account: owner.account }),
        f.hub,
        "InferenceHubInvalidCommitment",
        [id],
      );
    }
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    await f.hub.write.commitProof([id, INPUT, OUTPUT, h, `http://${"a".repeat(249)}`], { account: owner.account });
    assert.equal(await f.hub.read.status([id]), Status.ProofSubmitted);
  });

  it("withheld bytes: the nodes vote invalid, the prover is slashed and earns nothing, the executor keeps its stake, another prover settles", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, executor, owner, other } = await executed(f);
    // the prover commits to a hash and never serves the bytes: no node can check it, each votes invalid
    const withheld = keccak256(proofFor(INPUT, OUTPUT, "0x77"));
    await f.hub.write.commitProof([id, INPUT, OUTPUT, withheld, PROOF_STORE], { account: owner.account });
    await f.attestBatch(f.wallets.ver1, [verdict(id, withheld, false)]);
    await f.attestBatch(f.wallets.ver2, [verdict(id, withheld, false)]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    assert.equal(await f.hub.read.status([id]), Status.Executed, "reopened for another proof");
    assert.equal(await proverStake(f, owner), parseEther("1") - SLASH, "the withholding prover is slashed");
    assert.equal(await f.nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), parseEther("1"), "the executor is not");
    // the same commitment cannot come back, from anyone
    await networkHelpers.time.increase(600);
    const next = await f.proverOf(id);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.commitProof([id, INPUT, OUTPUT, withheld, PROOF_STORE], { account: next.account }),
      f.hub,
      "InferenceHubInvalidProof",
      [id],
    );
    // a prover that serves its bytes settles it
    const good = proofFor(INPUT, OUTPUT);
    await f.hub.write.commitProof([id, INPUT, OUTPUT, keccak256(good), PROOF_STORE], { account: next.account });
    await f.attestBatch(f.wallets.ver1, [verdict(id, keccak256(good), true)]);
    await f.attestBatch(f.wallets.ver3, [verdict(id, keccak256(good), true)]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.equal(next, other, "the slashed prover is no longer eligible");
    assert.equal(await f.hub.read.releasable([owner.account.address]), 0n, "the withholding prover earned nothing");
    await f.assertBooksBalance();
  });

  it("a commitment copied from the mempool by another prover is refused in the owner's window and earns nothing", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, owner, other } = await executed(f);
    const h = keccak256(proofFor(INPUT, OUTPUT));
    // the copier sends the owner's pending arguments from its own key (at a higher fee)
    await viem.assertions.revertWithCustomError(
      f.hub.write.commitProof([id, INPUT, OUTPUT, h, "http://copier.test"], { account: other.account }),
      f.hub,
      "InferenceHubNotAssigned",
    );
    await f.hub.write.commitProof([id, INPUT, OUTPUT, h, PROOF_STORE], { account: owner.account });
    assert.equal(getAddress((await f.hub.read.getRequest([id])).provedBy), getAddress(owner.account.address));
    await f.attestBatch(f.wallets.ver1, [verdict(id, h, true)]);
    await f.attestBatch(f.wallets.ver2, [verdict(id, h, true)]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    assert.equal(await f.hub.read.releasable([other.account.address]), 0n, "the copier earned nothing");
    assert.ok((await f.hub.read.releasable([owner.account.address])) > 0n, "the owner was paid");
  });

  it("a copy committed in the copier's own later window, bytes never served to it: the copier is slashed, not the owner", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id, owner } = await executed(f);
    const h = keccak256(proofFor(INPUT, OUTPUT));
    // The owner's commitment missed its window (still pending when the window turned). Its store publishes bytes
    // only once its own commitment is mined, so whoever copies the hash into a later window has nothing to serve.
    await networkHelpers.time.increase(600);
    let copier = await f.proverOf(id);
    while (copier === owner) {
      await networkHelpers.time.increase(600);
      copier = await f.proverOf(id);
    }
    await f.hub.write.commitProof([id, INPUT, OUTPUT, h, "http://copier.test"], { account: copier.account });
    await f.attestBatch(f.wallets.ver1, [verdict(id, h, false)]);
    await f.attestBatch(f.wallets.ver2, [verdict(id, h, false)]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    assert.equal(await proverStake(f, copier), parseEther("1") - SLASH, "the copier pays");
    assert.equal(await proverStake(f, owner), parseEther("1"), "the owner does not");
    assert.equal(await f.hub.read.releasable([copier.account.address]), 0n);
  });

  it("bytes served to some nodes only: served to one of three, the unserved vote invalid and the prover is slashed; to two, it settles and the unserved node loses its reward share, never stake", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    // served to ver1 only
    {
      const { id, owner } = await executed(f);
      const h = keccak256(proofFor(INPUT, OUTPUT));
      await f.hub.write.commitProof([id, INPUT, OUTPUT, h, PROOF_STORE], { account: owner.account });
      await f.attestBatch(f.wallets.ver1, [verdict(id, h, true)]);
      await f.attestBatch(f.wallets.ver2, [verdict(id, h, false)]);
      await f.attestBatch(f.wallets.ver3, [verdict(id, h, false)]);
      await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
      assert.equal(await f.hub.read.status([id]), Status.Executed);
      assert.equal(await proverStake(f, owner), parseEther("1") - SLASH);
    }
    // served to ver1 and ver2
    {
      const { id, owner } = await executed(f);
      const h = keccak256(proofFor(INPUT, OUTPUT, "0x01"));
      await f.hub.write.commitProof([id, INPUT, OUTPUT, h, PROOF_STORE], { account: owner.account });
      await f.attestBatch(f.wallets.ver1, [verdict(id, h, true)]);
      await f.attestBatch(f.wallets.ver2, [verdict(id, h, true)]);
      await f.attestBatch(f.wallets.ver3, [verdict(id, h, false)]);
      await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
      assert.equal(await f.hub.read.status([id]), Status.Settled);
      await networkHelpers.time.increaseTo((await f.hub.read.getRequest([id])).verifyDeadline + 1n);
      await viem.assertions.revertWithCustomError(f.hub.write.claimVerifierReward([id], { account: f.wallets.ver3.account }), f.quorum, "InferenceHubNothingToClaim");
    }
    for (const v of [f.wallets.ver1, f.wallets.ver2, f.wallets.ver3]) {
      assert.equal(await f.nodeRegistry.read.stakeOf([v.account.address, Role.Verifier]), parseEther("1"), "no verification node lost stake");
    }
    await f.assertBooksBalance();
  });
});
