import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { verifyProof, verifyProofDetailed } from "../../halo2/verify/verifier.js";
import { instancesFromProofJson } from "../../halo2/verify/instances.js";
import { bigIntToBytesBE, FQ_MODULUS, FR_MODULUS, toHex32 } from "../../halo2/field.js";
import { loadVector, SKIP_SHARED, type Vector } from "../../testkit/halo2/vectors.js";
import { cachedEngineProof, engineVerify, type EngineKey } from "../../testkit/halo2/engine.js";

// Deterministic PRNG so failures are reproducible.
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function engineKey(v: Vector): EngineKey {
  return { vk: v.vkBytes, settings: v.settings, srs: v.srsBytes, proofJsonTemplate: v.proofJson };
}

function flip(proof: Uint8Array, byte: number, bit: number): Uint8Array {
  const p = proof.slice();
  p[byte] ^= 1 << bit;
  return p;
}

for (const name of ["fixture", "mlp"] as const) {
  describe(`TS Halo2 verifier vs engine: ${name}`, { skip: SKIP_SHARED }, () => {
    it("accepts the vector's valid proof, as the engine does", () => {
      const v = loadVector(name);
      assert.deepEqual(verifyProofDetailed(v.desc, v.proof, v.instances, v.srs), { ok: true });
      assert.equal(engineVerify(engineKey(v), v.proof, v.instances).ok, true);
    });

    it("rejects a bit flip in the first, a middle and the last element of every proof section (engine agrees on a sample)", () => {
      const v = loadVector(name);
      const next = rng(name === "fixture" ? 1 : 2);
      let engineChecked = 0;
      for (const sec of v.desc.derived.proofSections) {
        const size = sec.kind === "point" ? 64 : 32;
        const elements = [...new Set([0, Math.floor(sec.count / 2), sec.count - 1])];
        for (const el of elements) {
          const byte = sec.offset + el * size + next(size);
          const bad = flip(v.proof, byte, next(8));
          const res = verifyProofDetailed(v.desc, bad, v.instances, v.srs);
          assert.equal(res.ok, false, `flip in ${sec.name}[${el}] byte ${byte} was accepted`);
          if (el === 0) {
            const eng = engineVerify(engineKey(v), bad, v.instances);
            assert.equal(eng.ok, false, `engine accepted a flip in ${sec.name}`);
            engineChecked++;
          }
        }
      }
      assert.equal(engineChecked, v.desc.derived.proofSections.length);
    });

    it("rejects swapped commitments and swapped evaluations", () => {
      const v = loadVector(name);
      const swap = (a: number, b: number, len: number) => {
        const p = v.proof.slice();
        p.set(v.proof.subarray(b, b + len), a);
        p.set(v.proof.subarray(a, a + len), b);
        return p;
      };
      const sec = (n: string) => v.desc.derived.proofSections.find((s) => s.name === n)!;
      const adv = sec("advice_commitments").offset;
      const h = sec("vanishing_h_commitments").offset;
      const h1 = sec("shplonk_h1").offset;
      const ev = sec("advice_evals").offset;
      for (const [what, p] of [
        ["advice commitments 0 and 1", swap(adv, adv + 64, 64)],
        ["h pieces 0 and 1", swap(h, h + 64, 64)],
        ["SHPLONK h1 and h2", swap(h1, h1 + 64, 64)],
        ["advice evals 0 and 1", swap(ev, ev + 32, 32)],
      ] as const) {
        assert.equal(verifyProof(v.desc, p, v.instances, v.srs), false, what);
      }
      assert.equal(engineVerify(engineKey(v), swap(adv, adv + 64, 64), v.instances).ok, false);
    });

    it("rejects every single change of an instance value (engine agrees)", () => {
      const v = loadVector(name);
      v.instances.forEach((col, c) =>
        col.forEach((val, i) => {
          const changed = v.instances.map((cc) => cc.slice());
          changed[c][i] = (val + 1n) % FR_MODULUS;
          assert.equal(verifyProof(v.desc, v.proof, changed, v.srs), false, `instance [${c}][${i}] + 1 accepted`);
          if (i === 0) assert.equal(engineVerify(engineKey(v), v.proof, changed).ok, false);
        }),
      );
      const negated = v.instances.map((cc) => cc.map((x) => (x === 0n ? 1n : FR_MODULUS - x)));
      assert.equal(verifyProof(v.desc, v.proof, negated, v.srs), false);
    });

    it("rejects a wrong vk digest and a wrong verifying key", () => {
      const v = loadVector(name);
      const wrongDigest = { ...v.desc, vkDigest: toHex32((BigInt(v.desc.vkDigest) + 1n) % FR_MODULUS) };
      assert.equal(verifyProof(wrongDigest, v.proof, v.instances, v.srs), false);
      const perm = v.desc.permutationCommitments.slice();
      [perm[0], perm[1]] = [perm[1], perm[0]];
      assert.equal(verifyProof({ ...v.desc, permutationCommitments: perm }, v.proof, v.instances, v.srs), false);
      const wrongSrs = { ...v.srs, sG2: v.srs.g2 };
      assert.equal(verifyProof(v.desc, v.proof, v.instances, wrongSrs), false);
    });

    it("returns false with a reason, never throws, on malformed proofs and instances", () => {
      const v = loadVector(name);
      const reason = (p: Uint8Array, inst: bigint[][] = v.instances) => {
        const r = verifyProofDetailed(v.desc, p, inst, v.srs);
        assert.equal(r.ok, false);
        return (r as { reason: string }).reason;
      };
      assert.match(reason(v.proof.subarray(0, v.proof.length - 1)), /bytes/);
      assert.match(reason(new Uint8Array(0)), /bytes/);
      assert.match(reason(new Uint8Array([...v.proof, ...new Uint8Array(32)])), /bytes/);
      const evals = v.desc.derived.proofSections.find((s) => s.name === "advice_evals")!.offset;
      const nonCanonical = v.proof.slice();
      const s = BigInt("0x" + Buffer.from(v.proof.subarray(evals, evals + 32)).toString("hex"));
      if (s + FR_MODULUS < 1n << 256n) {
        nonCanonical.set(bigIntToBytesBE(s + FR_MODULUS), evals);
        assert.match(reason(nonCanonical), /not a canonical scalar/);
      }
      const bigX = v.proof.slice();
      bigX.set(bigIntToBytesBE(FQ_MODULUS), 0);
      assert.match(reason(bigX), /not a canonical point/);
      const identity = v.proof.slice();
      identity.fill(0, 0, 64);
      assert.match(reason(identity), /not a canonical point/);
      assert.match(reason(v.proof, []), /instance column/);
      assert.match(reason(v.proof, [[...v.instances[0], 0n]]), /instance column 0 has/);
      assert.match(reason(v.proof, [[FR_MODULUS, ...v.instances[0].slice(1)]]), /canonical/);
      assert.match(reason(v.proof, [[-1n, ...v.instances[0].slice(1)]]), /canonical/);
      assert.match(reason(v.proof, [v.instances[0].map(Number) as unknown as bigint[]]), /canonical/);
      assert.equal(verifyProof(v.desc, "not bytes" as unknown as Uint8Array, v.instances, v.srs), false);
      assert.equal(verifyProof(v.desc, v.proof, null as unknown as bigint[][], v.srs), false);
    });
  });
}

