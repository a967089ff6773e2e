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
  /** Verify jobs at once (verification itself runs on VERIFIER_THREADS). The jobs of a batch proof's requests share
   * one verification and one vote, and each holds its slot until its settlement is mined: at least the batch size
   * lets the deciding node settle a whole batch with one settleMany. */
  VERIFIER_CONCURRENCY: int(1, 1000, 16),
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
  /**
   * batch: one EIP-712 signature over a Merkle root of each batch of verdicts (submitAttestationBatch), settled with
   * settleMany; single: each verdict signed alone (submitAttestations) and settled with one settle per request (the
   * per-request path, for comparison).
   */
  VERIFIER_ATTESTATION_MODE: z.enum(["batch", "single"], { errorMap: () => ({ message: "must be batch or single" }) }).default("batch"),
  /** Verdicts per vote transaction (and requests per settleMany) at most: bounds each transaction's gas. */
  VERIFIER_BATCH_MAX_SIZE: int(1, 200, 16),
  /** How long the first verdict of a batch waits for others (ms). */
  VERIFIER_BATCH_MAX_WAIT_MS: int(0, 60_000, 50),
  /**
   * Who settles a decided round: the node whose vote decided the quorum settles at once; every other voter checks
   * again after this long (plus a stagger by its place in the vote order, up to as much again) and settles only if
   * the request still waits (the designated settler went silent). A few blocks of the chain, more than a settlement
   * takes to be mined; 0: the fallbacks check at once (duplicate settlements, as without the rule).
   */
  VERIFIER_SETTLE_GRACE_MS: int(0, 3_600_000, 15_000),
  VERIFIER_LOCK_DURATION_MS: int(1000, 3_600_000, 60_000),
  VERIFIER_STALLED_INTERVAL_MS: int(500, 3_600_000, 30_000),
  VERIFIER_MAX_ATTEMPTS: int(1, 100, 6),
  VERIFIER_BACKOFF_MS: int(10, 3_600_000, 1000),
  /**
   * Fetching ZKML_ATTESTED proof bytes from the prover's proof store (by hash, hash-checked): per-request timeout,
   * rounds over the sources, first backoff (doubled each round), size cap. The node also gives up at half of the
   * round's remaining window, then votes invalid (bytes it could not fetch are a proof it cannot check).
   */
  VERIFIER_FETCH_TIMEOUT_MS: int(100, 600_000, 5000),
  VERIFIER_FETCH_ATTEMPTS: int(1, 100, 5),
  VERIFIER_FETCH_BACKOFF_MS: int(0, 600_000, 1000),
  VERIFIER_PROOF_MAX_BYTES: int(1024, 1024 * 1024 * 1024, 16 * 1024 * 1024),
  /** Further proof stores (comma-separated base URLs, e.g. a mirror the operators share) tried after the prover's. */
  VERIFIER_PROOF_SOURCES: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .refine((urls) => urls.every((u) => /^https?:\/\/[^/]/.test(u)), "must be comma-separated http(s) URLs"),
  /** Claim this node's share of the verifier reward once a request it attested settles. */
  VERIFIER_CLAIM_REWARDS: bool(true),
};

export type VerifierNodeConfig = ReturnType<typeof loadVerifierNodeConfig>;
export const loadVerifierNodeConfig = (env: NodeJS.ProcessEnv = process.env) => {
  const c = parseEnv("verifier-node", verifierNodeShape, env);
  return Object.freeze({ ...c, VERIFIER_PRIVATE_KEY: pickInstanceKey("verifier-node", "VERIFIER_PRIVATE_KEY", c.VERIFIER_PRIVATE_KEY, env) });
};
