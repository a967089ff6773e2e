import { isAddressEqual, parseEventLogs, type Address, type Hex, type Log } from "viem";
import { inferenceHubAbi } from "./abi/generated.js";

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
 * The batch commitment of (`proofHash`, `instancesHash`) in one transaction's logs (its receipt): the hub's
 * BatchProofCommitted and the ProofSubmitted of each request it covers, in log order (the hub commits the slots in
 * order). With each request's input, `buildBatchInstances(inputs, outputs, inputLength)` gives the instances the hub
 * hashed. Null when the logs hold no such batch (a single commitment, or another transaction).
 */
export function batchCommitmentFromLogs(logs: readonly Log[], hub: Address, proofHash: Hex, instancesHash: Hex): BatchCommitment | null {
  const ours = logs.filter((l) => isAddressEqual(l.address, hub));
  const [batch] = parseEventLogs({ abi: inferenceHubAbi, logs: ours, eventName: "BatchProofCommitted", strict: true }).filter(
    (e) => e.args.proofHash === proofHash && e.args.instancesHash === instancesHash,
  );
  if (!batch) return null;
  const slots = parseEventLogs({ abi: inferenceHubAbi, logs: ours, eventName: "ProofSubmitted", strict: true }).filter(
    (e) => e.args.proofHash === proofHash && e.args.instancesHash === instancesHash && (e.logIndex ?? 0) > (batch.logIndex ?? 0),
  );
  if (BigInt(slots.length) !== batch.args.requests) {
    throw new Error(`batch proof ${proofHash}: BatchProofCommitted names ${batch.args.requests} requests, the transaction has ${slots.length} ProofSubmitted`);
  }
  return {
    prover: batch.args.prover,
    modelId: batch.args.modelId,
    requestIds: slots.map((e) => e.args.requestId),
    outputs: [...slots.map((e) => [...e.args.output]), ...batch.args.paddingOutputs.map((o) => [...o])],
    proofStore: slots[0]?.args.proofStore ?? "",
  };
}
