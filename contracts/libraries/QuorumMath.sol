// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title QuorumMath
/// @notice Stake-weighted quorum over verification nodes' verdicts on one proof (ZKML_ATTESTED), against a fixed
/// electorate: the verifier stake counted at the round's snapshot. A proof is accepted once the stake that attested
/// "valid" reaches ceil(electorate * quorumBps / 10_000). It is rejected as soon as the stake that attested "invalid"
/// makes that impossible: invalid > electorate - threshold. Otherwise it is pending.
/// @dev Weights and the pass mark come from the same snapshot, so no stake move after it (unbonding, a second key)
/// changes either.
library QuorumMath {
    uint256 internal constant BPS = 10_000;

    enum Outcome {
        Pending,
        Accepted,
        Rejected
    }

    /// @notice The key of the round of a proof under attestation, and the hub's record of the proof it holds:
    /// keccak256(abi.encode(requestId, proofHash, instancesHash)).
    function roundKey(uint256 requestId, bytes32 proofHash, bytes32 instancesHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(requestId, proofHash, instancesHash));
    }

    /// @notice Stake needed for acceptance: ceil(electorate * bps / 10_000).
    function threshold(uint256 electorate, uint256 quorumBps) internal pure returns (uint256) {
        return (electorate * quorumBps + BPS - 1) / BPS;
    }

    function outcome(uint256 validStake, uint256 invalidStake, uint256 electorate, uint256 quorumBps)
        internal
        pure
        returns (Outcome)
    {
        uint256 needed = threshold(electorate, quorumBps);
        if (needed == 0) return Outcome.Pending; // an empty electorate decides nothing
        if (validStake >= needed) return Outcome.Accepted;
        if (invalidStake > electorate - needed) return Outcome.Rejected;
        return Outcome.Pending;
    }
}
