import { DelayedError } from "bullmq";
import type { TwinpathPublicClient } from "../chain/client.js";
import { getRequest } from "../chain/getRequest.js";
import { refundExpiredCall } from "../chain/refundExpired.js";
import type { TypedJob } from "../queues/connection.js";
import type { RefundJobResult } from "../queues/jobs.js";
import { classifyFailure } from "../chain/failurePolicy.js";
import type { Logger } from "../shared/logger.js";
import type { KeyRing } from "./keys.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";

/**
 * The refund job: a request this node cannot serve (unknown model, corrupt model file, bad input) gets an
 * on-chain outcome: once its result deadline passed, refundExpired refunds the consumer (and the hub slashes the
 * assigned executor, which is the honest price of not delivering).
 */
export function createRefundProcessor(ctx: { client: TwinpathPublicClient; keys: KeyRing; logger: Logger }) {
  return async (job: TypedJob<"refund">, token?: string): Promise<RefundJobResult> => {
    const d = job.data;
    const requestId = BigInt(d.requestId);
    const record = await getRequest(ctx.client, { hub: d.hub, requestId });
    if (record.status !== RequestStatus.Requested) return { refunded: false, status: requestStatusName(record.status) };
    try {
      const sent = await ctx.keys.keys[0].sender.send({ call: refundExpiredCall(d.hub, requestId), label: "refundExpired" });
      ctx.logger.info({ requestId: d.requestId, txHash: sent.hash, reason: d.reason }, "request refunded");
      return { refunded: true, status: "Refunded", txHash: sent.hash };
    } catch (err) {
      if (classifyFailure("refund", err).action === "delay") {
        await job.moveToDelayed(Date.now() + 5000, token);
        throw new DelayedError();
      }
      throw err;
    }
  };
}
