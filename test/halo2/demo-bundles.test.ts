// The project's own demo bundles (models/ + compiler/): describe each circuit, prove one input with the engine,
// and check that the TS verifier agrees with the engine.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { loadBundle } from "../../compiler/bundle.js";
import { bundleFiles, describeBundle } from "../../halo2/circuit/describe.js";
import { readSrsVerifierParams } from "../../halo2/circuit/encoding.js";
import { verifyProof, verifyProofDetailed } from "../../halo2/verify/verifier.js";
import { instancesFromProofJson } from "../../halo2/verify/instances.js";
import { DEMO_MODEL_NAMES, ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { cachedEngineProof, engineVerify } from "../../testkit/halo2/engine.js";

const names = (process.env.HALO2_DEMO_MODELS ?? "iris-mlp,iris-deep,iris-cnn").split(",").filter((n) => (DEMO_MODEL_NAMES as readonly string[]).includes(n));
const skip = names.length === 0 ? `HALO2_DEMO_MODELS names none of ${DEMO_MODEL_NAMES.join(", ")}` : false;

for (const name of names.length ? names : ["iris-mlp"]) {
  describe(`demo bundle ${name}: TS verifier vs engine`, { skip, timeout: 600_000 }, () => {
    it("describes the circuit, and both verifiers accept a fresh proof and reject a mutated one", async () => {
      const { dir } = await ensureDemoBundle(name);
      const files = bundleFiles(dir);
      const read = (f: keyof typeof files) => new Uint8Array(fs.readFileSync(files[f]));
      const desc = await describeBundle(dir);
      assert.equal(desc.checks.commitmentsMatchVk, true);
      const input = JSON.stringify({ input_data: [exampleInputs(name, 1)[0]] });
      const vk = read("vk");
      const vkTag = Buffer.from(vk.subarray(7, 15)).toString("hex");
      const pj = cachedEngineProof(`${name}-${vkTag}`, read("compiled"), read("srs"), vk, input, () => loadBundle(dir, { requirePk: true }).read("pk")!);
      const proof = Uint8Array.from(pj.proof as number[]);
      assert.equal(proof.length, desc.derived.proofLength);
      const inst = instancesFromProofJson(pj);
      const srs = readSrsVerifierParams(read("srs"));
      assert.deepEqual(verifyProofDetailed(desc, proof, inst, srs), { ok: true });
      const key = { vk, settings: read("settings"), srs: read("srs"), proofJsonTemplate: pj };
      assert.equal(engineVerify(key, proof, inst).ok, true);
      const bad = proof.slice();
      bad[desc.derived.proofSections.find((s) => s.name === "advice_evals")!.offset + 3] ^= 4;
      assert.equal(verifyProof(desc, bad, inst, srs), false);
      assert.equal(engineVerify(key, bad, inst).ok, false);
      const changed = inst.map((c) => c.slice());
      changed[0][0] = changed[0][0] + 1n;
      assert.equal(verifyProof(desc, proof, changed, srs), false);
    });
  });
}
