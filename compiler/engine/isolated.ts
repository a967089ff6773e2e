/**
 * Run trap-prone engine calls (genVk/genPk/prove on trial settings) in a fresh worker thread, so a
 * WASM trap becomes an error value instead of a dead engine instance or a crashed process.
 */
import { Worker } from "node:worker_threads";

export interface IsolatedResult {
  ok: boolean;
  error?: string;
  trap?: boolean;
  witness?: Uint8Array;
  witnesses?: Uint8Array[];
  vk?: Uint8Array;
  pk?: Uint8Array;
  proof?: Uint8Array;
  vkMs?: number;
  pkMs?: number;
  proveMs?: number;
}

export function runIsolated(
  task: "witness" | "witnesses" | "vk" | "prove",
  args: { compiled: Uint8Array; srs?: Uint8Array; input?: number[] | number[][]; inputs?: (number[] | number[][])[]; compress?: boolean },
  timeoutMs = 300_000,
): Promise<IsolatedResult> {
  return new Promise((resolve) => {
    const w = new Worker(new URL("./worker.mjs", import.meta.url), {
      workerData: { task, compiled: args.compiled, srs: args.srs, input: args.input, inputs: args.inputs, compress: args.compress ?? true },
    });
    const timer = setTimeout(() => {
      void w.terminate();
      resolve({ ok: false, error: `engine ${task} timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    w.once("message", (m) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(m.ok ? { ok: true, ...m.res } : { ok: false, error: m.error, trap: m.trap });
    });
    w.once("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `engine worker crashed: ${e.message}` });
    });
    w.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `engine worker exited with code ${code}` });
    });
  });
}
