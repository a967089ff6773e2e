import { DelayedError } from "bullmq";
import { getAbiItem, zeroAddress, type Address, type Hex } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { proofKey } from "../../protocol/attestation.js";
import { committedProofKey } from "../../protocol/batchCommitment.js";
import { RequestStatus, requestStatusName, VerificationMode, verificationModeName } from "../../protocol/enums.js";
import { buildInstances, fromField, maxAbsDiff, toField, valuesHash } from "../../protocol/instances.js";
import type { TwinpathPublicClient } from "../chain/client.js";
import { classifyFailure } from "../chain/failurePolicy.js";
import { findRequestLog, type LogLookupOptions } from "../chain/findLogBackwards.js";
import type { RequestReader } from "../chain/requestReader.js";
import { failureReason } from "../chain/protocolError.js";
import { TxSupersededError, type TxSender } from "../chain/sender/txSender.js";
import { failJob } from "../queues/failJob.js";
import { addJob, type TypedJob, type TypedQueue } from "../queues/connection.js";
import type { ChallengeRecord, ProveJobData, ProveJobResult, SettleJobResult } from "../queues/jobs.js";
import { QueueName } from "../queues/names.js";
import { ChainError, StaleJobError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerMetrics } from "../shared/metrics.js";
import type { BundleIndex } from "../proofs/bundles.js";
import {
  challengeCall,
  challengeCommitment,
  commitChallengeCall,
  commitProofCall,
  findChallengeCommitment,
  getAssignedProver,
  getLatestProofLog,
  getRequestInput,
  settleUnchallengedCall,
  submitProofCall,
} from "../proofs/chain.js";
import type { ProvingEngine } from "../proofs/provingEngine.js";
import { ProvingError } from "../proofs/errors.js";
import type { ProofMetrics } from "../proofs/metrics.js";
import type { ProofModel, ProofModelCache } from "../proofs/models.js";
import { engineProofJson, parseEngineProof, proofInstances, rawProofBytes } from "../proofs/proofJson.js";
import type { ProofStore } from "../proofs/store.js";
import { BatcherFullError } from "../shared/batcher.js";
import type { BatchSlot, ProofBatches } from "./proofBatches.js";

export interface ProverContext {
  client: TwinpathPublicClient;
  /** the hub's records, the concurrent jobs' reads sharing one call */
  requests: RequestReader;
  sender: TxSender;
  models: ProofModelCache;
  bundles: BundleIndex;
  pool: ProvingEngine;
  store: ProofStore;
  /** The base URL of this prover's proof store, named in its ZKML_ATTESTED commitments (known once the role's HTTP
   * server listens). */
  proofStoreUrl: Promise<string>;
  /** where unchallenged OPTIMISTIC results wait for their window to close */
  settleQueue: TypedQueue<"settle">;
  /** bounds of the InferenceRequested / ResultSubmitted lookups (page size, max lookback) */
  logLookup?: LogLookupOptions;
  logger: Logger;
  metrics?: WorkerMetrics;
  proofMetrics?: ProofMetrics;
  settleOptimistic: boolean;
  /** where the prove jobs of batch versions (model.batch > 1) wait to be proved together */
  batches?: ProofBatches;
  /** how long a job waiting for this prover's window waits before asking again (PROVER_WINDOW_POLL_MS) */
  windowPollMs: number;
  /** OPTIMISTIC: how long a committed challenge waits (delayed, holding no worker slot) before looking for a block
   * after its commitment again @defaultValue 1000 */
  challengePollMs?: number;
  /** OPTIMISTIC: no block after a challenge's commitment this long after it was mined fails the attempt (the chain
   * looks stalled) @defaultValue 60000 */
  challengeStallMs?: number;
  /** test-only fault injection: sleep before proving */
  faultDelayMs?: number;
}

type Proved = Awaited<ReturnType<ProvingEngine["prove"]>>;
/** Proofs kept in memory for the same job's next run: reused, not re-proved. */
type ReadyProofs = Map<string, { proved: Proved; at: number }>;

const resultSubmittedEvent = getAbiItem({ abi: inferenceHubAbi, name: "ResultSubmitted" });

