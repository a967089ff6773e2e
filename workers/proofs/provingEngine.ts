/**
 * What the prover (and the bench) needs of an EZKL engine, whichever backend runs it: the embedded WASM engine
 * in worker threads (`EnginePool`, the default) or native EZKL in child processes (`NativePool`,
 * PROVER_BACKEND=native). Both fail a task whose thread or process dies with ProvingError, replace it, and keep
 * going; the caller's job retries.
 */

/** The artifacts of one model (bytes are handed to a thread or written for a child process once per key). */
export interface ThreadArtifacts {
  compiled: Uint8Array;
  settings: Uint8Array;
  srs: Uint8Array;
  vk: Uint8Array;
  pk?: Uint8Array;
}

export interface ProveResult {
  /** the engine's proof JSON bytes (the same format from both backends) */
  proof: Uint8Array;
  witnessMs: number;
  /** proving, including deserialising the proving key */
  proveMs: number;
  /** deserialising the proving key, when the backend can tell (native) */
  keyLoadMs?: number;
}

export type ProverBackend = "wasm" | "native";

export interface ProvingEngine {
  readonly backend: ProverBackend;
  /** proofs that can run at once (threads or processes) */
  readonly parallelism: number;
  /** tasks waiting plus running */
  readonly pending: number;
  prove(key: string, artifacts: ThreadArtifacts, input: number[]): Promise<ProveResult>;
  /** true iff the engine verifies `proofJson` against the artifacts' vk, settings and SRS */
  verify(key: string, artifacts: ThreadArtifacts, proofJson: Uint8Array): Promise<{ valid: boolean; verifyMs: number }>;
  close(): Promise<void>;
  /** what the start-up log line shows about the engine (threads, processes, versions) */
  describe(): Record<string, unknown>;
}
