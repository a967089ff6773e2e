import { DelayedError } from "bullmq";
import type { Hex } from "viem";
import { proofKey, type Attestation } from "../../protocol/attestation.js";
import { RequestStatus, requestStatusName, VerificationMode, verificationModeName } from "../../protocol/enums.js";
import { batchCommitmentFromLogs, type BatchCommitment } from "../../protocol/batchCommitment.js";
import { InstanceRangeError, buildBatchInstances, buildInstances, instancesHash, valuesHash } from "../../protocol/instances.js";
import { fetchProof, ProofUnavailableError, type FetchProofOptions } from "../../protocol/proofStore.js";
import type { TwinpathPublicClient, TwinpathWalletClient } from "../chain/client.js";
import { classifyFailure } from "../chain/failurePolicy.js";
import type { LogLookupOptions } from "../chain/findLogBackwards.js";
import { failureReason } from "../chain/protocolError.js";
import type { TxSender } from "../chain/sender/txSender.js";
import { addJob, type TypedJob, type TypedQueue } from "../queues/connection.js";
import { failJob } from "../queues/failJob.js";
import type { ClaimJobResult, VerifyJobData, VerifyJobResult } from "../queues/jobs.js";
import { QueueName } from "../queues/names.js";
import { StaleJobError } from "../shared/errors.js";
import { PromiseCache } from "../shared/promiseCache.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerMetrics } from "../shared/metrics.js";
import type { BundleIndex, ModelArtifacts } from "../proofs/bundles.js";
import { claimVerifierRewardCall, getRequestInput, getRound } from "../proofs/chain.js";
import { UnsupportedModeError } from "../proofs/errors.js";
import type { ProofMetrics } from "../proofs/metrics.js";
import type { ProofModel, ProofModelCache } from "../proofs/models.js";
import { roundRequestId, runSettleCheck, voteAndSettle, type SettleDutyContext } from "./settleDuty.js";
import { settingsInstanceCount, type ProofVerifier, type Verdict } from "./backends.js";

export interface VerifierNodeContext extends SettleDutyContext {
  wallet: TwinpathWalletClient;
  sender: TxSender;
  models: ProofModelCache;
  bundles: BundleIndex;
  verifier: ProofVerifier;
  claimRewards: boolean;
  /** this node's own claim queue */
  claimQueue: TypedQueue<"claim">;
  /** bounds of the InferenceRequested lookup (page size, max lookback) */
  logLookup?: LogLookupOptions;
  /** How proof bytes are fetched: per-request timeout, rounds, backoff, size cap; and further stores to try after
   * the prover's own (mirrors). The fetch also gives up at half of the round's remaining window. */
  proofFetch?: Omit<FetchProofOptions, "giveUpAt" | "fetch"> & { sources?: readonly string[] };
  logger: Logger;
  metrics?: WorkerMetrics;
  proofMetrics?: ProofMetrics;
}

/**
 * The verify job of one verification node: the proof's round must still be open (its verification window; a node
 * votes on every round it is in, also after the quorum decided: late votes share the reward and show the node is
 * not silent); the node rebuilds the public instances itself from the request's on-chain input and the submitted
 * output at the model's scales (and checks they hash to the round's instancesHash), verifies the published proof
 * bytes against the registered verifying key and settings (bundle checked against the registry) without re-running
 * the model, and hands its verdict to the node's AttestationBatcher, which signs one EIP-712 AttestationBatch root per
 * batch of verdicts (verifying contract: the hub's AttestationQuorum). A proof that does not verify for these
 * instances gets a signed "invalid". Then its settle duty (settleDuty.ts): the node whose vote decided the quorum
 * settles at once (settleMany through the SettleBatcher, its own step); every other voter gets a delayed settle check
 * in this queue (a job with `settleCheck`) and settles only if the request still waits after the grace period.
 */
