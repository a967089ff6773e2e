import { writeSync } from "node:fs";
import { DelayedError, UnrecoverableError } from "bullmq";
import { getAbiItem, type Address, type Hash } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "../chain/client.js";
import { getRequest } from "../chain/getRequest.js";
import { submitResultsCall } from "../chain/submitResults.js";
import { addJob, type TypedJob, type TypedQueue } from "../queues/connection.js";
import type { SubmitJobData, SubmitJobResult } from "../queues/jobs.js";
import { QueueName } from "../queues/names.js";
import { PERMANENT_PREFIX } from "../queues/failJob.js";
import { classifyProtocolError } from "../chain/failurePolicy.js";
import { protocolErrorOf } from "../chain/protocolError.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerMetrics } from "../shared/metrics.js";
import type { KeyRing } from "./keys.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";

export interface SubmitContext {
  client: TwinpathPublicClient;
  keys: KeyRing;
  proveQueue: TypedQueue<"prove">;
  refundQueue: TypedQueue<"refund">;
  logger: Logger;
  metrics?: WorkerMetrics;
  /** test-only fault injection: die right after the first delivered result, before recording it */
  crashAfterSend?: boolean;
}

const resultSubmittedEvent = getAbiItem({ abi: inferenceHubAbi, name: "ResultSubmitted" });

/**
 * The submit job: deliver one output on chain with the right key (the assigned executor's, or any of ours once
 * the window is open), through that key's batcher, then enqueue the proving job. A request the hub no longer needs
 * (the batch's simulation refuses it) is read back: if one of our keys already delivered it (a crash after sending),
 * the job only enqueues the proving job; nothing is sent twice.
 */
export function createSubmitProcessor(ctx: SubmitContext) {
  return async (job: TypedJob<"submit">, token?: string): Promise<SubmitJobResult> => {
    const d = job.data;
    const requestId = BigInt(d.requestId);
    const started = Date.now();

    // The request's own executor (its InferenceRequested event) is one of our keys: deliver without reading the
    // chain first. The batch's simulation refuses what the hub would (already delivered: recovered below).
    let assigned = d.executor;
    let key = ctx.keys.chooseOwn(assigned);
    if (!key) {
      const record = await getRequest(ctx.client, { hub: d.hub, requestId });
      if (record.status !== RequestStatus.Requested) return recoverOrSkip(ctx, d, record.status, record.deliveredBy);
      assigned = (await ctx.client.readContract({ address: d.hub, abi: inferenceHubAbi, functionName: "assignedExecutor", args: [requestId] })) as Address;
      key = ctx.keys.choose(assigned);
      if (!key) return delayUntilOpen(ctx, job, token, assigned);
    }

    const outcome = await key.batcher.submit({ requestId, output: d.output.map(BigInt) });
    switch (outcome.kind) {
      case "delivered": {
        if (ctx.crashAfterSend) {
          // Written synchronously: the process dies on the next line, before any async log flush.
          writeSync(1, `${JSON.stringify({ level: "warn", role: "sender", requestId: d.requestId, txHash: outcome.txHash, msg: "fault injection: crashing after send" })}\n`);
          process.kill(process.pid, "SIGKILL");
        }
        await enqueueProve(ctx, d, key.address, outcome.txHash, Number(outcome.blockNumber));
        ctx.metrics?.jobLatency.observe({ queue: QueueName.submit, outcome: "ok" }, (Date.now() - started) / 1000);
        return {
          delivered: true,
          txHash: outcome.txHash,
          blockNumber: Number(outcome.blockNumber),
          sender: key.address,
          batchSize: outcome.batchSize,
          gasUsed: outcome.gasUsed.toString(),
          gasShare: (outcome.gasUsed / BigInt(outcome.batchSize)).toString(),
          sentAt: outcome.sentAt,
          minedAt: outcome.minedAt,
        };
      }
      case "not-needed": {
        const again = await getRequest(ctx.client, { hub: d.hub, requestId });
        return recoverOrSkip(ctx, d, again.status, again.deliveredBy);
      }
      case "rejected": {
        ctx.metrics?.jobFailures.inc({ queue: QueueName.submit, kind: "rejected" });
        const action = classifyProtocolError("submit", outcome.error);
        if (action === "delay") {
          if (outcome.error?.errorName === "InferenceHubNotEligible") {
            // This key was slashed below the minimum stake (or is unbonding): use another one once the window opens.
            ctx.keys.bench(key.address);
            ctx.logger.warn({ key: key.address, requestId: d.requestId }, "key not eligible on chain; benched");
          }
          return delayUntilOpen(ctx, job, token, assigned);
        }
        if (action === "permanent") {
          await addJob(
            ctx.refundQueue,
            { chainId: d.chainId, hub: d.hub, requestId: d.requestId, reason: outcome.reason, resultDeadline: d.resultDeadline },
            { attempts: 20, backoff: { type: "exponential", delay: 5000 } },
          );
          throw new UnrecoverableError(`${PERMANENT_PREFIX}result deadline passed: ${outcome.reason}`);
        }
        // Anything else may be transient (state changing under us): retry, re-reading the chain first.
        throw new Error(`hub rejected the result of request ${d.requestId}: ${outcome.reason}`);
      }
    }
  };
}

