import { encodeAbiParameters, getAbiItem, keccak256, toHex, type Address, type Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "../chain/client.js";
import { findRequestLog, type LogLookupOptions } from "../chain/findLogBackwards.js";
import { inferenceRequestedEvent } from "../chain/getRequestLogs.js";
import { proofKey, type Attestation } from "../../protocol/attestation.js";

/** Chain actions of the proof path (calls are sent through a TxSender; reads take the client). */

export const proofSubmittedEvent = getAbiItem({ abi: inferenceHubAbi, name: "ProofSubmitted" });

export const submitProofCall = (hub: Address, requestId: bigint, input: readonly bigint[], output: readonly bigint[], proof: Uint8Array) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "submitProof", args: [requestId, input, output, toHex(proof)] }) as const;

/** ZKML_ONCHAIN batch version: one proof for the requests in slot order (the hub pads the slots after them). */
export const submitBatchProofCall = (hub: Address, ids: readonly bigint[], inputs: readonly (readonly bigint[])[], outputs: readonly (readonly bigint[])[], proof: Uint8Array) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "submitBatchProof", args: [ids, inputs, outputs, toHex(proof)] }) as const;

/** ZKML_ATTESTED: the commitment (the hash; the bytes stay in the prover's store at `proofStore`). */
export const commitProofCall = (hub: Address, requestId: bigint, input: readonly bigint[], output: readonly bigint[], proofHash: Hex, proofStore: string) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "commitProof", args: [requestId, input, output, proofHash, proofStore] }) as const;

/** ZKML_ATTESTED batch version: one commitment for the requests in slot order (the hub pads the slots after them). */
export const commitBatchProofCall = (
  hub: Address,
  ids: readonly bigint[],
  inputs: readonly (readonly bigint[])[],
  outputs: readonly (readonly bigint[])[],
  proofHash: Hex,
  proofStore: string,
) => ({ address: hub, abi: inferenceHubAbi, functionName: "commitBatchProof", args: [ids, inputs, outputs, proofHash, proofStore] }) as const;

export const challengeCall = (hub: Address, requestId: bigint, input: readonly bigint[], output: readonly bigint[], proof: Uint8Array) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "challenge", args: [requestId, input, output, toHex(proof)] }) as const;

/**
 * The commitment a challenger records (commitChallenge) in an earlier block than its challenge:
 * keccak256(abi.encode(requestId, challenger, keccak256(abi.encode(output)), keccak256(proof))). It binds the
 * challenger, so a copied challenge earns its copier nothing.
 */
export function challengeCommitment(requestId: bigint, challenger: Address, output: readonly bigint[], proof: Uint8Array): Hex {
  const outputHash = keccak256(encodeAbiParameters([{ type: "int256[]" }], [[...output]]));
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
      [requestId, challenger, outputHash, keccak256(proof)],
    ),
  );
}

export const commitChallengeCall = (hub: Address, requestId: bigint, commitment: Hex) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "commitChallenge", args: [requestId, commitment] }) as const;

export const challengeCommittedEvent = getAbiItem({ abi: inferenceHubAbi, name: "ChallengeCommitted" });

/**
 * The block of the ChallengeCommitted of `commitment` (request `requestId`): looked up at `hint` (the block its
 * sender recorded) first, else backwards from the head. Null when it is not on chain (never mined, or reorged out).
 * The commitment binds its challenger, so finding it is finding that challenger's commitment.
 */
export async function findChallengeCommitment(
  client: TwinpathPublicClient,
  hub: Address,
  requestId: bigint,
  commitment: Hex,
  hint?: bigint,
  lookup: LogLookupOptions = {},
): Promise<bigint | null> {
  const ours = (l: { args: { commitment: Hex } }) => l.args.commitment.toLowerCase() === commitment.toLowerCase();
  if (hint !== undefined) {
    const logs = await client.getLogs({ address: hub, event: challengeCommittedEvent, args: { requestId }, fromBlock: hint, toBlock: hint, strict: true });
    if (logs.some(ours)) return hint;
  }
  const hit = await findRequestLog(client, hub, challengeCommittedEvent, requestId, lookup, ours);
  return hit ? hit.blockNumber : null;
}

/**
 * ZKML_ATTESTED settlement, its own step once the quorum decided (anyone may send it), with the proven output
 * (ProofSubmitted's; the hub checks it against the hash it kept).
 */
export const settleCall = (hub: Address, requestId: bigint, output: readonly bigint[]) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "settle", args: [requestId, output] }) as const;

export const settleUnchallengedCall = (hub: Address, requestId: bigint) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "settleUnchallenged", args: [requestId] }) as const;

/** Votes go to the hub's AttestationQuorum (`hub.attestationQuorum()`), in batches. */
export const submitAttestationsCall = (quorum: Address, items: readonly { attestation: Attestation; signature: Hex }[]) =>
  ({
    address: quorum,
    abi: attestationQuorumAbi,
    functionName: "submitAttestations",
    args: [items.map((i) => i.attestation), items.map((i) => i.signature)],
  }) as const;

export const claimVerifierRewardCall = (hub: Address, requestId: bigint) =>
  ({ address: hub, abi: inferenceHubAbi, functionName: "claimVerifierReward", args: [requestId] }) as const;

/** The round of a proof under attestation (votes count until its deadline; seq 0 = never opened). */
export async function getRound(client: TwinpathPublicClient, quorum: Address, requestId: bigint, proofHash: Hex, instancesHash: Hex) {
  return client.readContract({ address: quorum, abi: attestationQuorumAbi, functionName: "roundOf", args: [proofKey(requestId, proofHash, instancesHash)] });
}

/** The prover allowed to submit a proof of `requestId` now (zero if none). */
export async function getAssignedProver(client: TwinpathPublicClient, hub: Address, requestId: bigint): Promise<Address> {
  return client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "assignedProver", args: [requestId] });
}

/**
 * The input of a request, from its newest InferenceRequested event (the hub keeps only the hash; data availability
 * is through logs), looked up by its indexed requestId in bounded pages backwards from the head. Null when no event
 * is found within the lookback.
 */
export async function getRequestInput(client: TwinpathPublicClient, hub: Address, requestId: bigint, lookup: LogLookupOptions = {}): Promise<readonly bigint[] | null> {
  const hit = await findRequestLog(client, hub, inferenceRequestedEvent, requestId, lookup);
  return hit ? hit.args.input : null;
}

/**
 * The newest ProofSubmitted of a request (the hub keeps only its proofKey), looked up by its indexed requestId in
 * bounded pages backwards from the head. Null when none is found within the lookback.
 */
export async function getLatestProofLog(client: TwinpathPublicClient, hub: Address, requestId: bigint, lookup: LogLookupOptions = {}) {
  const hit = await findRequestLog(client, hub, proofSubmittedEvent, requestId, lookup);
  return hit ? { prover: hit.args.prover, proofHash: hit.args.proofHash, instancesHash: hit.args.instancesHash, transactionHash: hit.transactionHash } : null;
}

export interface ProofLog {
  requestId: bigint;
  prover: Address;
  proofHash: Hex;
  instancesHash: Hex;
  output: readonly bigint[];
  /** base URL of the prover's proof store (ZKML_ATTESTED); empty for ZKML_ONCHAIN */
  proofStore: string;
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
    proofStore: l.args.proofStore,
    blockNumber: l.blockNumber,
    blockHash: l.blockHash,
    transactionHash: l.transactionHash,
    logIndex: l.logIndex,
  }));
}
