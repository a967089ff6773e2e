import { isAddressEqual, parseEventLogs, type Address, type Hex, type Log } from "viem";
import { inferenceHubAbi } from "./abi/generated.js";
import { proofKey } from "./attestation.js";

/** A ZKML_ATTESTED batch proof as its commitBatchProof transaction announced it. */
export interface BatchCommitment {
  prover: Address;
  modelId: bigint;
  /** the batch's requests in slot order (ascending ids) */
  requestIds: bigint[];
  /** every slot's output: the requests' (from their ProofSubmitted), then the padded slots' (BatchProofCommitted) */
  outputs: bigint[][];
  proofStore: string;
}

/**
 * The batch commitment covering request `requestId` with (`proofHash`, `instancesHash`) in one transaction's logs (its
 * receipt): a BatchProofCommitted of the hub and the `requests` ProofSubmitted that follow it (the hub commits the
 * slots in order, right after announcing the batch), one of them `requestId`'s. A transaction may hold several
 * commitments, even with the same hashes (a contract prover): each is read on its own, never merged. With each
 * request's input, `buildBatchInstances(inputs, outputs, inputLength)` gives the instances the hub hashed. Null when
 * the logs hold no such batch (a single commitment, or another transaction).
 */
export function batchCommitmentFromLogs(logs: readonly Log[], hub: Address, proofHash: Hex, instancesHash: Hex, requestId: bigint): BatchCommitment | null {
  const events = parseEventLogs({ abi: inferenceHubAbi, logs: logs.filter((l) => isAddressEqual(l.address, hub)), strict: true }).sort((a, b) => (a.logIndex ?? 0) - (b.logIndex ?? 0));
  for (const [i, e] of events.entries()) {
    if (e.eventName !== "BatchProofCommitted" || e.args.proofHash !== proofHash || e.args.instancesHash !== instancesHash) continue;
    const slots: Extract<(typeof events)[number], { eventName: "ProofSubmitted" }>[] = [];
    for (const next of events.slice(i + 1)) {
      if (next.eventName === "BatchProofCommitted" || BigInt(slots.length) === e.args.requests) break;
      if (next.eventName === "ProofSubmitted") slots.push(next);
    }
    if (BigInt(slots.length) !== e.args.requests || slots.some((p) => p.args.proofHash !== proofHash || p.args.instancesHash !== instancesHash)) {
      throw new Error(`batch proof ${proofHash}: BatchProofCommitted names ${e.args.requests} requests, the ${slots.length} ProofSubmitted after it do not match`);
    }
    if (!slots.some((p) => p.args.requestId === requestId)) continue;
    return {
      prover: e.args.prover,
      modelId: e.args.modelId,
      requestIds: slots.map((p) => p.args.requestId),
      outputs: [...slots.map((p) => [...p.args.output]), ...e.args.paddingOutputs.map((o) => [...o])],
      proofStore: slots[0].args.proofStore,
    };
  }
  return null;
}

/**
 * The key the hub recorded for request `requestId`'s proof committed in the transaction with these `logs`: its batch's
 * round (keyed by the batch's first request) when that commitment was a batch proof's, else its own. What a prover
 * compares with the hub's `proofKey` to know a mined commitment is its own, whichever request of a batch it looks from.
 */
export function committedProofKey(logs: readonly Log[], hub: Address, requestId: bigint, proofHash: Hex, instancesHash: Hex): Hex {
  const batch = batchCommitmentFromLogs(logs, hub, proofHash, instancesHash, requestId);
  return proofKey(batch ? batch.requestIds[0] : requestId, proofHash, instancesHash);
}
