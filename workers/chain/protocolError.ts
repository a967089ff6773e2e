import { BaseError, ContractFunctionRevertedError, decodeErrorResult, type DecodeErrorResultReturnType, type Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi, modelRegistryAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { errorMessage, walk } from "../shared/errors.js";

type Decoded<abi extends readonly unknown[]> = DecodeErrorResultReturnType<abi> extends infer E
  ? E extends { errorName: infer N; args: infer A }
    ? { errorName: N; args: A }
    : never
  : never;

/**
 * A custom error of the protocol's contracts (the hub, the registries), decoded with their ABIs: a discriminated
 * union on `errorName` whose `args` are typed per error, so `e.errorName === "InferenceHubNotAssigned"` narrows
 * `e.args[3]` to the openAt timestamp. Solidity's built-in Error(string) and Panic(uint256) decode too.
 */
export type ProtocolError =
  | Decoded<typeof inferenceHubAbi>
  | Decoded<typeof modelRegistryAbi>
  | Decoded<typeof nodeRegistryAbi>
  | Decoded<typeof attestationQuorumAbi>;
export type ProtocolErrorName = ProtocolError["errorName"];

const ABIS = [inferenceHubAbi, modelRegistryAbi, nodeRegistryAbi, attestationQuorumAbi] as const;

/** Revert data -> the protocol error it encodes, or null (empty data, an unknown selector). */
export function decodeRevertData(data: Hex | undefined): ProtocolError | null {
  if (!data || data.length < 10) return null;
  for (const abi of ABIS) {
    try {
      const { errorName, args } = decodeErrorResult({ abi, data });
      return { errorName, args } as ProtocolError;
    } catch {
      // not this contract's error: try the next ABI
    }
  }
  return null;
}

/**
 * The protocol error behind any thrown value: follows the cause chain (TwinpathError, viem's BaseError) to the
 * revert, decoded from viem's ContractFunctionRevertedError or from raw revert data a node returned. Null when the
 * failure was no revert of ours (RPC down, a timeout, another contract).
 */
export function protocolErrorOf(err: unknown): ProtocolError | null {
  let found: ProtocolError | null = null;
  walk(err, (e) => {
    if (e instanceof BaseError) {
      const revert = e.walk((x) => x instanceof ContractFunctionRevertedError);
      if (revert instanceof ContractFunctionRevertedError) found = decodeRevertData(revert.raw) ?? (revert.data as ProtocolError | undefined) ?? null;
      if (!found) {
        const raw = e.walk((x) => typeof (x as { data?: unknown }).data === "string") as { data?: Hex } | null;
        found = decodeRevertData(raw?.data);
      }
    }
    return found !== null;
  });
  return found;
}

/** "Name(arg, ...)", for logs and job failure reasons. */
export const formatProtocolError = (e: ProtocolError): string => `${e.errorName}(${((e.args ?? []) as readonly unknown[]).map(String).join(", ")})`;

/** Revert data as "Name(arg, ...)" (ItemRejected reasons), or what it is when it is none of ours. */
export function describeRevertData(data: Hex): string {
  const e = decodeRevertData(data);
  if (e) return formatProtocolError(e);
  return data === "0x" ? "reverted without reason" : `revert data ${data}`;
}

/** A failure as one line: the decoded protocol error when there is one, else the error's short message. */
export function failureReason(err: unknown): string {
  const e = protocolErrorOf(err);
  return e ? formatProtocolError(e) : errorMessage(err);
}
