import { concat, encodeAbiParameters, keccak256, type Address, type Hex } from "viem";

/**
 * A verification node's verdict on one published proof, as the attestation quorum checks it (contracts/hub/
 * AttestationQuorum.sol, OpenZeppelin EIP712): domain "Twinpath" version "1" bound to the chain and the quorum
 * contract (IInferenceHub.attestationQuorum(), not the hub), type
 * Attestation(uint256 requestId,bytes32 proofHash,bytes32 instancesHash,bool valid).
 */
export interface Attestation {
  requestId: bigint;
  proofHash: Hex;
  instancesHash: Hex;
  valid: boolean;
}

export const ATTESTATION_DOMAIN = { name: "Twinpath", version: "1" } as const;

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "requestId", type: "uint256" },
    { name: "proofHash", type: "bytes32" },
    { name: "instancesHash", type: "bytes32" },
    { name: "valid", type: "bool" },
  ],
} as const;

/** The typed data a node signs (viem's signTypedData / hashTypedData take it as is). */
export const attestationTypedData = (chainId: number, quorum: Address, attestation: Attestation) =>
  ({
    domain: { ...ATTESTATION_DOMAIN, chainId, verifyingContract: quorum },
    types: ATTESTATION_TYPES,
    primaryType: "Attestation",
    message: attestation,
  }) as const;

/**
 * The key of a recorded proof: the hub's `Request.proofKey` and the AttestationQuorum's round of it
 * (QuorumMath.roundKey): keccak256(abi.encode(requestId, proofHash, instancesHash)).
 */
export const proofKey = (requestId: bigint, proofHash: Hex, instancesHash: Hex): Hex =>
  keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }], [requestId, proofHash, instancesHash]));

/** The lowest quorum the hub accepts as a parameter (HubParameters.MIN_QUORUM_BPS): more than half of the stake. */
export const MIN_QUORUM_BPS = 5_001;

/** Stake that must attest "valid" to accept a proof: ceil(total * quorumBps / 10_000) (QuorumMath.threshold). */
export const quorumThreshold = (totalStake: bigint, quorumBps: number): bigint => (totalStake * BigInt(quorumBps) + 9_999n) / 10_000n;

/** A node's ballot in a round, as AttestationQuorum.attestationOf returns it (its VERDICT_* constants). */
export const Ballot = { None: 0, Valid: 1, Invalid: 2 } as const;
export const ballotOf = (valid: boolean): number => (valid ? Ballot.Valid : Ballot.Invalid);

/** QuorumMath.Outcome: what a round's tallies decide. */
export const QuorumOutcome = { Pending: 0, Accepted: 1, Rejected: 2 } as const;
export type QuorumOutcome = (typeof QuorumOutcome)[keyof typeof QuorumOutcome];

/**
 * QuorumMath.outcome: accepted once the valid stake reaches the threshold, rejected once the invalid stake makes that
 * impossible, else pending (an empty electorate decides nothing). Monotone: once decided, later votes never change it.
 */
export function quorumOutcome(validStake: bigint, invalidStake: bigint, electorate: bigint, quorumBps: number): QuorumOutcome {
  const needed = quorumThreshold(electorate, quorumBps);
  if (needed === 0n) return QuorumOutcome.Pending;
  if (validStake >= needed) return QuorumOutcome.Accepted;
  if (invalidStake > electorate - needed) return QuorumOutcome.Rejected;
  return QuorumOutcome.Pending;
}

/**
 * A batch of verdicts signed once: the node signs `AttestationBatch(bytes32 root)` (same domain as a single
 * attestation) where `root` is the root of an OpenZeppelin StandardMerkleTree over its attestations. Each leaf is
 * keccak256(bytes.concat(keccak256(abi.encode(requestId, proofHash, instancesHash, valid)))) and pairs are hashed
 * sorted, which is what AttestationQuorum.leafHash and OpenZeppelin's MerkleProof check on chain.
 */
export const ATTESTATION_BATCH_TYPES = {
  AttestationBatch: [{ name: "root", type: "bytes32" }],
} as const;

/** The Merkle leaf encoding of an attestation (StandardMerkleTree leafEncoding). */
export const ATTESTATION_LEAF_ENCODING = ["uint256", "bytes32", "bytes32", "bool"] as const;

/** The typed data a node signs for a batch. */
export const attestationBatchTypedData = (chainId: number, quorum: Address, root: Hex) =>
  ({
    domain: { ...ATTESTATION_DOMAIN, chainId, verifyingContract: quorum },
    types: ATTESTATION_BATCH_TYPES,
    primaryType: "AttestationBatch",
    message: { root },
  }) as const;

/** The batch tree's leaf of `a`: keccak256(keccak256(abi.encode(requestId, proofHash, instancesHash, valid))). */
export const attestationLeafHash = (a: Attestation): Hex =>
  keccak256(keccak256(encodeAbiParameters(ATTESTATION_LEAF_ENCODING.map((type) => ({ type })), [a.requestId, a.proofHash, a.instancesHash, a.valid])));

/** True when `proof` leads from `a`'s leaf to `root` with sorted-pair hashing (OpenZeppelin MerkleProof.verify). */
export function attestationInBatch(root: Hex, a: Attestation, proof: readonly Hex[]): boolean {
  let h = attestationLeafHash(a);
  for (const p of proof) h = keccak256(BigInt(h) < BigInt(p) ? concat([h, p]) : concat([p, h]));
  return h.toLowerCase() === root.toLowerCase();
}
