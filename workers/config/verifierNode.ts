import { z } from "zod";
import { address, bool, int, privateKeys } from "./fields.js";
import { commonShape } from "./common.js";
import { dirList, logLookupShape, pickInstanceKey } from "./proofPath.js";
import { parseEnv } from "./parse.js";

export const verifierNodeShape = {
  ...commonShape,
  ...logLookupShape,
  MODEL_REGISTRY_ADDRESS: address(),
  /** Key of this verification node (registered with verifier stake); it signs attestations and sends them.
   * A comma-separated list gives pm2 instance i the i-th key. */
  VERIFIER_PRIVATE_KEY: privateKeys(),
  /** Folders with model bundles (vk, settings, SRS; no proving key needed). */
  BUNDLE_DIRS: dirList(),
  /** engine: @ezkljs/engine verify; ts: the project's TypeScript Halo2 verifier (halo2/); both: both must accept. */
  VERIFIER_BACKEND: z.enum(["engine", "ts", "both"], { errorMap: () => ({ message: "must be engine, ts or both" }) }).default("engine"),
  VERIFIER_THREADS: int(1, 64, 1),
  VERIFIER_CONCURRENCY: int(1, 1000, 4),
  /** Blocks a ProofSubmitted event must be buried under before it is verified. */
  VERIFIER_CONFIRMATIONS: int(0, 1000, 2),
  /** First block to scan when this node has no checkpoint. */
  VERIFIER_START_BLOCK: int(0, Number.MAX_SAFE_INTEGER, 0),
  VERIFIER_PAGE_SIZE: int(1, 100_000, 2000),
  /** Recent block hashes the follower keeps to find the fork point after a reorg. */
  VERIFIER_REORG_WINDOW: int(1, 100_000, 64),
  VERIFIER_POLL_INTERVAL_MS: int(10, 600_000, 1000),
  /** Warn when proofs wait for confirmations while the head has not moved for this long (0: never). */
  CONFIRMATION_STALL_WARN_MS: int(0, 86_400_000, 30_000),
  /** Attestations gathered into one submitAttestations transaction at most. */
  VERIFIER_BATCH_MAX_SIZE: int(1, 500, 16),
  VERIFIER_BATCH_MAX_WAIT_MS: int(0, 60_000, 50),
  VERIFIER_LOCK_DURATION_MS: int(1000, 3_600_000, 60_000),
  VERIFIER_STALLED_INTERVAL_MS: int(500, 3_600_000, 30_000),
  VERIFIER_MAX_ATTEMPTS: int(1, 100, 6),
  VERIFIER_BACKOFF_MS: int(10, 3_600_000, 1000),
  /** Claim this node's share of the verifier reward once a request it attested settles. */
  VERIFIER_CLAIM_REWARDS: bool(true),
};

export type VerifierNodeConfig = ReturnType<typeof loadVerifierNodeConfig>;
export const loadVerifierNodeConfig = (env: NodeJS.ProcessEnv = process.env) => {
  const c = parseEnv("verifier-node", verifierNodeShape, env);
  return Object.freeze({ ...c, VERIFIER_PRIVATE_KEY: pickInstanceKey("verifier-node", "VERIFIER_PRIVATE_KEY", c.VERIFIER_PRIVATE_KEY, env) });
};