describe("TS Halo2 verifier on a fresh engine proof (fixture circuit)", { skip: SKIP_SHARED }, () => {
  it("accepts a newly generated proof with different challenges, as the engine does", () => {
    const v = loadVector("fixture");
    const pj = cachedEngineProof("fixture", v.compiled, v.srsBytes, v.vkBytes, v.inputJson);
    const proof = Uint8Array.from(pj.proof as number[]);
    const inst = instancesFromProofJson(pj);
    assert.notDeepEqual(proof, v.proof);
    assert.deepEqual(verifyProofDetailed(v.desc, proof, inst, v.srs), { ok: true });
    assert.equal(engineVerify(engineKey(v), proof, inst).ok, true);
    assert.equal(verifyProof(v.desc, flip(proof, proof.length - 100, 3), inst, v.srs), false);
  });
});

// One mutation per 32-byte word of the fixture proof (every element of every section). HALO2_EXHAUSTIVE=bytes flips
// one random bit of every byte (~10-20 min), HALO2_EXHAUSTIVE=bits every bit of every byte (hours);
// HALO2_SWEEP_VECTOR=mlp sweeps the MLP proof instead.
const sweepVector = process.env.HALO2_SWEEP_VECTOR === "mlp" ? "mlp" : "fixture";
describe(`TS Halo2 verifier: ${sweepVector} proof, mutation sweep`, { skip: SKIP_SHARED }, () => {
  it("rejects a random bit flip in every 32-byte word", () => {
    const v = loadVector(sweepVector);
    const next = rng(7);
    const mode = process.env.HALO2_EXHAUSTIVE;
    const allBytes = mode === "bytes" || mode === "bits";
    const allBits = mode === "bits";
    let tried = 0;
    for (let word = 0; word < v.proof.length / 32; word++) {
      const bytes = allBytes ? [...Array(32).keys()].map((b) => word * 32 + b) : [word * 32 + next(32)];
      for (const byte of bytes) {
        for (const bit of allBits ? [0, 1, 2, 3, 4, 5, 6, 7] : [next(8)]) {
          assert.equal(verifyProof(v.desc, flip(v.proof, byte, bit), v.instances, v.srs), false, `byte ${byte} bit ${bit} accepted`);
          tried++;
        }
      }
    }
    assert.equal(tried >= v.proof.length / 32, true);
    if (mode) console.log(`mutation sweep (${mode}): ${tried} mutations, all rejected`);
  });
});

