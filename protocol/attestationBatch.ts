import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { Hex } from "viem";
import { ATTESTATION_LEAF_ENCODING, type Attestation } from "./attestation.js";

/** A batch ready to sign and submit: its root, and each attestation with its Merkle path (a BatchVote). */
export interface AttestationBatch {
  root: Hex;
  votes: { attestation: Attestation; proof: Hex[] }[];
}

/** The Merkle tree of `attestations` (at least one; their order is kept in `votes`). */
export function buildAttestationBatch(attestations: readonly Attestation[]): AttestationBatch {
  if (attestations.length === 0) throw new RangeError("an attestation batch needs at least one attestation");
  const tree = StandardMerkleTree.of(
    attestations.map((a) => [a.requestId, a.proofHash, a.instancesHash, a.valid]),
    [...ATTESTATION_LEAF_ENCODING],
  );
  return {
    root: tree.root as Hex,
    votes: attestations.map((attestation, i) => ({ attestation, proof: tree.getProof(i) as Hex[] })),
  };
}
