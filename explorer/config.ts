import { z } from "zod";
import { commonShape } from "../workers/config/common.js";
import { address, int, url } from "../workers/config/fields.js";
import { parseEnv } from "../workers/config/parse.js";

/** Class labels per model id, JSON: {"1": ["setosa", "versicolor", "virginica"]} (the page decodes answers with them). */
const labels = () =>
  z
    .string()
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().regex(/^\d+$/, "keys are model ids"), z.array(z.string()).min(1)))
    .optional();

export const explorerShape = {
  REDIS_URL: commonShape.REDIS_URL,
  RPC_URL: commonShape.RPC_URL,
  CHAIN_ID: commonShape.CHAIN_ID,
  HUB_ADDRESS: commonShape.HUB_ADDRESS,
  QUEUE_PREFIX: commonShape.QUEUE_PREFIX,
  LOG_LEVEL: commonShape.LOG_LEVEL,
  MODEL_REGISTRY_ADDRESS: address(),
  NODE_REGISTRY_ADDRESS: address(),
  /** Port of the explorer (the page at /explorer/, its JSON API, /health and /metrics); 0 picks a free one (logged). */
  EXPLORER_PORT: int(0, 65535, 8090),
  /** Interface to bind; 0.0.0.0 to open it to the network. */
  EXPLORER_HOST: z.string().default("127.0.0.1"),
  /** First block to index (the hub's deployment block). */
  EXPLORER_START_BLOCK: int(0, Number.MAX_SAFE_INTEGER, 0),
  /** How often the explorer reads new blocks, and how often the page refreshes. */
  EXPLORER_POLL_INTERVAL_MS: int(50, 600_000, 1000),
  /** Requests kept in memory (the newest); model statistics cover these. */
  EXPLORER_MAX_REQUESTS: int(10, 1_000_000, 5000),
  /** JSON-RPC URL the page's own chain reads use (a public endpoint: it is sent to browsers). Unset: the page reads the chain only through the explorer's API. */
  EXPLORER_PUBLIC_RPC_URL: url(["http", "https"]).optional(),
  EXPLORER_MODEL_LABELS: labels(),
};

export type ExplorerConfig = ReturnType<typeof loadExplorerConfig>;
export const loadExplorerConfig = (env: NodeJS.ProcessEnv = process.env) => parseEnv("explorer", explorerShape, env);
