import { getAbiItem, toHex, type Address, type Hex } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "../chain/client.js";
import { findLogBackwards, type LogLookupOptions } from "../chain/findLogBackwards.js";
import { inferenceRequestedEvent } from "../chain/getRequestLogs.js";
import type { Attestation } from "../../protocol/attestation.js";

/** Chain actions of the proof path (calls are sent through a TxSender; reads take the client). */

export const proofSubmittedEvent = getAbiItem({ abi: inferenceHubAbi, name: "ProofSubmitted" });

export const submitProofCall = (hub: Address, requestId: bigint, input: readonly bigint[], output: readonly bigint[], proof: Uint8Array) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "submitProof", args: [requestId, input, output, toHex(proof)] }) as const;

export const challengeCall = (hub: Address, requestId: bigint, input: readonly bigint[], output: readonly bigint[], proof: Uint8Array) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "challenge", args: [requestId, input, output, toHex(proof)] }) as const;

export const settleUnchallengedCall = (hub: Address, requestId: bigint) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "settleUnchallenged", args: [requestId] }) as const;

export const submitAttestationsCall = (hub: Address, items: readonly { attestation: Attestation; signature: Hex }[]) =>
  ({
    address: hub,
    abi: inferenceHubAbi,
    functionName: "submitAttestations",
    args: [items.map((i) => i.attestation), items.map((i) => i.signature)],
  }) as const;

export const claimVerifierRewardCall = (hub: Address, requestId: bigint) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "claimVerifierReward", args: [requestId] }) as const;

/**
 * The input of a request, from its newest InferenceRequested event (the hub keeps only the hash; data availability
 * is through logs), looked up by its indexed requestId in bounded pages backwards from the head. Null when no event
 * is found within the lookback.
 */
export async function getRequestInput(client: TwinpathPublicClient, hub: Address, requestId: bigint, lookup: LogLookupOptions = {}): Promise<readonly bigint[] | null> {
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const hit = await findLogBackwards(
    head,
    (fromBlock, toBlock) => client.getLogs({ address: hub, event: inferenceRequestedEvent, args: { requestId }, fromBlock, toBlock, strict: true }),
    () => true,
    lookup,
  );
  return hit ? hit.args.input : null;
}

export interface ProofLog {
  requestId: bigint;
  prover: Address;
  proofHash: Hex;
  instancesHash: Hex;
  output: readonly bigint[];
  proof: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
}

/** ProofSubmitted events of the hub in [fromBlock, toBlock], in chain order. */
export async function getProofLogs(client: TwinpathPublicClient, hub: Address, fromBlock: bigint, toBlock: bigint): Promise<ProofLog[]> {
  const logs = await client.getLogs({ address: hub, event: proofSubmittedEvent, fromBlock, toBlock, strict: true });
  return logs.map((l) => ({
    requestId: l.args.requestId,
    prover: l.args.prover,
    proofHash: l.args.proofHash,
    instancesHash: l.args.instancesHash,
    output: l.args.output,
    proof: l.args.proof,
    blockNumber: l.blockNumber,
    blockHash: l.blockHash,
    transactionHash: l.transactionHash,
    logIndex: l.logIndex,
  }));
}
