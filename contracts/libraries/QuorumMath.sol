// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title QuorumMath
/// @notice Stake-weighted quorum over verification nodes' verdicts on one proof (ZKML_ATTESTED).
/// A proof is accepted once the stake that attested "valid" reaches ceil(total * quorumBps / 10_000), where total
/// is NodeRegistry.totalEligibleStake(Verifier) at the time of the check. It is rejected as soon as the stake that
/// attested "invalid" makes that impossible: invalid > total - threshold. Otherwise it is pending.
/// @dev Each attestation's weight is the signer's bonded stake when it was recorded. Weights can go stale if a
/// verifier unbonds afterwards; the threshold always uses the current total, so adding stake to the system raises
/// the bar for everyone.
library QuorumMath {
    uint256 internal constant BPS = 10_000;

    enum Outcome {
        Pending,
        Accepted,
        Rejected
    }

    struct Tally {
        uint128 validStake;
        uint128 invalidStake;
    }

    /// @notice Stake needed for acceptance: ceil(total * bps / 10_000).
    function threshold(uint256 totalStake, uint256 quorumBps) internal pure returns (uint256) {
        return (totalStake * quorumBps + BPS - 1) / BPS;
    }

    function outcome(Tally memory t, uint256 totalStake, uint256 quorumBps) internal pure returns (Outcome) {
        uint256 needed = threshold(totalStake, quorumBps);
        if (needed == 0) return Outcome.Pending; // no verifier stake at all: nothing can settle by quorum
        if (t.validStake >= needed) return Outcome.Accepted;
        if (t.invalidStake > totalStake - needed) return Outcome.Rejected;
        return Outcome.Pending;
    }

    /// @notice Adds `weight` to the side of `valid`.
    function add(Tally storage t, bool valid, uint256 weight) internal returns (Tally memory updated) {
        uint128 w = uint128(weight); // stake is native token wei, < 2^128 (NodeRegistry stores it as uint128)
        if (valid) t.validStake += w;
        else t.invalidStake += w;
        return t;
    }
}