export function createVerifyProcessor(ctx: VerifierNodeContext) {
  // One verdict per batch proof for the jobs of the requests it covers (they run concurrently or one after another):
  // the first job computes it, the others wait for it; a failure is not kept (each job may retry), verdicts are
  // forgotten after an hour.
  const batchVerdicts = new PromiseCache<string, Verdict>({ ttlMs: 3_600_000 });
  return async (job: TypedJob<"verify">, token?: string): Promise<VerifyJobResult> => {
    let d = job.data;
    const requestId = BigInt(d.requestId);
    const log = ctx.logger.child({ requestId: d.requestId, proofHash: d.proofHash, attempt: job.attemptsMade + 1 });
    try {
      // A fallback's settle check of a round this node voted in (settleDuty.ts), not a proof to verify.
      if (d.settleCheck) return await runSettleCheck(ctx, job, token, log);
      // 1. The model, and the proof's round: a batch version's proof has one round for every request it covers,
      // keyed by its first request (read from the commitment's transaction once, then kept in the job).
      const record = await ctx.requests.get(d.hub, requestId);
      const model = await ctx.models.get(record.modelId);
      if (model.mode !== VerificationMode.ZKML_ATTESTED) throw new UnsupportedModeError(`model ${model.modelId} is ${verificationModeName(model.mode)}, not ZKML_ATTESTED`);
      const batched = (model.batch ?? 1) > 1;
      let batch: BatchCommitment | undefined;
      if (batched && d.roundId === undefined) {
        batch = await batchOf(ctx, d);
        d = { ...d, roundId: String(batch.requestIds[0]) };
        await job.updateData(d);
      }
      const roundId = roundRequestId(d);
      // Is the proof's round still open?
      const { closed, round: openRound } = await roundState(ctx, roundId, d.proofHash, d.instancesHash);
      if (closed) {
        log.info({ status: requestStatusName(record.status) }, `proof's round ${closed}`);
        return { outcome: "skipped", reason: `round ${closed}` };
      }

      // 2. The registered artifacts.
      const artifacts = await ctx.bundles.resolve(model);

      // 3.-5. The verdict on the proof, for instances this node rebuilt itself. A batch version's proof covers every
      // request of its commitBatchProof: rebuilt and verified once for all of them.
      const verdict = batched
        ? await batchVerdicts.get(`${d.hub}-${proofKey(roundId, d.proofHash, d.instancesHash)}`, () => batchVerdict(ctx, d, { ...model, batch: model.batch! }, artifacts, openRound.deadline, log, batch))
        : await singleVerdict(ctx, d, model.outputLength, artifacts, record.inputHash, openRound.deadline, log);

      // 6. Sign and submit the attestation, if the round is still open and the proof was not replaced by a reorg:
      // verification takes a while (never sign for a proof no longer on chain).
      const { closed: closedNow, round } = await roundState(ctx, roundId, d.proofHash, d.instancesHash);
      if (closedNow) {
        log.info("proof's round closed while verifying; not attesting");
        return { outcome: "skipped", valid: verdict.valid, reason: `round ${closedNow}`, checks: verdict.checks };
      }
      // 7. Vote, then this node's settle duty for the round (settle now if its vote decided the quorum, else a
      // delayed fallback check: settleDuty.ts). The requests of a batch proof's round share one vote (the batcher's).
      const attestation: Attestation = { requestId: roundId, proofHash: d.proofHash, instancesHash: d.instancesHash, valid: verdict.valid };
      const voted = await voteAndSettle(ctx, d, attestation, round, log);
      const result: VerifyJobResult = {
        ...voted,
        checks: verdict.checks,
        ...(verdict.unavailable && voted.outcome === "attested" ? { reason: `proof bytes unavailable: ${verdict.unavailable}` } : {}),
      };
      if (voted.outcome !== "attested") return result;
      log.info({ valid: verdict.valid, checks: verdict.checks.map((c) => `${c.backend}:${c.valid}:${Math.round(c.ms)}ms`), unavailable: verdict.unavailable, txHash: voted.txHash, settleRole: voted.settleRole }, "attestation recorded");
      if (ctx.claimRewards && verdict.valid) {
        // claimable once the round's window is over (chain time)
        const now = (await ctx.client.getBlock({ blockTag: "latest" })).timestamp;
        await addJob(ctx.claimQueue, { chainId: d.chainId, hub: d.hub, requestId: d.requestId, proofHash: d.proofHash }, {
          delay: Math.max(0, Number(BigInt(round.deadline) - now + 1n) * 1000),
          attempts: 30,
          backoff: { type: "exponential", delay: 2000 },
        });
      }
      return result;
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      return failJob(err, { queue: QueueName.verify, stage: null, log, metrics: ctx.metrics });
    }
  };
}

/**
 * Step 3 of a single request's proof: the instances bound to it are its input (from its InferenceRequested event,
 * checked against the hub's inputHash) ‖ the submitted output; instances that do not fit the circuit get "invalid".
 */
