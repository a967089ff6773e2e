import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";

/** Any viem public client (HTTP, WebSocket, custom transport; any chain), in Node or a browser. */
export type ReadClient = PublicClient<Transport, Chain | undefined>;
/** A viem wallet client with an account (a local key, or a browser wallet via `custom(window.ethereum)`). */
export type WriteClient = WalletClient<Transport, Chain | undefined, Account>;

/** The protocol's contracts on one chain (scripts/deploy.ts writes them to deployments/<chainId>.json). */
export interface TwinpathAddresses {
  hub: Address;
  modelRegistry: Address;
  nodeRegistry: Address;
  /** the hub's AttestationQuorum (votes); read from the hub (`attestationQuorum()`) when absent */
  attestationQuorum?: Address;
}

/** Where log scans start: the deployment block (earlier blocks hold no protocol events). @defaultValue 0n */
export interface FromBlockOption {
  fromBlock?: bigint;
}