/**
 * The prove job: re-read the request (nothing to do once it is proven, settled or refunded), wait for this
 * prover's window (ZKML modes: the hub accepts a proof only from the prover whose window it is), load the registered
 * model's bundle (hashes checked against the registry), prove the request's on-chain input in a worker thread,
 * compare the proven output with the fast-path result (a difference beyond the model's tolerance is logged and
 * counted: the hub slashes the executor when it settles), keep the proof content-addressed, then act by mode:
 * ZKML_ONCHAIN / ZKML_ATTESTED submit the proof; OPTIMISTIC challenges only a result the proof contradicts (a
 * commitment first, binding this prover, then the challenge in a later block: see challengeStep) and otherwise
 * schedules settleUnchallenged for when the window closes.
 */
export function createProveProcessor(ctx: ProverContext) {
  // Proofs made for a request whose window was another prover's when they were ready, or whose challenge waits for
  // a block after its commitment. This process's memory only: after a restart a committed challenge's proof comes
  // from the proof store (committedProof).
  const ready: ReadyProofs = new Map();
  return async (job: TypedJob<"prove">, token?: string): Promise<ProveJobResult> => {
    for (const [k, v] of ready) if (Date.now() - v.at > 3_600_000) ready.delete(k); // forget proofs nobody asked for
    const started = Date.now();
    const d = job.data;
    const requestId = BigInt(d.requestId);
    const log = ctx.logger.child({ requestId: d.requestId, jobId: job.id, attempt: job.attemptsMade + 1 });
    log.info("prove job started");
    try {
      // 1. Does the request still need a proof?
      const record = await ctx.requests.get(d.hub, requestId);
      if (record.status !== RequestStatus.Executed) return skipped(ctx, log, d.hub, requestId, record);
      const model = await ctx.models.get(BigInt(d.modelId));
      if (model.modelId !== record.modelId) throw new StaleJobError(`request ${d.requestId} is for model ${record.modelId}, the job says ${d.modelId}`);
      if (model.mode !== VerificationMode.OPTIMISTIC && !(await waitForWindow(ctx, job, token, d.hub, requestId, log))) {
        return { outcome: "skipped", reason: "no proof window open (deadline passed or no eligible prover)" };
      }

      // 2. The request's input (the hub's record decides) and the fast-path output.
      let input = d.input.map(BigInt);
      if (valuesHash(input) !== record.inputHash) {
        const fromLog = await getRequestInput(ctx.client, d.hub, requestId, ctx.logLookup);
        if (!fromLog || valuesHash(fromLog) !== record.inputHash) throw new StaleJobError(`request ${d.requestId}: no input matching the hub's inputHash`);
        input = [...fromLog];
      }
      let fast = d.output.map(BigInt);
      if (valuesHash(fast) !== record.outputHash) fast = await fastOutputFromLog(ctx.client, d.hub, requestId, record.outputHash, ctx.logLookup);

      // 3. A batch version: proved with up to model.batch other requests, one submitBatchProof (commitBatchProof) for all.
      if ((model.batch ?? 1) > 1) {
        const slot = { hub: d.hub, requestId, input, callbackGas: Number(record.callbackGasLimit) };
        return await proveInBatch(ctx, job, token, slot, { ...model, batch: model.batch! }, fast, log, started);
      }

      // 3. Prove with the registered artifacts, off the event loop.
      const artifacts = await ctx.bundles.resolve(model);
      if (ctx.faultDelayMs) await new Promise((r) => setTimeout(r, ctx.faultDelayMs));
      log.info({ model: d.modelId, mode: verificationModeName(model.mode), backend: ctx.pool.backend, busy: ctx.pool.pending }, "proving");
      const floats = input.map((v) => Number(v) / 2 ** model.inputScale);
      const key = `${d.chainId}-${d.hub}-${d.requestId}-${record.inputHash}`;
      const proved =
        ready.get(key)?.proved ??
        (model.mode === VerificationMode.OPTIMISTIC && d.challenge ? await committedProof(ctx, d.challenge, requestId, input, log) : null) ??
        (await ctx.pool.prove(artifacts.manifestHash, artifacts, floats));
      ready.delete(key);
      ctx.proofMetrics?.proveSeconds.observe((proved.witnessMs + proved.proveMs) / 1000);
      const engineProof = parseEngineProof(proved.proof);
      const instances = proofInstances(engineProof);
      if (instances.length !== input.length + model.outputLength) {
        throw new ProvingError(`proof has ${instances.length} instances, expected ${input.length} inputs + ${model.outputLength} outputs`);
      }
      input.forEach((v, i) => {
        if (instances[i] !== toField(v, i)) throw new ProvingError(`proof instance ${i} is not the request's input ${v} (engine quantised differently)`);
      });
      const proven = instances.slice(input.length).map(fromField);
      const maxDiff = maxAbsDiff(proven, fast);
      const mismatch = maxDiff > Number(model.tolerance);
      if (mismatch) {
        ctx.proofMetrics?.executorMismatches.inc();
        log.warn({ executor: record.deliveredBy, fast: fast.map(String), proven: proven.map(String), maxDiff, tolerance: String(model.tolerance) }, "fast-path result differs from the proof beyond tolerance");
      }
      const raw = rawProofBytes(engineProof);
      // ZKML_ATTESTED: unserved until this prover's own commitment is mined (ProofStore.keep)
      const attested = model.mode === VerificationMode.ZKML_ATTESTED;
      const proofHash = await ctx.store.keep(raw, model.mode);
      const base: ProveJobResult = {
        outcome: "agreed",
        proofHash,
        provenOutput: proven.map(String),
        fastOutput: fast.map(String),
        maxDiff,
        mismatch,
        witnessMs: proved.witnessMs,
        proveMs: proved.proveMs,
        startedAt: started,
      };

      // 4. Act by mode.
      const stillExecuted = async () => (await ctx.requests.get(d.hub, requestId)).status === RequestStatus.Executed;
      if (model.mode === VerificationMode.OPTIMISTIC) {
        if (!mismatch) {
          if (ctx.settleOptimistic) await scheduleSettle(ctx, d, BigInt(record.proofDeadline));
          ctx.proofMetrics?.proofs.inc({ outcome: "agreed" });
          log.info({ proofHash, maxDiff, proveMs: Math.round(proved.proveMs) }, "proof agrees with the optimistic result; no challenge");
          return base;
        }
        // A rerun reuses this proof (a new one would need a new commitment and another block's wait).
        ready.set(key, { proved, at: Date.now() });
        const out = await challengeStep(ctx, job, token, { input, proven, raw, proofHash, deadline: BigInt(record.proofDeadline) }, stillExecuted, log);
        ready.delete(key);
        if (out.outcome !== "challenged") return { ...base, outcome: "skipped", reason: out.reason };
        ctx.proofMetrics?.proofs.inc({ outcome: "challenged" });
        return { ...base, outcome: "challenged", txHash: out.hash, gasUsed: out.gasUsed, submittedAt: Date.now() };
      }
      let sent: Awaited<ReturnType<typeof send>>;
      try {
        const call = attested
          ? commitProofCall(d.hub, requestId, input, proven, proofHash, await ctx.proofStoreUrl)
          : submitProofCall(d.hub, requestId, input, proven, raw);
        sent = await send(ctx, log, attested ? "commitProof" : "submitProof", call, stillExecuted);
        // mined: from now on the commitment names this prover; serve the bytes to the verification nodes
        if (sent && attested) await ctx.store.publish(proofHash);
      } catch (err) {
        if (classifyFailure("prove", err).error?.errorName !== "InferenceHubNotAssigned") throw err;
        // the window moved on while proving: keep the proof for this prover's next window
        ready.set(key, { proved, at: Date.now() });
        log.info("proof ready but the window is another prover's now; waiting for ours");
        await job.moveToDelayed(Date.now() + ctx.windowPollMs, token);
        throw new DelayedError();
      }
      if (!sent) return { ...base, outcome: "skipped", reason: "request proven by someone else meanwhile" };
      ctx.proofMetrics?.proofs.inc({ outcome: "submitted" });
      ctx.metrics?.jobLatency.observe({ queue: QueueName.prove, outcome: "ok" }, (Date.now() - started) / 1000);
      log.info({ proofHash, txHash: sent.hash, gasUsed: sent.gasUsed, proveMs: Math.round(proved.proveMs), maxDiff, mismatch }, "proof submitted");
      return { ...base, outcome: "submitted", txHash: sent.hash, gasUsed: sent.gasUsed, submittedAt: Date.now() };
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      return failJob(err, { queue: QueueName.prove, stage: "prove", log, metrics: ctx.metrics });
    }
  };
}

