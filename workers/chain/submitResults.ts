import { decodeErrorResult, parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";

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

export type ItemOutcome = { requestId: bigint; delivered: true; outputHash: Hex } | { requestId: bigint; delivered: false; reason: string };

/** What happened to each item of a mined submitResult(s) transaction, from its ResultSubmitted/ItemRejected logs. */
export function parseSubmitReceipt(receipt: TransactionReceipt, hub: Address, requestIds: readonly bigint[]): ItemOutcome[] {
  const logs = parseEventLogs({ abi: inferenceHubAbi, logs: receipt.logs }).filter((l) => l.address.toLowerCase() === hub.toLowerCase());
  const delivered = new Map<bigint, Hex>();
  const rejected = new Map<bigint, string>();
  for (const log of logs) {
    if (log.eventName === "ResultSubmitted") delivered.set(log.args.requestId, log.args.outputHash);
    if (log.eventName === "ItemRejected") rejected.set(log.args.requestId, describeRevert(log.args.reason));
  }
  return requestIds.map((requestId) => {
    const outputHash = delivered.get(requestId);
    if (outputHash) return { requestId, delivered: true, outputHash };
    return { requestId, delivered: false, reason: rejected.get(requestId) ?? `no ResultSubmitted for ${requestId} (tx status ${receipt.status})` };
  });
}

/** Names a revert payload with the hub's ABI (e.g. "InferenceHubUnexpectedStatus(7, 2, 1)"). */
export function describeRevert(data: Hex): string {
  try {
    const decoded = decodeErrorResult({ abi: inferenceHubAbi, data });
    return `${decoded.errorName}(${(decoded.args ?? []).map(String).join(", ")})`;
  } catch {
    return data === "0x" ? "reverted without reason" : `revert data ${data}`;
  }
}
