/**
 * Worker-thread side of the EnginePool: one WASM engine instance per thread, artifacts cached by key. Proving
 * (seconds of CPU) runs here so the process's event loop (BullMQ lock renewal, HTTP, other queues) never stalls.
 */
import { parentPort } from "node:worker_threads";
import { genWitness, prove, verify } from "../../compiler/engine/engine.js";
import type { EngineRequest, EngineResponse, ThreadArtifacts } from "./enginePool.js";

const artifacts = new Map<string, ThreadArtifacts>();

parentPort!.on("message", (msg: EngineRequest) => {
  const reply = (r: EngineResponse) => parentPort!.postMessage(r);
  try {
    if (msg.artifacts) artifacts.set(msg.key, msg.artifacts);
    const a = artifacts.get(msg.key);
    if (!a) throw new Error(`artifacts ${msg.key} not loaded in this thread`);
    if (msg.op === "prove") {
      if (!a.pk) throw new Error(`artifacts ${msg.key} have no proving key`);
      const t0 = performance.now();
      const w = genWitness(a.compiled, msg.input);
      const t1 = performance.now();
      const proof = prove(w.bytes, a.pk, a.compiled, a.srs);
      const t2 = performance.now();
      reply({ id: msg.id, ok: true, op: "prove", proof, witnessMs: t1 - t0, proveMs: t2 - t1 });
    } else {
      const t0 = performance.now();
      const valid = verify(msg.proofJson, a.vk, a.settings, a.srs);
      reply({ id: msg.id, ok: true, op: "verify", valid, verifyMs: performance.now() - t0 });
    }
  } catch (err) {
    reply({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
