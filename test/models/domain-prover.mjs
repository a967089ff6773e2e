// Test helper (worker thread): proves and verifies a list of inputs against one bundle's files, posting for each
// input whether the proof verified and the witness's fixed-point outputs. One engine instance per worker.
import { parentPort, workerData } from "node:worker_threads";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const E = require("@ezkljs/engine");
const c = (b) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength);
const { compiled, srs, vk, pk, settings, inputs } = workerData;
const results = [];
for (const input of inputs) {
  try {
    const witness = E.genWitness(c(compiled), c(new TextEncoder().encode(JSON.stringify({ input_data: [input] }))));
    const proof = E.prove(c(witness), c(pk), c(compiled), c(srs));
    const ok = E.verify(c(proof), c(vk), c(settings), c(srs)) === true;
    const w = JSON.parse(new TextDecoder().decode(witness));
    const p = JSON.parse(new TextDecoder().decode(proof));
    results.push({ ok, witnessOutputs: w.outputs[0], instances: p.instances[0] });
  } catch (e) {
    results.push({ ok: false, error: String(e && e.message ? e.message : e) });
  }
}
parentPort.postMessage(results);