/** Back-pressure: a full batch queue sends the job back to wait. */
const BATCH_FULL_RETRY_MS = 1000;

/** A batch version's request: waits in ctx.batches for its batch, which proves and submits it with the others. */
async function proveInBatch(
  ctx: ProverContext,
  job: TypedJob<"prove">,
  token: string | undefined,
  slot: BatchSlot,
  model: ProofModel & { batch: number },
  fast: bigint[],
  log: Logger,
  started: number,
): Promise<ProveJobResult> {
  if (!ctx.batches) throw new ProvingError(`model ${model.modelId} is a batch-${model.batch} version, and this prover batches nothing`);
  let out;
  try {
    out = await ctx.batches.submit(model, slot);
  } catch (err) {
    if (!(err instanceof BatcherFullError)) throw err;
    log.info({ waiting: err.waiting }, "batch queue full; coming back later");
    await job.moveToDelayed(Date.now() + BATCH_FULL_RETRY_MS, token);
    throw new DelayedError();
  }
  const maxDiff = maxAbsDiff(out.proven, fast);
  const mismatch = maxDiff > Number(model.tolerance);
  if (mismatch) ctx.proofMetrics?.executorMismatches.inc();
  ctx.proofMetrics?.proofs.inc({ outcome: "submitted" });
  log.info({ proofHash: out.proofHash, txHash: out.txHash, requests: out.requests, maxDiff, mismatch }, "batch proof submitted");
  return {
    outcome: "submitted",
    proofHash: out.proofHash,
    provenOutput: out.proven.map(String),
    fastOutput: fast.map(String),
    maxDiff,
    mismatch,
    witnessMs: 0,
    proveMs: out.proveMs,
    startedAt: started,
    txHash: out.txHash,
    gasUsed: out.gasUsed,
    submittedAt: Date.now(),
  };
}

