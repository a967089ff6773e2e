// A circuit built by the project's own compiler (models/iris-mlp ONNX -> compiler/ -> engine), proved by the engine,
// described by describeCircuit and verified by the TS verifier. Skips when the compiler API is not usable.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describeCircuit } from "../../halo2/circuit/describe.js";
import { readSrsVerifierParams } from "../../halo2/circuit/encoding.js";
import { verifyProof, verifyProofDetailed } from "../../halo2/verify/verifier.js";
import { instancesFromProofJson } from "../../halo2/verify/instances.js";
import { cachedEngineProof, engineVerify, getEngine, writeAtomic } from "../../testkit/halo2/engine.js";

const CACHE = path.resolve(".twinpath/halo2");

async function buildIrisCircuit(): Promise<{ compiled: Uint8Array; settings: Uint8Array; srs: Uint8Array; input: string }> {
  const { readOnnxModel } = await import("../../compiler/onnx/read.js");
  const { lowerGraph } = await import("../../compiler/graph/lower.js");
  const { encodeCircuit } = await import("../../compiler/circuit/build.js");
  const { generateDevSrs } = await import("../../compiler/srs/srs.js");
  const { exampleInputs, demoModelPath } = await import("../../models/index.js");
  const graph = readOnnxModel(new Uint8Array(fs.readFileSync(demoModelPath("iris-mlp"))));
  const m = lowerGraph(graph, { inputScale: 7, paramScale: 7 });
  const sizing = { logrows: 10, totalAssignments: 3000, totalConstSize: 200, lookupRange: [-32768, 32768] as [number, number], decompBase: 128, decompLegs: 2, numInnerCols: 2 };
  const { compiled, settings } = encodeCircuit(m, sizing);
  const srsFile = path.join(CACHE, "dev_k10_halo2-test.srs");
  let srs: Uint8Array;
  if (fs.existsSync(srsFile)) srs = new Uint8Array(fs.readFileSync(srsFile));
  else {
    srs = await generateDevSrs(10, { seed: "halo2-test" });
    writeAtomic(srsFile, srs);
  }
  return { compiled, settings, srs, input: JSON.stringify({ input_data: [exampleInputs("iris-mlp", 1)[0]] }) };
}

describe("compiler-built iris-mlp circuit: describe, prove, verify", { timeout: 300_000 }, () => {
  it("the TS verifier agrees with the engine on a fresh proof and rejects mutations", async (t) => {
    let built;
    try {
      built = await buildIrisCircuit();
    } catch (e) {
      t.skip(`compiler/models API not usable here: ${(e as Error).message}`);
      return;
    }
    const { compiled, settings, srs, input } = built;
    const clamp = (b: Uint8Array) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength);
    const tag = createHash("sha256").update(compiled).update(srs).digest("hex").slice(0, 16);
    const vkFile = path.join(CACHE, `iris-${tag}.vk`);
    let vk: Uint8Array;
    if (fs.existsSync(vkFile)) vk = new Uint8Array(fs.readFileSync(vkFile));
    else {
      vk = new Uint8Array(getEngine().genVk(clamp(compiled), clamp(srs), true));
      writeAtomic(vkFile, vk);
    }
    const pj = cachedEngineProof(`iris-${tag}`, compiled, srs, vk, input);
    const proof = Uint8Array.from(pj.proof as number[]);
    const inst = instancesFromProofJson(pj);
    const desc = await describeCircuit({ compiled, settings, srs, vk, proof: pj as { proof: number[] } });
    assert.deepEqual(desc.checks, { commitmentsMatchVk: true, vkLengthMatches: true, digestInEngineMemory: true, proofLengthMatches: true });
    assert.deepEqual(desc.instanceCounts, [7]); // 4 inputs + 3 logits, all public
    const g = readSrsVerifierParams(srs);
    assert.deepEqual(verifyProofDetailed(desc, proof, inst, g), { ok: true });
    const key = { vk, settings, srs, proofJsonTemplate: pj };
    assert.equal(engineVerify(key, proof, inst).ok, true);
    for (const sec of desc.derived.proofSections) {
      const bad = proof.slice();
      bad[sec.offset + 17] ^= 0x10;
      assert.equal(verifyProof(desc, bad, inst, g), false, `flip in ${sec.name} accepted`);
    }
    const changed = inst.map((c) => c.slice());
    changed[0][6] += 1n;
    assert.equal(verifyProof(desc, proof, changed, g), false);
    assert.equal(engineVerify(key, proof, changed).ok, false);
  });
});
