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
  /** address -> time until which the hub is known to refuse it (InferenceHubNotEligible: slashed or unbonded) */
  private benched = new Map<string, number>();
  constructor(readonly keys: NodeKey[]) {}

  find(address: Address): NodeKey | undefined {
    return this.keys.find((k) => k.address.toLowerCase() === address.toLowerCase());
  }

  /** Stop using a key the hub refused as not eligible, for `ms`. */
  bench(address: Address, ms = 60_000): void {
    this.benched.set(address.toLowerCase(), Date.now() + ms);
  }

  private usable(k: NodeKey): boolean {
    return (this.benched.get(k.address.toLowerCase()) ?? 0) < Date.now();
  }

  /** The request's assigned executor's key, when it is ours and usable (no chain read needed to deliver). */
  chooseOwn(assigned: Address): NodeKey | null {
    const ours = this.find(assigned);
    return ours && this.usable(ours) ? ours : null;
  }

  /**
   * The key to deliver with: the assigned executor's if it is ours and usable; any usable key of ours once the
   * window is open (assigned = 0). Null when we must wait for the window (assigned elsewhere, or to a benched key).
   */
  choose(assigned: Address): NodeKey | null {
    const ours = this.find(assigned);
    if (ours && this.usable(ours)) return ours;
    if (assigned !== zeroAddress) return null;
    const usable = this.keys.filter((k) => this.usable(k));
    if (usable.length === 0) return null;
    return usable[this.next++ % usable.length];
  }

  has(address: Address): boolean {
    return this.find(address) !== undefined;
  }
}

export { zeroAddress };
export type { TwinpathPublicClient };
