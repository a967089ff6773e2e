import { z } from "zod";
import { address, bool, int, privateKeys } from "./fields.js";
import { commonShape } from "./common.js";
import { dirList, logLookupShape, pickInstanceKey } from "./proofPath.js";
import { parseEnv } from "./parse.js";

export const proverShape = {
  ...commonShape,
  ...logLookupShape,
  MODEL_REGISTRY_ADDRESS: address(),
  /** Key of this prover node (registered with prover stake); one prover process per key (it owns the nonces).
   * A comma-separated list gives pm2 instance i the i-th key. */
  PROVER_PRIVATE_KEY: privateKeys(),
  /** Folders with model bundles (see workers/proofs/bundles.ts). A bundle shipped without pk.key gets its key
   * derived at start into PROVING_KEY_CACHE_DIR (compiler/provingKey.ts). */
  BUNDLE_DIRS: dirList(),
  /** Where proving keys missing from bundles are derived to (a copy of the bundle per manifest hash). */
  PROVING_KEY_CACHE_DIR: z.string().min(1).default(".twinpath/keys"),
  /** Where proofs are kept, content-addressed (<keccak256>.proof), and served from GET /proofs/<hash>. */
  PROOF_STORE_DIR: z.string({ required_error: "required" }).min(1),
  /** Worker threads proving in parallel (each one proof at a time, ~1 core each). */
  PROVER_THREADS: int(1, 64, 1),
  /** Prove jobs held at once (extra ones wait for a free thread); 0 means PROVER_THREADS. @defaultValue 0 */
  PROVER_CONCURRENCY: int(0, 1000, 0),
  /** BullMQ lock: a job whose process dies is taken over by another prover after this long. */
  PROVER_LOCK_DURATION_MS: int(1000, 3_600_000, 60_000),
  PROVER_STALLED_INTERVAL_MS: int(500, 3_600_000, 30_000),
  PROVER_MAX_ATTEMPTS: int(1, 100, 5),
  PROVER_BACKOFF_MS: int(10, 3_600_000, 2000),
  /** A proof taking longer than this kills its thread and the attempt fails. */
  PROVER_TASK_TIMEOUT_MS: int(1000, 86_400_000, 600_000),
  /** OPTIMISTIC models: settle unchallenged results once their window closes (settleUnchallenged). */
  PROVER_SETTLE_OPTIMISTIC: bool(true),
  /** Scheduling priority (nice, 0-19) of the prover process and its proving threads: on a machine shared with
   * execution workers, proving yields the CPU to the fast path. */
  PROVER_NICE: int(0, 19, 10),
  /** Fault injection for tests only: sleep this long before proving (lets a test kill a prover mid-proof). */
  PROVER_FAULT_DELAY_MS: int(0, 600_000, 0),
};

export type ProverConfig = ReturnType<typeof loadProverConfig>;
export const loadProverConfig = (env: NodeJS.ProcessEnv = process.env) => {
  const c = parseEnv("prover", proverShape, env);
  const key = pickInstanceKey("prover", "PROVER_PRIVATE_KEY", c.PROVER_PRIVATE_KEY, env);
  return Object.freeze({ ...c, PROVER_PRIVATE_KEY: key, PROVER_CONCURRENCY: c.PROVER_CONCURRENCY || c.PROVER_THREADS });
};
