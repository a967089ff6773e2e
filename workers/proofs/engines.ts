import type { Logger } from "../shared/logger.js";
import { ConfigError } from "../shared/errors.js";
import { EnginePool } from "./enginePool.js";
import { NativeEzklUnavailableError } from "./native/child.js";
import { NativePool } from "./native/pool.js";
import type { ProverBackend, ProvingEngine } from "./provingEngine.js";

export interface ProvingEngineOptions {
  backend: ProverBackend;
  /** proofs in parallel: threads (wasm) or processes (native) */
  parallel: number;
  /** native: threads per process; 0 = cores / parallel */
  nativeThreads?: number;
  /** native: Python interpreter with ezkl==21.0.0 */
  python?: string;
  taskTimeoutMs?: number;
  /** native, tests only: pause inside every prove request */
  faultPauseMs?: number;
  logger?: Logger;
}

/**
 * Starts the prover's EZKL engine. A native backend that cannot start (no Python, no `ezkl`, another version) is a
 * configuration error (exit code 78) naming PROVER_BACKEND and the install command, before any job is taken.
 */
export async function startProvingEngine(o: ProvingEngineOptions): Promise<ProvingEngine> {
  if (o.backend === "wasm") return new EnginePool({ threads: o.parallel, taskTimeoutMs: o.taskTimeoutMs });
  try {
    return await NativePool.start({ python: o.python, processes: o.parallel, threadsPerProcess: o.nativeThreads || undefined, taskTimeoutMs: o.taskTimeoutMs, faultPauseMs: o.faultPauseMs, logger: o.logger });
  } catch (err) {
    if (err instanceof NativeEzklUnavailableError) {
      throw new ConfigError("prover", [{ variable: "PROVER_BACKEND", message: `native: ${err.shortMessage}. ${err.details ?? ""}`.trim() }]);
    }
    throw err;
  }
}
