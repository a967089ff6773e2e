import type { Address, Hex } from "viem";

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

/** The lowest quorum the hub accepts as a parameter (HubParameters.MIN_QUORUM_BPS): more than half of the stake. */
export const MIN_QUORUM_BPS = 5_001;

/** Stake that must attest "valid" to accept a proof: ceil(total * quorumBps / 10_000) (QuorumMath.threshold). */
export const quorumThreshold = (totalStake: bigint, quorumBps: number): bigint => (totalStake * BigInt(quorumBps) + 9_999n) / 10_000n;