/**
 * True when the proof window of `requestId` is this prover's, false when no window is open any more; otherwise moves
 * the job back to delayed (checked again after `windowPollMs`). The hub draws one prover per window, so the wait
 * ends when ours comes.
 */
async function waitForWindow(ctx: ProverContext, job: TypedJob<"prove">, token: string | undefined, hub: Address, requestId: bigint, log: Logger): Promise<boolean> {
  const assigned = await getAssignedProver(ctx.client, hub, requestId);
  if (assigned.toLowerCase() === ctx.sender.address.toLowerCase()) return true;
  if (assigned === zeroAddress) return false;
  log.info({ assigned }, "proof window belongs to another prover; waiting for ours");
  await job.moveToDelayed(Date.now() + ctx.windowPollMs, token);
  throw new DelayedError();
}

async function skipped(
  ctx: ProverContext,
  log: Logger,
  hub: Address,
  requestId: bigint,
  { status, provedBy, proofKey: key }: { status: number; provedBy: Address; proofKey: Hex },
): Promise<ProveJobResult> {
  const ours = provedBy.toLowerCase() === ctx.sender.address.toLowerCase();
  // a commitment of ours mined before a crash or a retry: its bytes may still be unpublished. The hub keeps the
  // proof's key only; the hashes are in its ProofSubmitted, checked against the key: the request's own, or its batch
  // proof's round (from any request of the batch: the commitment's transaction names the batch).
  if (ours && status === RequestStatus.ProofSubmitted) {
    const mine = await getLatestProofLog(ctx.client, hub, requestId, ctx.logLookup);
    if (mine && (await isCommitmentOf(ctx, hub, requestId, mine, key)) && (await ctx.store.publish(mine.proofHash))) {
      log.info({ proofHash: mine.proofHash }, "proof published (its commitment is ours)");
    }
  }
  const reason = `status ${requestStatusName(status)}${ours ? " (proven by this node)" : ""}`;
  ctx.proofMetrics?.proofs.inc({ outcome: "skipped" });
  log.info({ status: requestStatusName(status), provedBy }, "request needs no proof from us");
  return { outcome: "skipped", reason };
}

/** True if `key` (the hub's proof key for `requestId`) is the commitment `mine`'s: the request's own, or its batch's round. */
async function isCommitmentOf(ctx: ProverContext, hub: Address, requestId: bigint, mine: { proofHash: Hex; instancesHash: Hex; transactionHash: Hex }, key: Hex): Promise<boolean> {
  if (proofKey(requestId, mine.proofHash, mine.instancesHash) === key) return true;
  const { logs } = await ctx.client.getTransactionReceipt({ hash: mine.transactionHash });
  return committedProofKey(logs, hub, requestId, mine.proofHash, mine.instancesHash) === key;
}

/** The fast-path output as delivered (ResultSubmitted), when the job carries another node's output. */
async function fastOutputFromLog(client: TwinpathPublicClient, hub: Address, requestId: bigint, outputHash: Hex, lookup?: LogLookupOptions): Promise<bigint[]> {
  const hit = await findRequestLog(client, hub, resultSubmittedEvent, requestId, lookup, (l) => l.args.outputHash === outputHash);
  if (!hit) throw new Error(`request ${requestId}: no ResultSubmitted event with outputHash ${outputHash} yet`);
  return [...hit.args.output];
}

