import { BaseError, NonceTooHighError, NonceTooLowError } from "viem";
import { getNodeError } from "viem/utils";

/** EIP-1559 fees of one transaction. */
export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/**
 * Fees of a replacement: at least `percent` above the previous ones (nodes require >= 10% to replace a pending
 * transaction), and never below what the network asks now.
 */
export function bumpFees(previous: Fees, current: Fees, percent: number): Fees {
  const bump = (v: bigint) => (v * BigInt(100 + percent) + 99n) / 100n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  const maxPriorityFeePerGas = max(bump(previous.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
  const maxFeePerGas = max(max(bump(previous.maxFeePerGas), current.maxFeePerGas), maxPriorityFeePerGas);
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/**
 * Node errors meaning "this nonce is not the one I expect" (too low: mined or already known; too high: a gap):
 * resynchronise from the chain and retry. viem's getNodeError maps the node's message to its error classes.
 */
export function isNonceError(err: unknown): boolean {
  if (!(err instanceof BaseError)) return false;
  const nodeError = getNodeError(err, {});
  return nodeError instanceof NonceTooLowError || nodeError instanceof NonceTooHighError;
}
