import type { Hex } from "viem";
import type { RequestEvent, RequestEventName } from "./events.js";

/** Gas a request cost, by the step that spent it (named by the event that opened the step in its transaction). */
export type GasBySteps = Partial<Record<RequestEventName, number>>;

/**
 * Splits each transaction's gas over the requests it touched, equally (a batch of 10 results costs each request a
 * tenth), and books each request's share under its first event in that transaction: InferenceRequested (the
 * request), ResultSubmitted, ProofSubmitted, AttestationRecorded, RequestSettled (a settlement of its own, e.g.
 * settleUnchallenged), RequestRefunded, ... `gasUsed` maps transaction hash -> receipt gasUsed; transactions it
 * lacks are left out.
 */
export function gasByRequest(events: readonly RequestEvent[], gasUsed: ReadonlyMap<Hex, bigint>): Map<bigint, GasBySteps> {
  const byTx = new Map<Hex, Map<bigint, RequestEventName>>();
  for (const e of events) {
    const items = byTx.get(e.transactionHash) ?? new Map<bigint, RequestEventName>();
    if (!items.has(e.args.requestId)) items.set(e.args.requestId, e.eventName);
    byTx.set(e.transactionHash, items);
  }
  const out = new Map<bigint, GasBySteps>();
  for (const [tx, items] of byTx) {
    const gas = gasUsed.get(tx);
    if (gas === undefined) continue;
    const share = Number(gas) / items.size;
    for (const [requestId, step] of items) {
      const g = out.get(requestId) ?? {};
      g[step] = (g[step] ?? 0) + share;
      out.set(requestId, g);
    }
  }
  return out;
}
