import { parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { decodeRevertData, describeRevertData, type ProtocolError } from "./protocolError.js";

export interface ResultItem {
  requestId: bigint;
  output: readonly bigint[];
}

/** The call that delivers `items`: submitResult for one, submitResults for several. */
export function submitResultsCall(hub: Address, items: readonly ResultItem[]) {
  if (items.length === 1) {
    return { address: hub, abi: inferenceHubAbi, functionName: "submitResult", args: [items[0].requestId, items[0].output] } as const;
  }
  return {
    address: hub,
    abi: inferenceHubAbi,
    functionName: "submitResults",
    args: [items.map((i) => i.requestId), items.map((i) => i.output)],
  } as const;
}

export type ItemOutcome =
  | { requestId: bigint; delivered: true; outputHash: Hex }
  | { requestId: bigint; delivered: false; reason: string; error: ProtocolError | null };

/** What happened to each item of a mined submitResult(s) transaction, from its ResultSubmitted/ItemRejected logs. */
export function parseSubmitReceipt(receipt: TransactionReceipt, hub: Address, requestIds: readonly bigint[]): ItemOutcome[] {
  const logs = parseEventLogs({ abi: inferenceHubAbi, logs: receipt.logs }).filter((l) => l.address.toLowerCase() === hub.toLowerCase());
  const delivered = new Map<bigint, Hex>();
  const rejected = new Map<bigint, Hex>();
  for (const log of logs) {
    if (log.eventName === "ResultSubmitted") delivered.set(log.args.requestId, log.args.outputHash);
    if (log.eventName === "ItemRejected") rejected.set(log.args.requestId, log.args.reason);
  }
  return requestIds.map((requestId) => {
    const outputHash = delivered.get(requestId);
    if (outputHash) return { requestId, delivered: true, outputHash };
    const reason = rejected.get(requestId);
    if (reason !== undefined) return { requestId, delivered: false, reason: describeRevertData(reason), error: decodeRevertData(reason) };
    return { requestId, delivered: false, reason: `no ResultSubmitted for ${requestId} (tx status ${receipt.status})`, error: null };
  });
}
