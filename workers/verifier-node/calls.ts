import type { Address, Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { AttestationBatch } from "../../protocol/attestationBatch.js";

/** One signed batch of this node's votes (AttestationQuorum.submitAttestationBatch). */
export const submitAttestationBatchCall = (quorum: Address, root: Hex, signature: Hex, votes: AttestationBatch["votes"]) =>
  ({ address: quorum, abi: attestationQuorumAbi, functionName: "submitAttestationBatch", args: [root, signature, votes] }) as const;

/** A decided request to settle and its proven output (ProofSubmitted's; the hub keeps only its hash). */
export interface SettleItem {
  requestId: bigint;
  output: readonly bigint[];
  /** the proof's round (Request.proofKey) the settlement is for: an item whose request moved on to another proof is
   * left out. Unset: any proof the request waits on. */
  proofKey?: Hex;
}

/** ZKML_ATTESTED settlement of many decided requests, item by item (InferenceHub.settleMany). */
export const settleManyCall = (hub: Address, items: readonly SettleItem[]) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "settleMany", args: [items.map((i) => i.requestId), items.map((i) => i.output)] }) as const;
