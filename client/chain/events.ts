/**
 * The one place that turns the protocol's logs into a request's lifecycle: the hub's, and its AttestationQuorum's
 * (rounds and votes of verification nodes live there). Which events belong to a request is read from the generated
 * ABIs (every event whose first parameter is an indexed `requestId`), so an ABI change is followed here and nowhere
 * else: the watcher, the timeline, the offline verifier and the explorer all decode through this module.
 */
import { formatLog, pad, parseEventLogs, toEventSelector, toHex, type AbiEvent, type Address, type Hex, type ParseEventLogsReturnType, type RpcLog } from "viem";
import { attestationQuorumAbi, inferenceHubAbi } from "../../protocol/abi/generated.js";
import { RequestStatus } from "../../protocol/enums.js";
import type { ReadClient } from "./types.js";

type HubEvent = ParseEventLogsReturnType<typeof inferenceHubAbi, undefined, true>[number];
type QuorumEvent = ParseEventLogsReturnType<typeof attestationQuorumAbi, undefined, true>[number];

/**
 * A decoded event about one request (typed args per `eventName`) — the hub's, or its AttestationQuorum's
 * (RoundOpened, AttestationRecorded, AttestationRejected) — with its block's timestamp once known.
 */
export type RequestEvent = Extract<HubEvent | QuorumEvent, { args: { requestId: bigint } }> & {
  /** block timestamp, seconds (chain time) */
  timestamp?: number;
};
export type RequestEventName = RequestEvent["eventName"];
/** The event with this name, typed. */
export type RequestEventOf<N extends RequestEventName> = Extract<RequestEvent, { eventName: N }>;

type AbiItem = (typeof inferenceHubAbi)[number] | (typeof attestationQuorumAbi)[number];
const isRequestEvent = <I extends AbiItem>(item: I): item is Extract<I, { type: "event" }> =>
  item.type === "event" && item.inputs[0]?.name === "requestId" && item.inputs[0]?.indexed === true;

/** The hub's and the AttestationQuorum's events about one request (first parameter an indexed requestId). */
export const requestEventAbi = [...inferenceHubAbi.filter(isRequestEvent), ...attestationQuorumAbi.filter(isRequestEvent)];
const requestEventSelectors = requestEventAbi.map((e) => toEventSelector(e as AbiEvent));

/** The status a request has after each lifecycle event (other events, e.g. CallbackDelivered, leave it as it was). */
export const STATUS_AFTER: Partial<Record<RequestEventName, RequestStatus>> = {
  InferenceRequested: RequestStatus.Requested,
  ResultSubmitted: RequestStatus.Executed,
  ProofSubmitted: RequestStatus.ProofSubmitted,
  ProofRejected: RequestStatus.Executed, // the request is open for another proof
  RequestSettled: RequestStatus.Settled,
  RequestRefunded: RequestStatus.Refunded,
};

/** True for the events after which nothing more happens to the request (it was settled or refunded). */
export const isFinalEvent = (e: { eventName: string }): boolean => {
  const s = STATUS_AFTER[e.eventName as RequestEventName];
  return s === RequestStatus.Settled || s === RequestStatus.Refunded;
};

export interface GetRequestEventsParameters {
  hub: Address;
  /** the hub's AttestationQuorum (`hub.attestationQuorum()`): its votes are read too when given */
  quorum?: Address;
  /** only this request's events; all requests' when absent */
  requestId?: bigint;
  fromBlock: bigint;
  toBlock: bigint;
  /** blocks per eth_getLogs call (providers cap the range). @defaultValue 10_000 */
  pageSize?: number;
}

/** Request events of the hub (and its quorum, when given) in [fromBlock, toBlock], in chain order, paged. */
export async function getRequestEvents(client: ReadClient, p: GetRequestEventsParameters): Promise<RequestEvent[]> {
  const size = BigInt(p.pageSize ?? 10_000);
  const topics: (Hex | Hex[] | null)[] = [requestEventSelectors];
  if (p.requestId !== undefined) topics.push(pad(toHex(p.requestId), { size: 32 }));
  const out: RequestEvent[] = [];
  for (let from = p.fromBlock; from <= p.toBlock; from += size) {
    const to = from + size - 1n < p.toBlock ? from + size - 1n : p.toBlock;
    const raw = (await client.request({
      method: "eth_getLogs",
      params: [{ address: p.quorum ? [p.hub, p.quorum] : p.hub, topics, fromBlock: toHex(from), toBlock: toHex(to) }],
    })) as RpcLog[];
    out.push(...decodeRequestLogs(raw.map((l) => formatLog(l))));
  }
  return out;
}

/** Hub or quorum logs (any, e.g. a receipt's) -> the request events among them, in chain order. */
export function decodeRequestLogs(logs: Parameters<typeof parseEventLogs>[0]["logs"]): RequestEvent[] {
  const decoded = parseEventLogs({ abi: requestEventAbi, logs, strict: true }) as unknown as RequestEvent[];
  return decoded.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
}

/** The hub's AttestationQuorum, where verification nodes vote (and the EIP-712 verifying contract of their votes). */
export async function getAttestationQuorum(client: ReadClient, hub: Address): Promise<Address> {
  return client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "attestationQuorum" });
}

/** Fills each event's `timestamp` from its block (one getBlock per block; `cache` keeps them across calls). */
export async function addTimestamps<E extends { blockNumber: bigint; timestamp?: number }>(client: ReadClient, events: E[], cache = new Map<bigint, Promise<number>>()): Promise<E[]> {
  for (const e of events) {
    if (e.timestamp !== undefined) continue;
    let t = cache.get(e.blockNumber);
    if (!t) {
      t = client.getBlock({ blockNumber: e.blockNumber }).then((b) => Number(b.timestamp));
      t.catch(() => cache.delete(e.blockNumber));
      cache.set(e.blockNumber, t);
    }
    e.timestamp = await t;
  }
  return events;
}
