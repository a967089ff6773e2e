import { commonShape, rpcBatchShape } from "./common.js";
import { bool, int, privateKeys } from "./fields.js";
import { parseEnv } from "./parse.js";

export const senderShape = {
  ...commonShape,
  ...rpcBatchShape,
  /** Comma-separated keys of the executor nodes this process sends for (one nonce queue per key). */
  SENDER_PRIVATE_KEYS: privateKeys(),
  /** Results gathered into one submitResults transaction at most (a batch above SENDER_BATCH_MAX_GAS is split). */
  SENDER_BATCH_MAX_SIZE: int(1, 500, 100),
  /** How long the first ready result waits for others before its batch is sent. 0 adds no latency and still batches
   * under load: results gather while the key's previous batch is on its way (SENDER_MAX_IN_FLIGHT). */
  SENDER_BATCH_MAX_WAIT_MS: int(0, 60_000, 0),
  /** Result transactions of one key on their way at once (sent, receipt pending); later results gather meanwhile. */
  SENDER_MAX_IN_FLIGHT: int(1, 64, 1),
  /** Gas limit of one result transaction at most: a batch above it is split (never above the block gas limit). */
  SENDER_BATCH_MAX_GAS: int(100_000, 1_000_000_000, 15_000_000),
  /** Without a receipt after this long the transaction is re-sent with bumped fees (same nonce). */
  SENDER_RECEIPT_TIMEOUT_MS: int(500, 3_600_000, 30_000),
  SENDER_FEE_BUMP_PERCENT: int(10, 1000, 20),
  SENDER_MAX_RESENDS: int(0, 100, 5),
  /** Submission jobs held at once (upper bound on a batch's size across all keys). */
  SENDER_CONCURRENCY: int(1, 10_000, 64),
  SENDER_LOCK_DURATION_MS: int(1000, 3_600_000, 60_000),
  SENDER_STALLED_INTERVAL_MS: int(500, 3_600_000, 30_000),
  /** Fault injection for tests only: SIGKILL this process right after its first result transaction is mined,
   * before the job is recorded (the crash the on-chain check before re-sending exists for). */
  SENDER_FAULT_CRASH_AFTER_SEND: bool(false),
};

export type SenderConfig = ReturnType<typeof loadSenderConfig>;
export const loadSenderConfig = (env: NodeJS.ProcessEnv = process.env) => parseEnv("sender", senderShape, env);
