/**
 * One proving measurement in a process of its own (so that its peak memory is its own): start a backend with
 * `provers` threads (WASM) or processes (native), warm each up with one proof, then prove `inputs` and report
 * per-stage times, proofs per second and peak memory as one JSON line on stdout.
 *
 *   node --import tsx bench/lib/proveProbe.ts '<ProbeArgs JSON>'
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { EnginePool } from "../../workers/proofs/enginePool.js";
import { NativePool, type NativeProofStages } from "../../workers/proofs/native/pool.js";
import type { ProveResult, ProvingEngine, ThreadArtifacts } from "../../workers/proofs/provingEngine.js";

export interface ProbeArgs {
  backend: "wasm" | "native";
  files: { compiled: string; settings: string; srs: string; vk: string; pk: string };
  inputs: number[][];
  /** threads (WASM) or processes (native) proving at once */
  provers: number;
  /** native: threads of each process's own pool */
  threadsPerProcess?: number;
  /** native: split each proof into setup / layout / polynomial work from ezkl's log (slightly slower) */
  stageDetail?: boolean;
  python?: string;
  /** one proof per prover before the measured ones (set false for proofs that take minutes) @defaultValue true */
  warmup?: boolean;
  /** a proof running longer fails (the pool kills it) @defaultValue 600_000 */
  taskTimeoutMs?: number;
}

export interface ProbeResult {
  backend: "wasm" | "native";
  provers: number;
  threadsPerProcess?: number;
  /** engine start: WASM compile + instantiate in a thread, or Python + `import ezkl` in a child process */
  engineStartMs: number;
  /** proving-key deserialisation (WASM: pkValidation; native: ezkl's own log), included in proveMs */
  keyLoadMs: number | null;
  witnessMs: number;
  /** one proof (median), key load included */
  proveMs: number;
  /** native with stageDetail: medians of setup / layout / polynomial work */
  stages?: Omit<NativeProofStages, "keyLoadMs">;
  proofs: number;
  wallMs: number;
  proofsPerSecond: number;
  /** peak resident memory of the engine: WASM = process peak minus its size before the engine started;
   *  native = the largest child's peak */
  peakMemoryMB: number;
  proof: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const statusKb = (pid: number | "self", field: "VmHWM" | "VmRSS") => {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) : 0;
};

export async function probe(a: ProbeArgs): Promise<ProbeResult> {
  // Native children read the files themselves (a LeNet-size proving key is over Node's 2 GiB buffer limit).
  const read = (p: string) => (a.backend === "wasm" ? new Uint8Array(readFileSync(p)) : new Uint8Array());
  const artifacts: ThreadArtifacts = { compiled: read(a.files.compiled), settings: read(a.files.settings), srs: read(a.files.srs), vk: read(a.files.vk), pk: read(a.files.pk) };
  const key = "bench";
  const baselineKb = statusKb("self", "VmRSS");
  let engine: ProvingEngine;
  let engineStartMs: number;
  const t0 = performance.now();
  if (a.backend === "native") {
    const pool = await NativePool.start({ python: a.python, processes: a.provers, threadsPerProcess: a.threadsPerProcess, stageDetail: a.stageDetail, taskTimeoutMs: a.taskTimeoutMs });
    engineStartMs = performance.now() - t0;
    pool.useFiles(key, a.files);
    engine = pool;
  } else {
    engine = new EnginePool({ threads: a.provers, taskTimeoutMs: a.taskTimeoutMs });
    engineStartMs = NaN; // measured below, in this thread, once the proofs are done
  }
  try {
    if (a.warmup !== false) await Promise.all(Array.from({ length: a.provers }, () => engine.prove(key, artifacts, a.inputs[0])));
    const t1 = performance.now();
    const results: (ProveResult & { stages?: NativeProofStages })[] = await Promise.all(a.inputs.map((x) => engine.prove(key, artifacts, x)));
    const wallMs = performance.now() - t1;

    let peakMemoryMB: number;
    let keyLoadMs: number | null;
    if (engine instanceof NativePool) {
      peakMemoryMB = Math.max(...engine.pids().map((pid) => statusKb(pid, "VmHWM"))) / 1024;
      const loads = results.flatMap((r) => (r.keyLoadMs === undefined ? [] : [r.keyLoadMs]));
      keyLoadMs = loads.length ? median(loads) : null;
    } else {
      peakMemoryMB = (statusKb("self", "VmHWM") - baselineKb) / 1024;
      const require = createRequire(import.meta.url);
      const t2 = performance.now();
      const wasm = require("@ezkljs/engine");
      engineStartMs = performance.now() - t2;
      const t3 = performance.now();
      const u8c = (b: Uint8Array) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength);
      if (wasm.pkValidation(u8c(artifacts.pk!), u8c(artifacts.settings)) !== true) throw new Error("the engine could not read the proving key");
      keyLoadMs = performance.now() - t3;
    }
    const withStages = results.filter((r) => r.stages);
    return {
      backend: a.backend,
      provers: a.provers,
      threadsPerProcess: engine instanceof NativePool ? engine.threadsPerProcess : undefined,
      engineStartMs,
      keyLoadMs,
      witnessMs: median(results.map((r) => r.witnessMs)),
      proveMs: median(results.map((r) => r.proveMs)),
      stages: withStages.length
        ? { setupMs: median(withStages.map((r) => r.stages!.setupMs)), layoutMs: median(withStages.map((r) => r.stages!.layoutMs)), polyMs: median(withStages.map((r) => r.stages!.polyMs)) }
        : undefined,
      proofs: results.length,
      wallMs,
      proofsPerSecond: (results.length * 1000) / wallMs,
      peakMemoryMB,
      proof: new TextDecoder().decode(results[0].proof),
    };
  } finally {
    await engine.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await probe(JSON.parse(process.argv[2]) as ProbeArgs);
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
