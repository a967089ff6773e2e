import type { Address } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";

/** The call that refunds a request whose deadline passed (anyone may call; the responsible node is slashed). */
export const refundExpiredCall = (hub: Address, requestId: bigint) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "refundExpired", args: [requestId] }) as const;
