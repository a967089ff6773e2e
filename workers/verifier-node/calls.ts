import type { Address, Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { AttestationBatch } from "../../protocol/attestationBatch.js";

/** One signed batch of this node's votes (AttestationQuorum.submitAttestationBatch). */
export const submitAttestationBatchCall = (quorum: Address, root: Hex, signature: Hex, votes: AttestationBatch["votes"]) =>
  ({ address: quorum, abi: attestationQuorumAbi, functionName: "submitAttestationBatch", args: [root, signature, votes] }) as const;

/** ZKML_ATTESTED settlement of many decided requests, item by item (InferenceHub.settleMany). */
export const settleManyCall = (hub: Address, requestIds: readonly bigint[]) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "settleMany", args: [requestIds] }) as const;
