/**
 * The lean record: the hub keeps hashes, the events carry the values, and every step that needs a value takes it
 * back in calldata and checks it against the stored hash. Here: settlement of ZKML_ATTESTED proofs, whose output is
 * no longer stored (settle / settleMany take it back), and the proven output hash stored only where it differs from
 * the result's. An attacker who crafts an output (a forged event, a copy of the executor's wrong result) cannot make
 * the hub settle or call the consumer with it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, keccak256, parseEther } from "viem";

import { type Attestation, deployHub, hashValues, INPUT, instancesHash, OUTPUT, PROOF_STORE, proofFor, Role, SLASH, Status } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
type F = Awaited<ReturnType<typeof fixture>>;

const CRAFTED = [900n, -1n, -2n];

/** A ZKML_ATTESTED request delivered with `fast`, committed with `proven` and accepted by 2 of 3 nodes. */
async function accepted(f: F, fast = OUTPUT, proven = OUTPUT) {
  const id = await f.request(f.models.attested);
  await f.deliver(id, fast);
  const proof = proofFor(INPUT, proven);
  const prover = await f.proverOf(id);
  await f.hub.write.commitProof([id, INPUT, proven, keccak256(proof), PROOF_STORE], { account: prover.account });
  const a: Attestation = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, proven), valid: true };
  await f.attestBatch(f.wallets.ver1, [a]);
  await f.attestBatch(f.wallets.ver2, [a]);
  return { id, prover };
}

describe("lean record: settlement takes the proven output back and checks it", () => {
  it("adversarial: a crafted output is refused, pays nobody and never reaches the consumer; the true one settles", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { id } = await accepted(f);
    const before = await f.sumReleasable();
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.settle([id, CRAFTED], { account: f.wallets.outsider.account }),
      f.hub,
      "InferenceHubSettleOutputMismatch",
      [id, hashValues(OUTPUT), hashValues(CRAFTED)],
    );
    assert.equal(await f.hub.read.status([id]), Status.ProofSubmitted);
    assert.equal(await f.sumReleasable(), before, "nothing credited");
    assert.equal(await f.consumer.read.settledCalls(), 0n);
    await f.hub.write.settle([id, OUTPUT], { account: f.wallets.outsider.account });
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.deepEqual(await f.consumer.read.settledOutput([id]), OUTPUT);
    // the record still shows the proven output's hash (the proof confirmed the result: stored as the result's)
    const r = await f.hub.read.getRequest([id]);
    assert.equal(r.provenOutputHash, hashValues(OUTPUT));
    assert.equal(r.provenOutputHash, r.outputHash);
    await f.assertBooksBalance();
  });

  it("adversarial: settleMany with one crafted output settles the others and refuses that item alone", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const a = await accepted(f);
    const b = await accepted(f);
    const c = await accepted(f);
    await f.hub.write.settleMany([[a.id, b.id, c.id], [OUTPUT, CRAFTED, OUTPUT]]);
    assert.equal(await f.hub.read.status([a.id]), Status.Settled);
    assert.equal(await f.hub.read.status([b.id]), Status.ProofSubmitted);
    assert.equal(await f.hub.read.status([c.id]), Status.Settled);
    const [refused] = await f.hub.getEvents.ItemRejected({ requestId: b.id }, { fromBlock: 0n, strict: true });
    const err = decodeErrorResult({ abi: f.hub.abi, data: refused.args.reason! });
    assert.equal(err.errorName, "InferenceHubSettleOutputMismatch");
    assert.deepEqual(err.args, [b.id, hashValues(OUTPUT), hashValues(CRAFTED)]);
    await viem.assertions.revertWithCustomError(f.hub.write.settleMany([[a.id], []]), f.hub, "InferenceHubBatchLengthMismatch");
    await f.hub.write.settleMany([[b.id], [OUTPUT]]);
    assert.equal(await f.hub.read.status([b.id]), Status.Settled);
    await f.assertBooksBalance();
  });

  it("adversarial: when the proof contradicts the result, the executor's wrong output cannot be settled in its place", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const wrong = [1n, 2n, 3n];
    const { id, prover } = await accepted(f, wrong, OUTPUT);
    const r = await f.hub.read.getRequest([id]);
    assert.equal(r.outputHash, hashValues(wrong));
    assert.equal(r.provenOutputHash, hashValues(OUTPUT), "a differing proven output is stored");
    await viem.assertions.revertWithCustomErrorWithArgs(f.hub.write.settle([id, wrong]), f.hub, "InferenceHubSettleOutputMismatch", [
      id,
      hashValues(OUTPUT),
      hashValues(wrong),
    ]);
    await f.hub.write.settle([id, OUTPUT]);
    assert.deepEqual(await f.consumer.read.settledOutput([id]), OUTPUT);
    const executor = f.walletOf(r.executor);
    assert.equal(await f.nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), parseEther("1") - SLASH);
    assert.ok((await f.hub.read.releasable([prover.account.address])) > 0n);
    await f.assertBooksBalance();
  });

  it("a rejected proof needs no output: the prover is slashed and the request reopens, whatever output is sent", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const id = await f.request(f.models.attested);
    await f.deliver(id);
    const prover = await f.proverOf(id);
    const junk = keccak256(proofFor(INPUT, OUTPUT, "0x99"));
    await f.hub.write.commitProof([id, INPUT, OUTPUT, junk, PROOF_STORE], { account: prover.account });
    const a: Attestation = { requestId: id, proofHash: junk, instancesHash: instancesHash(INPUT, OUTPUT), valid: false };
    await f.attestBatch(f.wallets.ver1, [a]);
    await f.attestBatch(f.wallets.ver2, [a]);
    await f.hub.write.settle([id, []]);
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    assert.equal(await f.nodeRegistry.read.stakeOf([prover.account.address, Role.Prover]), parseEther("1") - SLASH);
    await f.assertBooksBalance();
  });
});