/**
 * Sends through the node's TxSender. Returns null when the request no longer needs it: the simulation reverts
 * because its status moved on (another prover's proof, a quorum, a refund) or the sender found it superseded.
 */
async function send(
  ctx: ProverContext,
  log: Logger,
  label: string,
  call: Parameters<TxSender["send"]>[0]["call"],
  stillNeeded: () => Promise<boolean>,
): Promise<{ hash: Hex; gasUsed: string; blockNumber: bigint } | null> {
  try {
    const sent = await ctx.sender.send({ call, label, stillNeeded });
    if (sent.receipt.status !== "success") throw new Error(`${label} transaction ${sent.hash} reverted`);
    return { hash: sent.hash, gasUsed: sent.receipt.gasUsed.toString(), blockNumber: sent.receipt.blockNumber };
  } catch (err) {
    if (err instanceof TxSupersededError || classifyFailure("prove", err).action === "skip") {
      if (!(await stillNeeded())) {
        log.info({ label, reason: failureReason(err) }, "not sent: the request moved on");
        return null;
      }
    }
    throw err;
  }
}

/**
 * The committed proof of a challenge recorded in the job (`rec`), rebuilt from the proof store when it is no longer in
 * memory (the process restarted between the commitment and the challenge): only bytes whose commitment is the
 * recorded one, so the challenge sent matches what is on chain. Null when the store has no such bytes: the caller
 * proves again, and commits again unless the new proof happens to be the same bytes.
 */
async function committedProof(ctx: ProverContext, rec: ChallengeRecord, requestId: bigint, input: readonly bigint[], log: Logger): Promise<Proved | null> {
  const raw = await ctx.store.get(rec.proofHash).catch(() => null);
  const output = rec.output.map(BigInt);
  if (!raw || challengeCommitment(requestId, ctx.sender.address, output, raw) !== rec.commitment) {
    log.warn({ commitment: rec.commitment, proofHash: rec.proofHash }, "the committed challenge's proof is gone; proving again");
    return null;
  }
  log.info({ commitment: rec.commitment, proofHash: rec.proofHash }, "challenge resumed with its committed proof from the store");
  return { proof: engineProofJson(raw, buildInstances(input, output)), witnessMs: 0, proveMs: 0 };
}

type ChallengeProof = { input: bigint[]; proven: bigint[]; raw: Uint8Array; proofHash: Hex; deadline: bigint };
type ChallengeOutcome = { outcome: "challenged"; hash: Hex; gasUsed: string } | { outcome: "skipped"; reason: string };

/**
 * OPTIMISTIC: challenge a result `p` contradicts. A commitment first (it binds this prover, the proven output and
 * the proof: a copied challenge earns its copier nothing), then the challenge in a later block (the hub refuses it in
 * the commitment's own block). The job does not hold its worker slot meanwhile: it records the commitment in its data
 * and waits delayed, and each run looks for a block after it. A rerun whose proof matches the recorded commitment,
 * and finds it on chain, does not commit again; a different proof (re-proved after a restart) commits anew, so a
 * challenge always matches a commitment of its own. Both steps must land by the window's end (block.timestamp <=
 * proofDeadline): when the chain's clock leaves no room for them, the job stops instead of waiting.
 */
