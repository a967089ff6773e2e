// Circuits with EZKL's shuffle arguments (MaxPool, Softmax): compiled from ONNX by compiler/, proved by the engine,
// described by halo2/circuit, and verified by the TS verifier, which must agree with the engine on valid proofs and
// reject every single-byte mutation. EZKL v21 lays a shuffle out as a zkonduit mv-lookup whose table is a
// selector-gated set of advice columns (`lookup_any("shuffle", …)` in BaseConfig::configure_shuffles), in phase 0
// and without challenges; the first test pins that, so a change in what the engine emits fails here first.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FR_MODULUS } from "../../halo2/field.js";
import type { Expr } from "../../halo2/circuit/types.js";
import { verifyProof, verifyProofDetailed } from "../../halo2/verify/verifier.js";
import { deriveParameters, UnsupportedCircuitError } from "../../halo2/circuit/layout.js";
import { loadCircuitDescription } from "../../halo2/circuit/load.js";
import { encodeArtifact } from "../../halo2/solidity/artifact.js";
import { engineVerify } from "../../testkit/halo2/engine.js";
import { loadShuffleCircuit, type ShuffleCircuit } from "../../testkit/halo2/shuffle-circuit.js";

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** The proof with one byte replaced by a different value. */
function mutateByte(proof: Uint8Array, byte: number, delta: number): Uint8Array {
  const p = proof.slice();
  p[byte] = (p[byte] + delta) & 0xff;
  return p;
}

const usesAdvice = (e: Expr): boolean =>
  e.t === "advice" || ((e.t === "neg" || e.t === "scaled") && usesAdvice(e.a)) || ((e.t === "sum" || e.t === "prod") && (usesAdvice(e.a) || usesAdvice(e.b)));

