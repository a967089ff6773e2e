/**
 * Key generation for a compiled model: verifying and proving keys plus one prove + verify round
 * trip, run in an isolated worker (an under-sized layout traps the WASM). The census sizes the
 * layout exactly, so the first sizing keys; the calibration's alternatives are a safety net.
 */
import { encodeCircuit } from "./circuit/build.js";
import type { CompiledModel } from "./compile.js";
import { verify } from "./engine/engine.js";
import { runIsolated } from "./engine/isolated.js";
import { CompileError } from "./graph/errors.js";
import { splitFlat } from "./graph/ir.js";

export interface KeyedModel {
  /** the compiled model actually keyed (a re-encoding at an alternative sizing if the first trapped) */
  model: CompiledModel;
  srs: Uint8Array;
  vk: Uint8Array;
  pk: Uint8Array;
  proof: Uint8Array;
  witness: Uint8Array;
  timings: { srsMs: number; vkMs: number; pkMs: number; proveMs: number; verifyMs: number };
}

/** Longest a key generation + proof may take (2 hours: a LeNet-5-sized circuit takes minutes on 2 cores). */
const KEYGEN_TIMEOUT_MS = 2 * 60 * 60 * 1000;

export class KeygenError extends CompileError {
  constructor(message: string) {
    super(message);
    this.name = "KeygenError";
  }
}

/** Key `c` on the SRS `srsFor(logrows)` and prove + verify `input`; tries the calibration's alternative sizings if needed. */
export async function keyAndProve(
  c: CompiledModel,
  srsFor: (k: number) => Promise<Uint8Array>,
  input: number[],
  log: (msg: string) => void = () => {},
): Promise<KeyedModel> {
  const failures: string[] = [];
  const sizings = [c.calibration.sizing, ...c.calibration.alternatives];
  for (const [i, sizing] of sizings.entries()) {
    const model: CompiledModel = i === 0 ? c : { ...c, ...encodeCircuit(c.lowered, sizing), calibration: { ...c.calibration, sizing } };
    let t = Date.now();
    const srs = await srsFor(sizing.logrows);
    const srsMs = Date.now() - t;
    log(`generating keys and a proof at logrows ${sizing.logrows} (isolated worker)`);
    // large circuits key and prove for minutes in the single-threaded WASM engine: no short timeout
    const r = await runIsolated("prove", { compiled: model.compiled, srs, input: splitFlat(input, c.lowered.inputs) }, KEYGEN_TIMEOUT_MS);
    if (!r.ok) {
      failures.push(`logrows ${sizing.logrows}, total_assignments ${sizing.totalAssignments}: ${r.error}`);
      log(`keygen at logrows ${sizing.logrows} failed (${r.error}); trying the next sizing`);
      continue;
    }
    t = Date.now();
    const ok = verify(r.proof!, r.vk!, model.settings, srs);
    const verifyMs = Date.now() - t;
    if (!ok) {
      failures.push(`logrows ${sizing.logrows}: the proof did not verify`);
      continue;
    }
    return {
      model, srs, vk: r.vk!, pk: r.pk!, proof: r.proof!, witness: r.witness!,
      timings: { srsMs, vkMs: r.vkMs ?? 0, pkMs: r.pkMs ?? 0, proveMs: r.proveMs ?? 0, verifyMs },
    };
  }
  throw new KeygenError(`the circuit could not be keyed and proved: ${failures.join("; ")}`);
}
