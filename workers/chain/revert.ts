import { BaseError, ContractFunctionRevertedError } from "viem";
import { errorMessage } from "../shared/errors.js";

/**
 * The custom error a call reverted with, as "Name(arg, ...)", read from viem's already decoded
 * ContractFunctionRevertedError; falls back to the error's short message.
 */
export function revertReason(err: unknown): string {
  const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  if (revert instanceof ContractFunctionRevertedError) {
    if (revert.data?.errorName) return `${revert.data.errorName}(${(revert.data.args ?? []).map(String).join(", ")})`;
    if (revert.reason) return revert.reason;
    if (revert.signature) return `unknown custom error ${revert.signature}`;
  }
  return errorMessage(err);
}
