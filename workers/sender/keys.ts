import { zeroAddress, type Address } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import type { ResultBatcher } from "../chain/sender/resultBatcher.js";
import type { TxSender } from "../chain/sender/txSender.js";

/** One key this process sends for: its sender (nonces) and its batcher. */
export interface NodeKey {
  address: Address;
  sender: TxSender;
  batcher: ResultBatcher;
}

/** The keys held by a sender process, and the choice of key for a request (the assigned one if it is ours). */
export class KeyRing {
  private next = 0;
  constructor(readonly keys: NodeKey[]) {}

  find(address: Address): NodeKey | undefined {
    return this.keys.find((k) => k.address.toLowerCase() === address.toLowerCase());
  }

  /** The key to deliver with, or null when the request is assigned to someone else and the window is closed. */
  choose(assigned: Address): NodeKey | null {
    const ours = this.find(assigned);
    if (ours) return ours;
    if (assigned !== zeroAddress) return null;
    return this.keys[this.next++ % this.keys.length];
  }

  has(address: Address): boolean {
    return this.find(address) !== undefined;
  }
}

export { zeroAddress };
export type { TwinpathPublicClient };