describe("shuffle circuit (Conv → MaxPool → Gemm → Softmax): TS verifier vs engine", { timeout: 900_000 }, () => {
  let c: ShuffleCircuit;
  before(async () => {
    c = await loadShuffleCircuit();
  });

  it("is what EZKL v21 emits for shuffles: mv-lookups over advice tables, one phase, no challenges, one instance column", () => {
    assert.ok(c.settingsValue.num_shuffles > 0, "the compiler declared no shuffles");
    assert.ok(c.settingsValue.total_shuffle_col_size > 0);
    const dynamicTables = c.desc.cs.lookups.filter((l) => l.table.some(usesAdvice));
    assert.ok(dynamicTables.length > 0, "no lookup has an advice (shuffle) table");
    assert.equal(c.desc.cs.shuffles.length, 0);
    assert.equal(c.desc.cs.numChallenges, 0);
    assert.ok(c.desc.cs.adviceColumnPhase.every((p) => p === 0));
    assert.equal(c.desc.cs.numInstanceColumns, 1);
    // Every public value (16 inputs, then 3 outputs) lives in that one column.
    assert.deepEqual(c.settingsValue.model_instance_shapes, [[1, 1, 4, 4], [1, 3]]);
    assert.deepEqual(c.desc.instanceCounts, [19]);
    assert.deepEqual(c.desc.checks, { commitmentsMatchVk: true, vkLengthMatches: true, digestInEngineMemory: true, proofLengthMatches: true });
  });

  it("accepts valid proofs of two inputs, as the engine does, and each only with its own instances", () => {
    assert.deepEqual(verifyProofDetailed(c.desc, c.proof, c.instances, c.srs), { ok: true });
    assert.equal(engineVerify(c.engineKey, c.proof, c.instances).ok, true);
    assert.deepEqual(verifyProofDetailed(c.desc, c.otherProof, c.otherInstances, c.srs), { ok: true });
    assert.equal(engineVerify(c.engineKey, c.otherProof, c.otherInstances).ok, true);
    assert.notDeepEqual(c.instances, c.otherInstances);
    assert.equal(verifyProof(c.desc, c.proof, c.otherInstances, c.srs), false);
    assert.equal(engineVerify(c.engineKey, c.proof, c.otherInstances).ok, false);
    assert.equal(verifyProof(c.desc, c.otherProof, c.instances, c.srs), false);
  });

  it("rejects a single-byte change in the first, a middle and the last element of every proof section (engine agrees)", () => {
    const next = rng(31);
    const lookupSections = new Set(["lookup_m_commitments", "lookup_phi_commitments", "lookup_evals"]);
    for (const sec of c.desc.derived.proofSections) {
      const size = sec.kind === "point" ? 64 : 32;
      for (const el of [...new Set([0, Math.floor(sec.count / 2), sec.count - 1])]) {
        const byte = sec.offset + el * size + next(size);
        const bad = mutateByte(c.proof, byte, 1 + next(255));
        assert.equal(verifyProofDetailed(c.desc, bad, c.instances, c.srs).ok, false, `change in ${sec.name}[${el}] byte ${byte} accepted`);
        if (el === 0 || lookupSections.has(sec.name)) assert.equal(engineVerify(c.engineKey, bad, c.instances).ok, false, `engine accepted a change in ${sec.name}[${el}]`);
      }
    }
  });

  it("rejects a single-byte change in every 32-byte word of the proof", () => {
    const next = rng(32);
    let tried = 0;
    for (let word = 0; word < c.proof.length / 32; word++) {
      const byte = word * 32 + next(32);
      assert.equal(verifyProof(c.desc, mutateByte(c.proof, byte, 1 + next(255)), c.instances, c.srs), false, `change at byte ${byte} accepted`);
      tried++;
    }
    assert.equal(tried, c.proof.length / 32);
  });

  it("rejects every single changed public value, inputs and outputs (engine agrees)", () => {
    c.instances[0].forEach((v, i) => {
      const changed = [c.instances[0].slice()];
      changed[0][i] = (v + 1n) % FR_MODULUS;
      assert.equal(verifyProof(c.desc, c.proof, changed, c.srs), false, `instance ${i} + 1 accepted`);
      if (i === 0 || i === c.instances[0].length - 1) assert.equal(engineVerify(c.engineKey, c.proof, changed).ok, false);
    });
    const outputs = c.instances[0].slice(c.inputLength);
    const swapped = [[...c.instances[0].slice(0, c.inputLength), ...outputs.slice().reverse()]];
    if (outputs[0] !== outputs[outputs.length - 1]) assert.equal(verifyProof(c.desc, c.proof, swapped, c.srs), false, "reordered outputs accepted");
  });

  it("a description with a halo2 shuffle argument or a challenge (never emitted by EZKL v21) is refused, never verified without it", () => {
    const a = c.desc.cs.adviceQueries.findIndex((q) => q.rotation === 0);
    const q = c.desc.cs.adviceQueries[a];
    const adv: Expr = { t: "advice", query: a, column: q.column, rotation: 0, phase: 0 };
    const withShuffle = { ...c.desc, cs: { ...c.desc.cs, shuffles: [{ inputs: [adv], shuffles: [adv] }] } };
    const withChallenge = { ...c.desc, cs: { ...c.desc.cs, numChallenges: 1, challengePhase: [0] } };
    for (const [what, d] of [["halo2 shuffle", withShuffle], ["challenges", withChallenge]] as const) {
      assert.throws(() => deriveParameters(d.cs), (e: Error) => e instanceof UnsupportedCircuitError && /EZKL v21 never emits/.test(e.message), what);
      assert.throws(() => loadCircuitDescription(JSON.parse(JSON.stringify(d))), UnsupportedCircuitError, what);
      assert.throws(() => encodeArtifact(d, c.srs), /not supported/, what);
      const r = verifyProofDetailed(d, c.proof, c.instances, c.srs);
      assert.equal(r.ok, false, `${what}: a proof verified while the verifier ignored the argument`);
      assert.match((r as { reason: string }).reason, /unsupported circuit/);
    }
  });

  it("the uncompressed-selector key of the same circuit verifies too, and the two keys do not mix", async () => {
    const u = await loadShuffleCircuit({ compressSelectors: false });
    assert.equal(u.desc.compressSelectors, false);
    assert.notEqual(u.desc.vkDigest, c.desc.vkDigest);
    assert.ok(u.desc.cs.lookups.some((l) => l.table.some(usesAdvice)));
    assert.deepEqual(verifyProofDetailed(u.desc, u.proof, u.instances, u.srs), { ok: true });
    assert.equal(engineVerify(u.engineKey, u.proof, u.instances).ok, true);
    const lookupEvals = u.desc.derived.proofSections.find((s) => s.name === "lookup_evals")!;
    const bad = mutateByte(u.proof, lookupEvals.offset + 32 * Math.floor(lookupEvals.count / 2) + 9, 7);
    assert.equal(verifyProof(u.desc, bad, u.instances, u.srs), false);
    assert.equal(engineVerify(u.engineKey, bad, u.instances).ok, false);
    assert.equal(verifyProof(c.desc, u.proof, u.instances, c.srs), false);
    assert.equal(verifyProof(u.desc, c.proof, c.instances, u.srs), false);
  });
});
