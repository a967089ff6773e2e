import type { ContractFunctionArgs } from "viem";
import { modelRegistryAbi } from "./abi/generated.js";

/** ModelRegistry.ModelSpec as viem encodes it for registerModel (derived from the ABI, so it follows the contract). */
export type ModelSpec = ContractFunctionArgs<typeof modelRegistryAbi, "nonpayable", "registerModel">[0];

/** Limits ModelRegistry enforces at registration (contracts/registry/ModelRegistry.sol). */
export const MAX_TENSOR_LENGTH = 4096;
export const MAX_RANK = 8;
export const MAX_SCALE = 24;

/** Number of elements of a tensor of `shape`. */
export const tensorLength = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Why ModelRegistry would refuse this tensor (shape, scale), or null: a rank of 1..MAX_RANK, dimensions > 0,
 * at most MAX_TENSOR_LENGTH elements, a scale of 0..MAX_SCALE. `what` names it in the message ("input").
 */
export function tensorProblem(what: string, shape: readonly number[], scale: number): { path: string; message: string } | null {
  if (shape.length === 0 || shape.length > MAX_RANK) return { path: `${what}.shape`, message: `rank ${shape.length} is not in 1..${MAX_RANK}` };
  const zero = shape.findIndex((d) => !Number.isInteger(d) || d <= 0);
  if (zero >= 0) return { path: `${what}.shape.${zero}`, message: "dimensions must be > 0" };
  if (tensorLength(shape) > MAX_TENSOR_LENGTH) return { path: `${what}.shape`, message: `has more than ${MAX_TENSOR_LENGTH} elements` };
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) return { path: `${what}.scale`, message: `scale ${scale} is not in 0..${MAX_SCALE}` };
  return null;
}
