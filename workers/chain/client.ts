import { createPublicClient, createWalletClient, defineChain, http, type Account, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { ChainError } from "../shared/errors.js";
import type { ConnectionEvents } from "../shared/outage.js";

export interface ChainClientOptions {
  rpcUrl: string;
  chainId: number;
  /** How often viem polls (receipts, watchers). Short on a local chain. @defaultValue 250 */
  pollingIntervalMs?: number;
  /** Per-request HTTP timeout. @defaultValue 10_000 */
  timeoutMs?: number;
  /** JSON-RPC calls made in the same tick go in one HTTP request, up to this many; 0 or unset: one per request. */
  batchSize?: number;
  /** Told of every failed and every successful request: the role's RPC outage log (shared/outage.ts). */
  connection?: ConnectionEvents;
}

export type TwinpathPublicClient = PublicClient<Transport, Chain>;
export type TwinpathWalletClient = WalletClient<Transport, Chain, Account>;

export const twinpathChain = (chainId: number, rpcUrl: string): Chain =>
  defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });

/**
 * The HTTP transport of both clients. Transport retries are off: the workers own retry policy (BullMQ backoff,
 * listener loop). A request that cannot reach the node (refused, timed out, a 5xx from a gateway) tells
 * `connection.failed`; any answer tells `connection.recovered`.
 */
function transport(options: ChainClientOptions) {
  const events = options.connection;
  const fetchFn: typeof fetch | undefined = events
    ? async (input, init) => {
        let res: Response;
        try {
          res = await fetch(input, init);
        } catch (err) {
          events.failed(err);
          throw err;
        }
        if (res.status >= 500) events.failed(new Error(`HTTP ${res.status} ${res.statusText}`));
        else events.recovered();
        return res;
      }
    : undefined;
  const batch = options.batchSize ? { batchSize: options.batchSize, wait: 0 } : false;
  return http(options.rpcUrl, { retryCount: 0, timeout: options.timeoutMs ?? 10_000, fetchFn, batch });
}

/** A read client. */
export function createChainClient(options: ChainClientOptions): TwinpathPublicClient {
  return createPublicClient({
    chain: twinpathChain(options.chainId, options.rpcUrl),
    transport: transport(options),
    pollingInterval: options.pollingIntervalMs ?? 250,
  });
}

export function createSignerClient(options: ChainClientOptions, privateKey: Hex): TwinpathWalletClient {
  return createWalletClient({
    account: privateKeyToAccount(privateKey),
    chain: twinpathChain(options.chainId, options.rpcUrl),
    transport: transport(options),
    pollingInterval: options.pollingIntervalMs ?? 250,
  });
}

/** Refuses to run against another chain than the configured one (a wrong RPC_URL would be silent otherwise). */
export async function assertChainId(client: TwinpathPublicClient, expected: number): Promise<void> {
  const actual = await client.getChainId();
  if (actual !== expected) {
    throw new ChainError(`RPC is on chain ${actual}, configuration says CHAIN_ID=${expected}`, {
      details: "Point RPC_URL at the right chain or fix CHAIN_ID.",
    });
  }
}
