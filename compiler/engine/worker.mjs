// One isolated engine call per worker: a WASM trap ("unreachable") kills only this worker's instance.
import { parentPort, workerData } from "node:worker_threads";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const E = require("@ezkljs/engine");
const c = (b) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength);
const { task, compiled, srs, input, inputs, compress } = workerData;
// one flat array (a single model input) or one array per model input
const data = (x) => new TextEncoder().encode(JSON.stringify({ input_data: Array.isArray(x[0]) ? x : [x] }));
const t0 = Date.now();
try {
  const res = {};
  if (task === "witnesses") {
    res.witnesses = inputs.map((x) => E.genWitness(c(compiled), c(data(x))));
  }
  if (task === "witness" || task === "prove") {
    const w = E.genWitness(c(compiled), c(data(input)));
    res.witness = w;
  }
  if (task === "vk" || task === "prove") {
    res.vk = E.genVk(c(compiled), c(srs), compress);
    res.vkMs = Date.now() - t0;
  }
  if (task === "prove") {
    const t1 = Date.now();
    res.pk = E.genPk(c(res.vk), c(compiled), c(srs));
    res.pkMs = Date.now() - t1;
    const t2 = Date.now();
    res.proof = E.prove(c(res.witness), c(res.pk), c(compiled), c(srs));
    res.proveMs = Date.now() - t2;
  }
  parentPort.postMessage({ ok: true, res });
} catch (e) {
  parentPort.postMessage({ ok: false, error: String(e && e.message ? e.message : e), trap: e instanceof WebAssembly.RuntimeError });
}