async function singleVerdict(
  ctx: VerifierNodeContext,
  d: VerifyJobData,
  outputLength: number,
  artifacts: ModelArtifacts,
  inputHash: Hex,
  roundDeadline: bigint | number,
  log: Logger,
): Promise<Verdict> {
  const input = await getRequestInput(ctx.client, d.hub, BigInt(d.requestId), ctx.logLookup);
  if (!input || valuesHash(input) !== inputHash) throw new StaleJobError(`request ${d.requestId}: no InferenceRequested input matching the hub's inputHash`);
  const output = d.output.map(BigInt);
  let instances: bigint[] | null = null;
  try {
    instances = buildInstances(input, output);
  } catch (err) {
    if (!(err instanceof InstanceRangeError)) throw err;
  }
  if (!instances || output.length !== outputLength) return unfit(artifacts, instances, log);
  return checkProof(ctx, d, artifacts, instances, roundDeadline, log);
}

/**
 * Step 3 of a batch version's proof: the instances the hub hashed are rebuilt from the commitBatchProof transaction's
 * events (the requests in slot order with their outputs, the padded slots' outputs) and each request's input (from
 * its InferenceRequested event, checked against the hub's inputHash), padding zeros as the hub lays them out.
 */
async function batchVerdict(
  ctx: VerifierNodeContext,
  d: VerifyJobData,
  model: ProofModel & { batch: number },
  artifacts: ModelArtifacts,
  roundDeadline: bigint | number,
  log: Logger,
  read?: BatchCommitment,
): Promise<Verdict> {
  const batch = read ?? (await batchOf(ctx, d));
  const records = await ctx.requests.getMany(d.hub, batch.requestIds);
  const inputs = await Promise.all(
    batch.requestIds.map(async (id, i) => {
      const input = await getRequestInput(ctx.client, d.hub, id, ctx.logLookup);
      if (!input || valuesHash(input) !== records[i].inputHash) throw new StaleJobError(`request ${id}: no InferenceRequested input matching the hub's inputHash`);
      return input;
    }),
  );
  let instances: bigint[] | null = null;
  try {
    instances = buildBatchInstances(inputs, batch.outputs, model.inputLength);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
  }
  if (!instances || batch.outputs.length !== model.batch || batch.outputs.some((o) => o.length !== model.outputLength)) return unfit(artifacts, instances, log);
  log.info({ requests: batch.requestIds.length, slots: model.batch }, "batch proof: instances rebuilt from its commitment");
  return checkProof(ctx, d, artifacts, instances, roundDeadline, log);
}

/** The batch commitment the job's ProofSubmitted belongs to, from its transaction's receipt. */
async function batchOf(ctx: VerifierNodeContext, d: VerifyJobData): Promise<BatchCommitment> {
  const receipt = await ctx.client.getTransactionReceipt({ hash: d.txHash });
  const batch = batchCommitmentFromLogs(receipt.logs, d.hub, d.proofHash, d.instancesHash, BigInt(d.requestId));
  if (!batch) {
    throw new StaleJobError(`request ${d.requestId}: transaction ${d.txHash} holds no batch commitment of proof ${d.proofHash} covering it`);
  }
  return batch;
}

/** Instances that do not fit the circuit: "invalid" (the hub refuses such outputs, so this is a defensive path). */
function unfit(artifacts: ModelArtifacts, instances: bigint[] | null, log: Logger): Verdict {
  log.warn({ instances: instances?.length, expectedCount: settingsInstanceCount(artifacts.settings) }, "instances do not fit the circuit: attesting invalid");
  return { valid: false, checks: [] };
}

/**
 * Steps 4-5: the instances must hash to the recorded instancesHash; then the bytes from the prover's proof store by
 * hash (checked) and the verification, never re-running the model. The prover owes the bytes to every node: bytes
 * this node cannot fetch in time are a proof it cannot check, and it votes invalid (the prover's fault, like a proof
 * that does not verify: a quorum of such votes rejects the proof and slashes its prover).
 */
