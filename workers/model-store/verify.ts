import { keccak256, type Hex } from "viem";
import { ModelHashMismatchError } from "../shared/errors.js";

/** Throws ModelHashMismatchError unless keccak256(bytes) is `expected`. */
export function verifyModelBytes(bytes: Uint8Array, expected: Hex, source: string): void {
  const actual = keccak256(bytes);
  if (actual.toLowerCase() !== expected.toLowerCase()) throw new ModelHashMismatchError(expected, actual, source);
}
