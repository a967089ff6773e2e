import type { Address } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import type { RequestReader } from "../chain/requestReader.js";
import { addJob, type TypedJob, type TypedQueue } from "../queues/connection.js";
import type { ExecuteJobData, ExecuteJobResult } from "../queues/jobs.js";
import { QueueName } from "../queues/names.js";
import { failJob } from "../queues/failJob.js";
import { BadInputError, InferenceError, StaleJobError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerMetrics } from "../shared/metrics.js";
import { decodeFixedPoint } from "./fixedPoint.js";
import type { ModelSpecCache } from "./models.js";
import type { CircuitCache, WitnessGroups } from "./circuits.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";

export interface ExecuteContext {
  client: TwinpathPublicClient;
  /** the hub's records, the concurrent jobs' reads sharing one call */
  requests: RequestReader;
  models: ModelSpecCache;
  circuits: CircuitCache;
  /** a batch version's requests share witnesses */
  witnesses: WitnessGroups;
  submitQueue: TypedQueue<"submit">;
  refundQueue: TypedQueue<"refund">;
  logger: Logger;
  metrics?: WorkerMetrics;
  /** test-only fault injection: sleep before running the model */
  faultDelayMs?: number;
  /** test-only fault injection (dishonest executor): added to output[0], in fixed-point units */
  faultOutputOffset?: number;
}

/**
 * The execute job: check the request still needs a result and that the job's input is the one the hub recorded,
 * load the registered model's compiled circuit by hash (verified bytes), run its forward pass (EZKL's witness) on
 * the request's input and hand the fixed-point output to the submit queue (the sender role owns the keys). The
 * answer is the circuit's own output, so a proof of the same input proves exactly it.
 */
export function createExecuteProcessor(ctx: ExecuteContext) {
  return async (job: TypedJob<"execute">): Promise<ExecuteJobResult> => {
    const started = Date.now();
    const d = job.data;
    const requestId = BigInt(d.requestId);
    ctx.logger.info({ requestId: d.requestId, jobId: job.id, attempt: job.attemptsMade + 1 }, "executing request");
    try {
      // 1. On-chain state: nothing to do for a request already executed, refunded or unknown.
      const record = await ctx.requests.get(d.hub, requestId);
      if (record.status !== RequestStatus.Requested) {
        ctx.logger.info({ requestId: d.requestId, status: requestStatusName(record.status) }, "request no longer needs a result");
        return { output: [], inferenceMs: 0, executed: false, status: record.status };
      }
      if (record.inputHash.toLowerCase() !== d.inputHash.toLowerCase()) {
        throw new StaleJobError(`request ${d.requestId}: the job's input is not the one the hub recorded (reorged event?)`, {
          metaMessages: [`  job inputHash: ${d.inputHash}`, `  hub inputHash: ${record.inputHash}`],
        });
      }

      // 2. The model, by its registered content hash.
      const model = await ctx.models.get(BigInt(d.modelId));
      if (d.input.length !== model.inputLength) {
        throw new BadInputError(`request ${d.requestId}: input has ${d.input.length} values, model ${d.modelId} takes ${model.inputLength}`);
      }
      const compiled = await ctx.circuits.get(model.circuitHash);

      if (ctx.faultDelayMs) await new Promise((r) => setTimeout(r, ctx.faultDelayMs));
      // 3. Run the circuit's forward pass: fixed-point in, fixed-point out (the proof's own numbers).
      const t0 = performance.now();
      const encoded = await ctx.witnesses.run(compiled, decodeFixedPoint(d.input, model.inputScale), model.batch);
      const inferenceMs = performance.now() - t0;
      if (encoded.length !== model.outputLength) {
        throw new InferenceError(`model ${d.modelId} produced ${encoded.length} values, the registry says ${model.outputLength}`);
      }
      if (ctx.faultOutputOffset) encoded[0] += BigInt(ctx.faultOutputOffset);
      const output = encoded.map(String);

      // 4. Hand over to the sender (idempotent job id).
      await addJob(ctx.submitQueue, {
        chainId: d.chainId,
        hub: d.hub,
        requestId: d.requestId,
        modelId: d.modelId,
        input: d.input,
        output,
        executor: d.executor,
        resultDeadline: d.resultDeadline,
        seenAt: d.seenAt,
        executeStartedAt: started,
        inferenceMs,
        readyAt: Date.now(),
      });
      ctx.metrics?.jobLatency.observe({ queue: QueueName.execute, outcome: "ok" }, (Date.now() - started) / 1000);
      return { output, inferenceMs, executed: true };
    } catch (err) {
      // A fault no retry can fix (TwinpathError.permanent) fails the job now and schedules the request's refund.
      return failJob(err, {
        queue: QueueName.execute,
        stage: null,
        log: ctx.logger.child({ requestId: d.requestId, attempt: job.attemptsMade + 1 }),
        metrics: ctx.metrics,
        onPermanent: (reason) => scheduleRefund(ctx.client, ctx.refundQueue, d, reason),
      });
    }
  };
}

/**
 * The hub has no "reject" entry point: a request we cannot serve is refunded through refundExpired once its
 * result deadline has passed. A delayed job on the `refund` queue does that (see workers/sender/refund.ts).
 */
async function scheduleRefund(client: TwinpathPublicClient, queue: TypedQueue<"refund">, d: ExecuteJobData, reason: string): Promise<void> {
  // Deadlines are in chain time: wait for the chain's clock, not ours.
  const now = Number((await client.getBlock({ blockTag: "latest" })).timestamp);
  const delay = Math.max(0, (d.resultDeadline - now + 1) * 1000);
  await addJob(
    queue,
    { chainId: d.chainId, hub: d.hub, requestId: d.requestId, reason, resultDeadline: d.resultDeadline },
    { delay, attempts: 20, backoff: { type: "exponential", delay: 5000 } },
  );
}