async function recoverOrSkip(ctx: SubmitContext, d: SubmitJobData, status: number, deliveredBy: Address): Promise<SubmitJobResult> {
  const delivered = status === RequestStatus.Executed || status === RequestStatus.ProofSubmitted || status === RequestStatus.Settled;
  if (delivered && ctx.keys.has(deliveredBy)) {
    // We sent it before (crash between "sent" and "recorded"): find our transaction and finish the job.
    const logs = await ctx.client.getLogs({ address: d.hub, event: resultSubmittedEvent, args: { requestId: BigInt(d.requestId) }, fromBlock: 0n, strict: true });
    const log = logs[logs.length - 1];
    if (log) await enqueueProve(ctx, d, deliveredBy, log.transactionHash, Number(log.blockNumber));
    ctx.logger.info({ requestId: d.requestId, txHash: log?.transactionHash }, "result was already delivered by us; recovered");
    return { delivered: true, skipped: "already delivered by this node (recovered)", txHash: log?.transactionHash, blockNumber: log ? Number(log.blockNumber) : undefined, sender: deliveredBy };
  }
  ctx.logger.info({ requestId: d.requestId, status: requestStatusName(status), deliveredBy }, "request no longer needs our result");
  return { delivered: false, skipped: `status ${requestStatusName(status)}${delivered ? ` (delivered by ${deliveredBy})` : ""}` };
}

async function enqueueProve(ctx: SubmitContext, d: SubmitJobData, executor: Address, resultTxHash: Hash, resultBlockNumber: number): Promise<void> {
  await addJob(ctx.proveQueue, { chainId: d.chainId, hub: d.hub, requestId: d.requestId, modelId: d.modelId, input: d.input, output: d.output, executor, resultTxHash, resultBlockNumber });
}

/** Assigned to another node: wait until the hub opens the request to every executor (InferenceHubNotAssigned.openAt). */
async function delayUntilOpen(ctx: SubmitContext, job: TypedJob<"submit">, token: string | undefined, assigned: Address): Promise<never> {
  const key = ctx.keys.keys[0];
  let openAtMs = Date.now() + 5000;
  try {
    await ctx.client.simulateContract({ ...submitResultsCall(job.data.hub, [{ requestId: BigInt(job.data.requestId), output: job.data.output.map(BigInt) }]), account: key.address } as never);
  } catch (err) {
    const revert = protocolErrorOf(err);
    if (revert?.errorName === "InferenceHubNotAssigned") {
      openAtMs = Number(revert.args[3]) * 1000 + 1000;
    } else {
      ctx.logger.debug({ err: errorMessage(err) }, "simulation while waiting for the window");
    }
  }
  ctx.logger.info({ requestId: job.data.requestId, assigned, until: new Date(openAtMs).toISOString() }, "assigned to another executor; waiting for the open window");
  await job.moveToDelayed(Math.max(openAtMs, Date.now() + 500), token);
  throw new DelayedError();
}
