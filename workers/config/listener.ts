import { commonShape, rpcBatchShape } from "./common.js";
import { int } from "./fields.js";
import { parseEnv } from "./parse.js";

export const listenerShape = {
  ...commonShape,
  ...rpcBatchShape,
  /** Blocks a request must be buried under before it is enqueued (0 on a local dev chain). */
  LISTENER_CONFIRMATIONS: int(0, 1000, 2),
  /** First block to scan when no checkpoint exists (the hub's deployment block is a good value). */
  LISTENER_START_BLOCK: int(0, Number.MAX_SAFE_INTEGER, 0),
  /** Max blocks per eth_getLogs call while catching up. */
  LISTENER_PAGE_SIZE: int(1, 100_000, 2000),
  /** Execute jobs waiting for an executor at most before the listener holds off reading new blocks (0: no bound):
   * back-pressure that keeps Redis bounded when executors fall behind; the chain keeps the requests meanwhile. */
  LISTENER_MAX_BACKLOG: int(0, 100_000_000, 10_000),
  LISTENER_POLL_INTERVAL_MS: int(10, 600_000, 1000),
  /** How many recent block hashes to remember for reorg detection (>= the deepest reorg you expect). */
  LISTENER_REORG_WINDOW: int(1, 10_000, 64),
  /** Warn when requests wait for confirmations while the head has not moved for this long (0: never). */
  CONFIRMATION_STALL_WARN_MS: int(0, 86_400_000, 30_000),
};

export type ListenerConfig = ReturnType<typeof loadListenerConfig>;
export const loadListenerConfig = (env: NodeJS.ProcessEnv = process.env) => parseEnv("listener", listenerShape, env);
