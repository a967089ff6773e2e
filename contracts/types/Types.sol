// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice How a model's results are verified before they settle.
/// - ZKML_ONCHAIN: the hub calls the model's verifier contract with instances it rebuilt itself (trustless).
/// - ZKML_ATTESTED: verification nodes check the proof off-chain and sign EIP-712 attestations; a stake-weighted
///   quorum settles.
/// - OPTIMISTIC: no proof; the result settles after a challenge window unless a challenger proves another output.
enum VerificationMode {
    ZKML_ONCHAIN,
    ZKML_ATTESTED,
    OPTIMISTIC
}

/// @notice The life of a request. Transitions (enforced by the hub):
/// None -> Requested -> Executed -> (ProofSubmitted ->) Settled
/// Requested | Executed | ProofSubmitted -> Refunded (a deadline passed; fail closed)
enum RequestStatus {
    None,
    Requested,
    Executed,
    ProofSubmitted,
    Settled,
    Refunded
}

/// @notice The roles a node can stake for. One address may hold several roles, each with its own stake.
enum NodeRole {
    Executor,
    Prover,
    Verifier
}
