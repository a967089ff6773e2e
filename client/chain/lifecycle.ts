/**
 * A request's life, read from the hub's events (and its AttestationQuorum's votes): requested -> result -> proof ->
 * attestations -> settled or
 * refunded, each step with its transaction, block and time. `getRequestTimeline` reads what happened so far;
 * `watchRequest` follows a request live (an async iterator, or callbacks with `watchRequestEvents`).
 */
import type { Address, Hex } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";
import { valuesHash } from "../../protocol/instances.js";
import { RequestNotFoundError, WatchTimeoutError } from "../errors.js";
import { addTimestamps, getAttestationQuorum, getRequestEvents, isFinalEvent, STATUS_AFTER, type RequestEvent, type RequestEventOf } from "./events.js";
import type { ReadClient } from "./types.js";

export interface RequestLocator {
  hub: Address;
  /** the hub's AttestationQuorum (votes); read from the hub when absent */
  quorum?: Address;
  requestId: bigint;
  /**
   * Block of the request (a receipt's blockNumber), or any block at or before it. Without it the request's
   * InferenceRequested event is searched backwards from the head, `maxLookback` blocks at most.
   */
  fromBlock?: bigint;
  /** @defaultValue 1_000_000 */
  maxLookback?: number;
  /** blocks per eth_getLogs call. @defaultValue 10_000 */
  pageSize?: number;
}

/** The block of a request's InferenceRequested event (searching backwards from the head when no hint is given). */
export async function findRequestBlock(client: ReadClient, p: RequestLocator): Promise<bigint> {
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const page = BigInt(p.pageSize ?? 10_000);
  const floor = p.fromBlock ?? (head - BigInt(p.maxLookback ?? 1_000_000) > 0n ? head - BigInt(p.maxLookback ?? 1_000_000) : 0n);
  for (let to = head; to >= floor; to -= page) {
    const from = to - page + 1n > floor ? to - page + 1n : floor;
    const logs = await client.getContractEvents({ address: p.hub, abi: inferenceHubAbi, eventName: "InferenceRequested", args: { requestId: p.requestId }, fromBlock: from, toBlock: to, strict: true });
    if (logs.length) return logs[0].blockNumber;
    if (from === 0n) break;
  }
  const status = (await client.readContract({ address: p.hub, abi: inferenceHubAbi, functionName: "status", args: [p.requestId] })) as number;
  throw new RequestNotFoundError(p.requestId, {
    metaMessages: [`  hub ${p.hub}, status ${requestStatusName(status)}, searched blocks ${floor}..${head}`],
    details: status === RequestStatus.None ? "No request with this id on this hub (check the hub address and the chain)." : "Pass the request's block (fromBlock) or a larger maxLookback.",
  });
}

/** What a request's events say, step by step (times are block timestamps, seconds). */
export interface RequestTimeline {
  requestId: bigint;
  /** the hub's status now (from status(), so it also covers what no event says) */
  status: RequestStatus;
  statusName: string;
  events: RequestEvent[];
  modelId?: bigint;
  consumer?: Address;
  input?: readonly bigint[];
  requested?: StepInfo;
  result?: StepInfo & { executor: Address; output: readonly bigint[] };
  /** the last proof submitted (ZKML modes) */
  proof?: StepInfo & { prover: Address; proofHash: Hex; instancesHash: Hex; output: readonly bigint[] };
  /** votes counted by the AttestationQuorum (round: the proof's round; tallies of that round after the vote) */
  attestations: (StepInfo & { verifier: Address; round: Hex; valid: boolean; stakeValid: bigint; stakeInvalid: bigint })[];
  settled?: StepInfo & { outputHash: Hex; output?: readonly bigint[] };
  refunded?: StepInfo & { amount: bigint };
  /** result mined -> seconds after the request (chain time) */
  fastSeconds?: number;
  /** settled or refunded -> seconds after the request (chain time) */
  finalSeconds?: number;
}

export interface StepInfo {
  transactionHash: Hex;
  blockNumber: bigint;
  timestamp?: number;
}

const step = (e: RequestEvent): StepInfo => ({ transactionHash: e.transactionHash, blockNumber: e.blockNumber, timestamp: e.timestamp });
const lastOf = <N extends RequestEvent["eventName"]>(events: RequestEvent[], name: N) => events.filter((e): e is RequestEventOf<N> => e.eventName === name).at(-1);

