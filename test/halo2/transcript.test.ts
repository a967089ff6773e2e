import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { KeccakTranscript } from "../../halo2/verify/transcript.js";
import { verifyProofDetailed } from "../../halo2/verify/verifier.js";
import { vkDigestOfPinnedText } from "../../halo2/circuit/digest.js";
import { bytesToBigIntBE, FR_MODULUS, toHex32 } from "../../halo2/field.js";
import { loadVector, SKIP_SHARED } from "../../testkit/halo2/vectors.js";

describe("halo2 EVM transcript rules", () => {
  it("a squeeze after exactly 32 buffered bytes appends 0x01; otherwise hashes the buffer as is", () => {
    const t = new KeccakTranscript();
    t.absorbScalar(5n);
    t.absorbScalar(7n);
    const buf = new Uint8Array(64);
    buf[31] = 5;
    buf[63] = 7;
    const h1 = keccak_256(buf);
    assert.equal(t.squeeze(), bytesToBigIntBE(h1) % FR_MODULUS);
    const h2 = keccak_256(new Uint8Array([...h1, 1]));
    assert.equal(t.squeeze(), bytesToBigIntBE(h2) % FR_MODULUS);
    t.absorbScalar(1n);
    const h3 = keccak_256(new Uint8Array([...h2, ...new Uint8Array(31), 1]));
    assert.equal(t.squeeze(), bytesToBigIntBE(h3) % FR_MODULUS);
  });
});

for (const name of ["fixture", "mlp"] as const) {
  describe(`halo2 transcript known answers: ${name}`, { skip: SKIP_SHARED }, () => {
    it("the vk digest of the pinned text equals the recorded digest", () => {
      const v = loadVector(name);
      assert.equal(toHex32(vkDigestOfPinnedText(v.pinnedText)), v.vectors.vk_digest.value);
      assert.equal(v.desc.vkDigest, v.vectors.vk_digest.value);
    });

    it("every challenge and the proof bytes consumed before it match the vector", () => {
      const v = loadVector(name);
      const seen: { name: string; value: string; consumed: number }[] = [];
      const res = verifyProofDetailed(v.desc, v.proof, v.instances, v.srs, {
        challenge: (n, value, consumed) => seen.push({ name: n, value: toHex32(value), consumed }),
      });
      assert.deepEqual(res, { ok: true });
      const expected = v.vectors.challenges as { value: string; proof_bytes_consumed_so_far: number }[];
      assert.equal(seen.length, expected.length);
      seen.forEach((s, i) => {
        assert.equal(s.value, expected[i].value, `challenge ${i} (${s.name})`);
        assert.equal(s.consumed, expected[i].proof_bytes_consumed_so_far, `bytes consumed before ${s.name}`);
      });
      assert.deepEqual(
        seen.map((s) => s.name),
        ["theta", "beta", "gamma", "y", "x", "shplonk_y", "shplonk_v", "shplonk_u"],
      );
    });

    it("instances decode to the recorded values (negatives as r - |v|)", () => {
      const v = loadVector(name);
      const expected = (v.vectors.instances as { value: string }[][]).map((c) => c.map((x) => BigInt(x.value)));
      assert.deepEqual(v.instances, expected);
    });
  });
}