async function checkProof(ctx: VerifierNodeContext, d: VerifyJobData, artifacts: ModelArtifacts, instances: bigint[], roundDeadline: bigint | number, log: Logger): Promise<Verdict> {
  const expectedCount = settingsInstanceCount(artifacts.settings);
  if (expectedCount !== null && instances.length !== expectedCount) return unfit(artifacts, instances, log);
  if (instancesHash(instances) !== d.instancesHash) {
    // The hub built its instances with the same rule; a difference means this node and the hub disagree on the
    // binding itself. Do not sign anything in that state.
    throw new StaleJobError(`request ${d.requestId}: instances built here hash to ${instancesHash(instances)}, the hub recorded ${d.instancesHash}`);
  }
  const proof = await fetchBytes(ctx, d, roundDeadline, log);
  if (!proof.bytes) return { valid: false, checks: [], unavailable: proof.reason };
  const verdict = await ctx.verifier.verify(artifacts, proof.bytes, instances);
  for (const c of verdict.checks) ctx.proofMetrics?.verifySeconds.observe({ backend: c.backend }, c.ms / 1000);
  if (new Set(verdict.checks.map((c) => c.valid)).size > 1) log.error({ checks: verdict.checks }, "verifier backends disagree: attesting invalid");
  return verdict;
}

/**
 * The proof's bytes from the prover's store (then the configured mirrors), hash-checked, with retries; gives up at
 * half of what is left of the round's window (the other half is for signing and voting). Null bytes with the
 * reason when no source served them.
 */
async function fetchBytes(ctx: VerifierNodeContext, d: VerifyJobData, roundDeadline: bigint | number, log: Logger): Promise<{ bytes: Uint8Array | null; reason?: string }> {
  const { sources = [], ...options } = ctx.proofFetch ?? {};
  const now = (await ctx.client.getBlock({ blockTag: "latest" })).timestamp;
  const giveUpAt = Date.now() + (Math.max(0, Number(BigInt(roundDeadline) - now)) * 1000) / 2;
  const stores = [d.proofStore, ...sources.filter((s) => s !== d.proofStore)];
  try {
    return { bytes: await fetchProof(stores, d.proofHash, { ...options, giveUpAt }) };
  } catch (err) {
    if (!(err instanceof ProofUnavailableError)) throw err;
    log.warn({ reasons: err.reasons }, "proof bytes unavailable: attesting invalid");
    ctx.proofMetrics?.attestations.inc({ verdict: "false", outcome: "unavailable" });
    return { bytes: null, reason: err.reasons.join("; ") };
  }
}

/**
 * The proof's round as the quorum holds it now, and why it takes no vote any more ("closed", "never opened"), or
 * null while it is open. Read when the job starts and again just before signing (a reorg may have replaced the
 * proof while it was being verified); the round's deadline does not change once it is open.
 */
async function roundState(ctx: VerifierNodeContext, requestId: bigint, proofHash: Hex, instancesHash: Hex) {
  const round = await getRound(ctx.client, ctx.quorum, requestId, proofHash, instancesHash);
  if (round.seq === 0n) return { round, closed: "never opened (replaced by a reorg?)" };
  const now = (await ctx.client.getBlock({ blockTag: "latest" })).timestamp;
  return { round, closed: now > BigInt(round.deadline) ? "closed" : null };
}

/**
 * The claim job: this node's share of a settled request's verifier reward, once the proof's round is over. While the
 * request still waits for the quorum or the round the job fails and retries with backoff; a rejected or refunded
 * request has nothing to claim.
 */
export function createClaimProcessor(ctx: VerifierNodeContext) {
  return async (job: TypedJob<"claim">): Promise<ClaimJobResult> => {
    const { hub, requestId: id } = job.data;
    const requestId = BigInt(id);
    const record = await ctx.requests.get(hub, requestId);
    if (record.status === RequestStatus.ProofSubmitted) throw new Error(`request ${id} not settled yet; claim later`);
    if (record.status !== RequestStatus.Settled) return { claimed: false, reason: `status ${requestStatusName(record.status)}` };
    try {
      const sent = await ctx.sender.send({ call: claimVerifierRewardCall(hub, requestId), label: "claimVerifierReward" });
      ctx.logger.info({ requestId: id, txHash: sent.hash }, "verifier reward claimed");
      return { claimed: true, txHash: sent.hash, gasUsed: sent.receipt.gasUsed.toString() };
    } catch (err) {
      const { action } = classifyFailure("claim", err);
      if (action === "skip") return { claimed: false, reason: failureReason(err) };
      if (action === "delay") throw new Error(`request ${id}: claim window not open yet (${failureReason(err)}); claim later`);
      throw err;
    }
  };
}
