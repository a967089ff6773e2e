// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FeeSplit} from "./FeeSplit.sol";
import {QuorumMath} from "./QuorumMath.sol";

/// @notice Fuzz tests of FeeSplit and QuorumMath (plain asserts: forge-std is not installed).
contract FeeSplitTest {
    function testFuzz_sharesAddUpToTheFee(uint96 fee, uint16 a, uint16 b, bool hasProver, bool hasVerifiers) public pure {
        uint256 x = uint256(a) % 10_001;
        uint256 y = uint256(b) % 10_001;
        (uint256 lo, uint256 hi) = x < y ? (x, y) : (y, x);
        FeeSplit.Shares memory s = FeeSplit.split(fee, lo, hi - lo, (10_000 - hi) / 2, hasProver, hasVerifiers);
        require(s.executor + s.prover + s.verifiers + s.protocol == fee, "no wei created or lost");
        if (!hasProver) require(s.prover == 0, "no prover share without a proof");
        if (!hasVerifiers) require(s.verifiers == 0, "no verifier share without verifiers");
    }

    function testFuzz_quorumOutcome(uint64 validStake, uint64 invalidStake, uint64 extra, uint16 bpsRaw) public pure {
        uint256 bps = 5_001 + (uint256(bpsRaw) % 5_000);
        uint256 total = uint256(validStake) + invalidStake + extra;
        QuorumMath.Outcome o = QuorumMath.outcome(validStake, invalidStake, total, bps);
        uint256 needed = QuorumMath.threshold(total, bps);
        require(needed * 10_000 >= total * bps && (needed == 0 || (needed - 1) * 10_000 < total * bps), "ceil");
        if (o == QuorumMath.Outcome.Accepted) require(validStake >= needed && needed > 0, "accepted only at quorum");
        if (o == QuorumMath.Outcome.Rejected) require(total - invalidStake < needed, "rejected only when quorum is impossible");
        if (o == QuorumMath.Outcome.Pending && needed > 0) {
            require(validStake < needed && total - invalidStake >= needed, "pending only while both are possible");
        }
        // with bps > 50%, valid and invalid can never both reach the threshold
        require(!(validStake >= needed && invalidStake >= needed && needed > 0), "exclusive");
    }
}