// A second constraint system from the same circuit: selectors not compressed (85 fixed columns, lower degree).
describe("uncompressed-selector key of the fixture circuit: describe, prove, verify", { skip: SKIP_SHARED }, () => {
  it("describeCircuit recovers it and the TS verifier agrees with the engine", async () => {
    const { describeCircuit } = await import("../../halo2/circuit/describe.js");
    const { getEngine } = await import("../../testkit/halo2/engine.js");
    const v = loadVector("fixture");
    const clamp = (b: Uint8Array) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength);
    const vk = new Uint8Array(getEngine().genVk(clamp(v.compiled), clamp(v.srsBytes), false));
    assert.equal(vk[2], 0);
    const pj = cachedEngineProof("fixture-uncompressed", v.compiled, v.srsBytes, vk, v.inputJson);
    const proof = Uint8Array.from(pj.proof as number[]);
    const inst = instancesFromProofJson(pj);
    const desc = await describeCircuit({ compiled: v.compiled, settings: v.settings, srs: v.srsBytes, vk, proof: pj as { proof: number[] } });
    assert.equal(desc.compressSelectors, false);
    assert.equal(desc.cs.numFixedColumns, 85);
    assert.notEqual(desc.vkDigest, v.desc.vkDigest);
    assert.equal(desc.checks.proofLengthMatches, true);
    assert.deepEqual(verifyProofDetailed(desc, proof, inst, v.srs), { ok: true });
    const key = { vk, settings: v.settings, srs: v.srsBytes, proofJsonTemplate: pj };
    assert.equal(engineVerify(key, proof, inst).ok, true);
    const bad = flip(proof, desc.derived.proofSections.find((s) => s.name === "fixed_evals")!.offset + 5, 1);
    assert.equal(verifyProof(desc, bad, inst, v.srs), false);
    assert.equal(engineVerify(key, bad, inst).ok, false);
    // The compressed key's description must not verify this proof.
    assert.equal(verifyProof(v.desc, proof, inst, v.srs), false);
  });
});
