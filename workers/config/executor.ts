import { z } from "zod";
import { address, int } from "./fields.js";
import { commonShape, rpcBatchShape } from "./common.js";
import { parseEnv } from "./parse.js";

export const executorShape = {
  ...commonShape,
  ...rpcBatchShape,
  MODEL_REGISTRY_ADDRESS: address(),
  /** Folder of ONNX files (<keccak256>.onnx) and/or model bundles (folders with manifest.json). */
  MODEL_STORE_DIR: z.string({ required_error: "required" }).min(1),
  /** Jobs processed at once by this process. */
  EXECUTOR_CONCURRENCY: int(1, 1000, 4),
  /** compiled circuits kept loaded (least recently used evicted); the name predates the witness executor. */
  EXECUTOR_SESSION_CACHE: int(1, 1000, 16),
  /** BullMQ lock: a job whose worker stops renewing it for this long is recovered by another worker. */
  EXECUTOR_LOCK_DURATION_MS: int(1000, 3_600_000, 30_000),
  EXECUTOR_STALLED_INTERVAL_MS: int(500, 3_600_000, 30_000),
  /** Fault injection for tests only: sleep this long before running the model (lets a test kill a worker mid-job). */
  EXECUTOR_FAULT_DELAY_MS: int(0, 600_000, 0),
  /** Fault injection for tests only (a dishonest executor): add this many fixed-point units to output[0]. */
  EXECUTOR_FAULT_OUTPUT_OFFSET: int(-1_000_000, 1_000_000, 0),
};

export type ExecutorConfig = ReturnType<typeof loadExecutorConfig>;
export const loadExecutorConfig = (env: NodeJS.ProcessEnv = process.env) => parseEnv("executor", executorShape, env);
