/**
 * The batch leaf and path check that offline verification (client/verify/attestations.ts) uses must agree with the
 * tree the verification nodes build (protocol/attestationBatch.ts, OpenZeppelin's StandardMerkleTree), which is what
 * the AttestationQuorum checks on chain; and it must refuse a leaf the root does not hold.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak256, toHex } from "viem";
import { attestationInBatch, type Attestation } from "../../protocol/attestation.js";
import { buildAttestationBatch } from "../../protocol/attestationBatch.js";

const h = (s: string) => keccak256(toHex(s));
const attestations: Attestation[] = Array.from({ length: 7 }, (_, i) => ({ requestId: BigInt(i + 1), proofHash: h(`p${i}`), instancesHash: h(`i${i}`), valid: i % 3 !== 0 }));

describe("attestation batches: leaf and path check", () => {
  it("accepts every attestation of a batch with its path, for batches of 1 to 7", () => {
    for (let n = 1; n <= attestations.length; n++) {
      const batch = buildAttestationBatch(attestations.slice(0, n));
      for (const v of batch.votes) assert.ok(attestationInBatch(batch.root, v.attestation, v.proof));
    }
  });

  it("refuses a flipped verdict, another request, another path or another root", () => {
    const batch = buildAttestationBatch(attestations);
    const { attestation: a, proof } = batch.votes[2];
    assert.equal(attestationInBatch(batch.root, { ...a, valid: !a.valid }, proof), false);
    assert.equal(attestationInBatch(batch.root, { ...a, requestId: a.requestId + 100n }, proof), false);
    assert.equal(attestationInBatch(batch.root, a, batch.votes[3].proof), false);
    assert.equal(attestationInBatch(buildAttestationBatch(attestations.slice(1)).root, a, proof), false);
  });
});
