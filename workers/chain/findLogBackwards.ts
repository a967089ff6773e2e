import type { AbiEvent, Address, GetLogsReturnType } from "viem";
import { BadInputError } from "../shared/errors.js";
import type { TwinpathPublicClient } from "./client.js";

/** Bounds of a log lookup: RPC providers refuse eth_getLogs over large ranges, so lookups page. */
export interface LogLookupOptions {
  /** Blocks per eth_getLogs call. @defaultValue 5000 */
  pageSize?: number;
  /** Blocks below the head searched at most. @defaultValue 1_000_000 */
  maxLookback?: number;
}

export const DEFAULT_LOG_PAGE_SIZE = 5_000;
export const DEFAULT_LOG_MAX_LOOKBACK = 1_000_000;

export class LogLookupOptionsError extends BadInputError {
  override name = "LogLookupOptionsError";
}

/**
 * The newest log matching `match`, searching pages of `pageSize` blocks backwards from `head` down to
 * head - maxLookback + 1 (and not below block 0). Newest first because the events the workers look up (a request's
 * input, a result) are recent; the search stops at the first page with a hit. Null when none is in range.
 */
export async function findLogBackwards<T>(
  head: bigint,
  getPage: (fromBlock: bigint, toBlock: bigint) => Promise<T[]>,
  match: (log: T) => boolean,
  opts: LogLookupOptions = {},
): Promise<T | null> {
  const pageSize = opts.pageSize ?? DEFAULT_LOG_PAGE_SIZE;
  const maxLookback = opts.maxLookback ?? DEFAULT_LOG_MAX_LOOKBACK;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new LogLookupOptionsError(`log lookup pageSize must be a positive integer, got ${pageSize}`);
  if (!Number.isSafeInteger(maxLookback) || maxLookback < 1) throw new LogLookupOptionsError(`log lookup maxLookback must be a positive integer, got ${maxLookback}`);
  const floor = head - BigInt(maxLookback) + 1n > 0n ? head - BigInt(maxLookback) + 1n : 0n;
  for (let to = head; to >= floor; ) {
    const from = to - BigInt(pageSize) + 1n > floor ? to - BigInt(pageSize) + 1n : floor;
    const logs = await getPage(from, to);
    for (let i = logs.length - 1; i >= 0; i--) if (match(logs[i])) return logs[i];
    to = from - 1n;
  }
  return null;
}

/**
 * The newest `event` of request `requestId` at `hub` that `match` accepts (findLogBackwards from the current head,
 * filtered by the event's indexed `requestId`, which every hub event about one request has). Null when none is in
 * range.
 */
export async function findRequestLog<E extends AbiEvent>(
  client: TwinpathPublicClient,
  hub: Address,
  event: E,
  requestId: bigint,
  lookup: LogLookupOptions = {},
  match: (log: GetLogsReturnType<E, [E], true>[number]) => boolean = () => true,
): Promise<GetLogsReturnType<E, [E], true>[number] | null> {
  const head = await client.getBlockNumber({ cacheTime: 0 });
  return findLogBackwards(
    head,
    (fromBlock, toBlock) =>
      client.getLogs({ address: hub, event, args: { requestId }, fromBlock, toBlock, strict: true } as never) as Promise<GetLogsReturnType<E, [E], true>>,
    match,
    lookup,
  );
}