async function challengeStep(
  ctx: ProverContext,
  job: TypedJob<"prove">,
  token: string | undefined,
  p: ChallengeProof,
  stillExecuted: () => Promise<boolean>,
  log: Logger,
): Promise<ChallengeOutcome> {
  const d = job.data;
  const requestId = BigInt(d.requestId);
  const gone = { outcome: "skipped", reason: "request no longer challengeable" } as const;
  const closed = (what: string) => {
    log.warn({ proofDeadline: String(p.deadline) }, `challenge window closing: ${what}`);
    return { outcome: "skipped", reason: `challenge window closed (${what})` } as const;
  };
  const commitment = challengeCommitment(requestId, ctx.sender.address, p.proven, p.raw);
  let rec = d.challenge?.commitment === commitment ? d.challenge : undefined;
  let block = rec ? await findChallengeCommitment(ctx.client, d.hub, requestId, commitment, rec.commitBlock ? BigInt(rec.commitBlock) : undefined, ctx.logLookup) : null;
  if (rec && block !== null && (rec.commitBlock !== String(block) || rec.at === undefined)) {
    // mined, but the job did not get to record it (a crash right after sending) or it moved (a reorg)
    rec = { ...rec, commitBlock: String(block), at: rec.at ?? Date.now() };
    await job.updateData({ ...d, challenge: rec });
  }
  if (!rec || block === null) {
    // a commitment and a challenge, each in its own block, both with timestamp <= proofDeadline
    const head = await ctx.client.getBlock({ blockTag: "latest" });
    if (head.timestamp + 2n > p.deadline) return closed("no room for a commitment and a later challenge");
    // recorded before sending: a crash after it is mined finds it on chain on the rerun instead of committing again
    rec = { commitment, proofHash: p.proofHash, output: p.proven.map(String) };
    await job.updateData({ ...d, challenge: rec });
    const committed = await send(ctx, log, "commitChallenge", commitChallengeCall(d.hub, requestId, commitment), stillExecuted);
    if (!committed) return gone;
    block = committed.blockNumber;
    rec = { ...rec, commitBlock: String(block), at: Date.now() };
    await job.updateData({ ...d, challenge: rec });
    log.info({ commitment, block: String(block), txHash: committed.hash }, "challenge committed; the challenge follows in a later block");
  }
  const head = await ctx.client.getBlock({ blockTag: "latest" });
  if (head.timestamp >= p.deadline) return closed("no block left before the deadline");
  if (head.number <= block) {
    const stallMs = ctx.challengeStallMs ?? 60_000;
    if (Date.now() - rec.at! > stallMs) {
      throw new ChainError(`no block after ${block} (the challenge's commitment) within ${stallMs / 1000} s of it: is the chain stalled?`);
    }
    // off the worker's slots until then; never past the window's end (chain seconds, as good a guess as any)
    const delay = Math.max(50, Math.min(ctx.challengePollMs ?? 1000, Number(p.deadline - head.timestamp) * 500));
    log.info({ commitBlock: String(block), head: String(head.number), delayMs: delay }, "challenge waits for a block after its commitment");
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError();
  }
  const sent = await send(ctx, log, "challenge", challengeCall(d.hub, requestId, p.input, p.proven, p.raw), stillExecuted);
  if (!sent) return gone;
  log.info({ txHash: sent.hash, gasUsed: sent.gasUsed }, "challenge sent");
  return { outcome: "challenged", hash: sent.hash, gasUsed: sent.gasUsed };
}

/** OPTIMISTIC: a delayed job that calls settleUnchallenged once the challenge window (chain time) is over. */
async function scheduleSettle(ctx: ProverContext, d: ProveJobData, proofDeadline: bigint): Promise<void> {
  const now = (await ctx.client.getBlock({ blockTag: "latest" })).timestamp;
  const delay = Math.max(0, Number(proofDeadline - now + 1n) * 1000);
  await addJob(ctx.settleQueue, { chainId: d.chainId, hub: d.hub, requestId: d.requestId }, { delay, attempts: 20, backoff: { type: "exponential", delay: 2000 } });
  ctx.logger.info({ requestId: d.requestId, delayMs: delay, proofDeadline: String(proofDeadline) }, "settlement of the unchallenged result scheduled");
}

/** The settle job: settleUnchallenged once the window closed (not yet: come back in 2 s; moved on: nothing to do). */
export function createSettleProcessor(ctx: ProverContext) {
  return async (job: TypedJob<"settle">, token?: string): Promise<SettleJobResult> => {
    const d = job.data;
    const requestId = BigInt(d.requestId);
    const record = await ctx.requests.get(d.hub, requestId);
    ctx.logger.info({ requestId: d.requestId, status: requestStatusName(record.status) }, "settle job started");
    if (record.status !== RequestStatus.Executed) return { settled: false, reason: `status ${requestStatusName(record.status)}` };
    try {
      const sent = await ctx.sender.send({ call: settleUnchallengedCall(d.hub, requestId), label: "settleUnchallenged" });
      ctx.logger.info({ requestId: d.requestId, txHash: sent.hash }, "optimistic result settled (unchallenged)");
      return { settled: true, txHash: sent.hash, gasUsed: sent.receipt.gasUsed.toString() };
    } catch (err) {
      if (classifyFailure("settle", err).action === "delay") {
        await job.moveToDelayed(Date.now() + 2000, token);
        throw new DelayedError();
      }
      throw err;
    }
  };
}
