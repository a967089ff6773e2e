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
  /**
   * The base URL verification nodes fetch this prover's ZKML_ATTESTED proofs from (`<url>/proofs/<hash>`, the role's
   * HTTP server), carried in each commitment. Default: http://METRICS_HOST:<the server's port>, which only works
   * where the nodes can reach that address (a local stack); set it to the public address elsewhere.
   */
  PROVER_PROOF_STORE_URL: z
    .string()
    .optional()
    .refine((u) => u === undefined || (/^https?:\/\/[^/]/.test(u) && u.length <= 256), "must be an http(s) URL of at most 256 characters"),
  /** Which EZKL proves: `wasm` (@ezkljs/engine in worker threads, the embedded default) or `native` (the Python
   * package ezkl==21.0.0 in long-lived child processes, ~5-25x faster; one extra install step:
   * `python3 -m pip install --require-hashes -r workers/proofs/native/requirements.txt`). */
  PROVER_BACKEND: z.enum(["wasm", "native"], { errorMap: () => ({ message: "must be wasm or native" }) }).default("wasm"),
  /** Proofs in parallel: worker threads (wasm) or child processes (native), each one proof at a time. */
  PROVER_THREADS: int(1, 64, 1),
  /** native: Python interpreter that has ezkl==21.0.0. */
  PROVER_PYTHON: z.string().min(1).default("python3"),
  /** native: threads of each proving process's own pool; 0 = the machine's cores / PROVER_THREADS (measured best
   * on 2 cores: PROVER_THREADS=1 gives one process with 2 threads, the lowest latency; PROVER_THREADS=2 gives two
   * single-threaded processes, the highest throughput). */
  PROVER_NATIVE_THREADS: int(0, 256, 0),
  /** Prove jobs held at once (extra ones wait for a free thread); 0 means PROVER_THREADS. @defaultValue 0 */
  PROVER_CONCURRENCY: int(0, 1000, 0),
  /** Batch versions (ModelSpec.batch = N): how long the first request of a batch waits for up to N - 1 others before
   * a partial batch is proved (workers/prover/proofBatches.ts). Each waiting request holds a prove job, so
   * PROVER_CONCURRENCY must be at least N for full batches. */
  PROVER_BATCH_WAIT_MS: int(0, 3_600_000, 2000),
  /** Batch versions: requests waiting per version at most; more are sent back to the queue to come again later. */
  PROVER_BATCH_QUEUE: int(1, 100_000, 256),
  /** Batch versions: the consumers' callback gas (each request's callbackGasLimit) one batch transaction may carry; a
   * batch over it is split into several proofs, so large callbacks cannot push it past the block gas limit. */
  PROVER_BATCH_MAX_CALLBACK_GAS: int(1, 1_000_000_000, 15_000_000),
  /** BullMQ lock: a job whose process dies is taken over by another prover after this long. */
  PROVER_LOCK_DURATION_MS: int(1000, 3_600_000, 60_000),
  PROVER_STALLED_INTERVAL_MS: int(500, 3_600_000, 30_000),
  PROVER_MAX_ATTEMPTS: int(1, 100, 5),
  PROVER_BACKOFF_MS: int(10, 3_600_000, 2000),
  /** How often a prove job waiting for this prover's window asks again (the hub draws one prover per window of
   * `proverWindow` seconds: keep this well under it). */
  PROVER_WINDOW_POLL_MS: int(100, 600_000, 3000),
  /** A proof taking longer than this kills its thread and the attempt fails. */
  PROVER_TASK_TIMEOUT_MS: int(1000, 86_400_000, 600_000),
  /** OPTIMISTIC models: settle unchallenged results once their window closes (settleUnchallenged). */
  PROVER_SETTLE_OPTIMISTIC: bool(true),
  /** Scheduling priority (nice, 0-19) of the prover process and its proving threads: on a machine shared with
   * execution workers, proving yields the CPU to the fast path. */
  PROVER_NICE: int(0, 19, 10),
  /** Fault injection for tests only: sleep this long before proving (lets a test kill a prover mid-proof). */
  PROVER_FAULT_DELAY_MS: int(0, 600_000, 0),
  /** Fault injection for tests only (native): each native EZKL process pauses this long inside every proof (lets a
   * test kill the child process mid-proof). */
  PROVER_FAULT_NATIVE_PAUSE_MS: int(0, 600_000, 0),
};

export type ProverConfig = ReturnType<typeof loadProverConfig>;
export const loadProverConfig = (env: NodeJS.ProcessEnv = process.env) => {
  const c = parseEnv("prover", proverShape, env);
  const key = pickInstanceKey("prover", "PROVER_PRIVATE_KEY", c.PROVER_PRIVATE_KEY, env);
  return Object.freeze({ ...c, PROVER_PRIVATE_KEY: key, PROVER_CONCURRENCY: c.PROVER_CONCURRENCY || c.PROVER_THREADS });
};