/** Folds a request's events (chain order) into its timeline; `status` is the hub's current status. */
export function timelineOf(requestId: bigint, events: RequestEvent[], status?: RequestStatus): RequestTimeline {
  const requested = lastOf(events, "InferenceRequested");
  const result = lastOf(events, "ResultSubmitted");
  const proof = lastOf(events, "ProofSubmitted");
  const settled = lastOf(events, "RequestSettled");
  const refunded = lastOf(events, "RequestRefunded");
  const derived = events.reduce<RequestStatus>((s, e) => STATUS_AFTER[e.eventName] ?? s, RequestStatus.None);
  const st = status ?? derived;
  // the settled output is the one whose hash RequestSettled names: the fast result, or the proven output on a mismatch
  const settledOutput = settled && [result?.args.output, proof?.args.output].find((o) => o && valuesHash(o) === settled.args.outputHash);
  const start = requested?.timestamp;
  const end = (settled ?? refunded)?.timestamp;
  return {
    requestId,
    status: st,
    statusName: requestStatusName(st),
    events,
    modelId: requested?.args.modelId,
    consumer: requested?.args.consumer,
    input: requested?.args.input,
    requested: requested && step(requested),
    result: result && { ...step(result), executor: result.args.executor, output: result.args.output },
    proof: proof && { ...step(proof), prover: proof.args.prover, proofHash: proof.args.proofHash, instancesHash: proof.args.instancesHash, output: proof.args.output },
    attestations: events
      .filter((e): e is RequestEventOf<"AttestationRecorded"> => e.eventName === "AttestationRecorded")
      .map((e) => ({ ...step(e), verifier: e.args.verifier, round: e.args.round, valid: e.args.valid, stakeValid: e.args.validStake, stakeInvalid: e.args.invalidStake })),
    settled: settled && { ...step(settled), outputHash: settled.args.outputHash, output: settledOutput },
    refunded: refunded && { ...step(refunded), amount: refunded.args.amount },
    fastSeconds: start !== undefined && result?.timestamp !== undefined ? result.timestamp - start : undefined,
    finalSeconds: start !== undefined && end !== undefined ? end - start : undefined,
  };
}

/** Everything that happened to a request so far, with block times (the `status` command). */
export async function getRequestTimeline(client: ReadClient, p: RequestLocator): Promise<RequestTimeline> {
  const fromBlock = await findRequestBlock(client, p);
  const toBlock = await client.getBlockNumber({ cacheTime: 0 });
  const quorum = p.quorum ?? (await getAttestationQuorum(client, p.hub));
  const [events, status] = await Promise.all([
    getRequestEvents(client, { hub: p.hub, quorum, requestId: p.requestId, fromBlock, toBlock, pageSize: p.pageSize }),
    client.readContract({ address: p.hub, abi: inferenceHubAbi, functionName: "status", args: [p.requestId], blockNumber: toBlock }) as Promise<number>,
  ]);
  await addTimestamps(client, events);
  return timelineOf(p.requestId, events, status as RequestStatus);
}

export interface WatchRequestParameters extends RequestLocator {
  /** How often to poll for new blocks, ms. @defaultValue the client's pollingInterval (viem: 4000) */
  pollingInterval?: number;
  /** Give up (WatchTimeoutError) after this long, ms. @defaultValue no limit */
  timeoutMs?: number;
  /** Stops the watch (the iterator ends without an error). */
  signal?: AbortSignal;
  /** Fill each event's block timestamp. @defaultValue true */
  timestamps?: boolean;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * Follows a request: yields each of its events in chain order (past ones first) and ends after the event that
 * settles or refunds it (together with the other events of that block, such as the settlement callback). Throws
 * RequestNotFoundError for an unknown request, WatchTimeoutError after `timeoutMs`.
 */
export async function* watchRequest(client: ReadClient, p: WatchRequestParameters): AsyncGenerator<RequestEvent, void, undefined> {
  const deadline = p.timeoutMs === undefined ? Infinity : Date.now() + p.timeoutMs;
  const interval = p.pollingInterval ?? client.pollingInterval ?? 4000;
  const blocks = new Map<bigint, Promise<number>>();
  let next = await findRequestBlock(client, p);
  const quorum = p.quorum ?? (await getAttestationQuorum(client, p.hub));
  for (;;) {
    if (p.signal?.aborted) return;
    const head = await client.getBlockNumber({ cacheTime: 0 });
    if (head >= next) {
      const events = await getRequestEvents(client, { hub: p.hub, quorum, requestId: p.requestId, fromBlock: next, toBlock: head, pageSize: p.pageSize });
      if (p.timestamps ?? true) await addTimestamps(client, events, blocks);
      let final = false;
      for (const e of events) {
        final ||= isFinalEvent(e);
        yield e;
      }
      if (final) return;
      next = head + 1n;
    }
    if (Date.now() > deadline) throw new WatchTimeoutError(`request ${p.requestId} was not settled or refunded within ${p.timeoutMs} ms`, { metaMessages: [`  hub ${p.hub}, watched up to block ${head}`] });
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), p.signal);
  }
}

export interface WatchRequestEventsParameters extends Omit<WatchRequestParameters, "signal"> {
  onEvent: (event: RequestEvent) => void;
  /** After the settling or refunding event. */
  onDone?: () => void;
  onError?: (error: unknown) => void;
}

/** watchRequest with callbacks (viem's watch* shape): returns a function that stops watching. */
export function watchRequestEvents(client: ReadClient, p: WatchRequestEventsParameters): () => void {
  const controller = new AbortController();
  void (async () => {
    try {
      for await (const e of watchRequest(client, { ...p, signal: controller.signal })) p.onEvent(e);
      if (!controller.signal.aborted) p.onDone?.();
    } catch (err) {
      if (!controller.signal.aborted) p.onError?.(err);
    }
  })();
  return () => controller.abort();
}
