// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FeeSplit
/// @notice Splits a request's fee between the roles that settled it. Basis points are set by the hub admin and sum
/// to 10_000. The protocol takes the rounding remainder, so the four shares always add up to the fee exactly.
/// A role that took no part in a mode passes its share on: the verifier share goes to the prover when there are
/// no verification nodes (ZKML_ONCHAIN), and prover + verifier shares go to the executor when there is no proof
/// (OPTIMISTIC, unchallenged).
library FeeSplit {
    uint256 internal constant BPS = 10_000;

    struct Shares {
        uint256 executor;
        uint256 prover;
        uint256 verifiers;
        uint256 protocol;
    }

    /// @param hasProver a proof was part of settlement
    /// @param hasVerifiers verification nodes (attestations) were part of settlement
    function split(
        uint256 fee,
        uint256 executorBps,
        uint256 proverBps,
        uint256 verifierBps,
        bool hasProver,
        bool hasVerifiers
    ) internal pure returns (Shares memory s) {
        s.executor = fee * executorBps / BPS;
        s.prover = fee * proverBps / BPS;
        s.verifiers = fee * verifierBps / BPS;
        if (!hasVerifiers) {
            if (hasProver) s.prover += s.verifiers;
            else s.executor += s.verifiers;
            s.verifiers = 0;
        }
        if (!hasProver) {
            s.executor += s.prover;
            s.prover = 0;
        }
        s.protocol = fee - s.executor - s.prover - s.verifiers;
    }
}
