import type { Address } from "viem";
import { valuesHash } from "../../protocol/instances.js";
import type { RequestLog } from "../chain/getRequestLogs.js";
import type { TypedQueue } from "../queues/connection.js";
import { jobId, jobIdFor, type ExecuteJobData } from "../queues/jobs.js";
import { QueueName } from "../queues/names.js";
import type { Logger } from "../shared/logger.js";
import type { JobSink } from "./types.js";

export function toExecuteJob(chainId: number, hub: Address, log: RequestLog, seenAt = Date.now()): ExecuteJobData {
  return {
    chainId,
    hub,
    requestId: log.requestId.toString(),
    modelId: log.modelId.toString(),
    consumer: log.consumer,
    executor: log.executor,
    input: log.input.map(String),
    inputHash: valuesHash(log.input),
    fee: log.fee.toString(),
    resultDeadline: Number(log.resultDeadline),
    blockNumber: Number(log.blockNumber),
    blockHash: log.blockHash,
    txHash: log.transactionHash,
    seenAt,
  };
}

/**
 * Adds one execute job per request with id execute-<chainId>-<requestId>: a replay is a no-op. A job left from
 * another fork (same id, different block hash) is replaced, together with its finished submit and prove jobs, because after
 * a reorg the same request id may carry another input.
 */
export function queueJobSink(opts: {
  queue: TypedQueue<"execute">;
  submitQueue?: TypedQueue<"submit">;
  proveQueue?: TypedQueue<"prove">;
  chainId: number;
  hub: Address;
  logger?: Logger;
}): JobSink {
  return {
    async enqueue(logs) {
      let added = 0;
      let duplicates = 0;
      let replaced = 0;
      const fresh: { name: "execute"; data: ExecuteJobData; opts: { jobId: string } }[] = [];
      await Promise.all(
        logs.map(async (log) => {
          const data = toExecuteJob(opts.chainId, opts.hub, log);
          const id = jobIdFor(QueueName.execute, data);
          const existing = await opts.queue.getJob(id);
          if (existing) {
            if (existing.data.blockHash === log.blockHash) return duplicates++;
            const state = await existing.getState();
            if (state === "active") {
              opts.logger?.warn({ jobId: id }, "job from another fork is running; it will be refused by the input hash check");
              return duplicates++;
            }
            await existing.remove();
            // Later stages of the old fork's request go too, so their ids are free for the new one.
            for (const [queue, stage] of [[opts.submitQueue, QueueName.submit], [opts.proveQueue, QueueName.prove]] as const) {
              const old = queue ? await queue.getJob(jobId(stage, opts.chainId, log.requestId)) : undefined;
              if (old && (await old.getState()) !== "active") await old.remove();
            }
            replaced++;
          } else {
            added++;
          }
          fresh.push({ name: QueueName.execute, data, opts: { jobId: id } });
        }),
      );
      if (fresh.length) await opts.queue.addBulk(fresh);
      return { added, duplicates, replaced };
    },
    backlog: () => opts.queue.getWaitingCount(),
  };
}
