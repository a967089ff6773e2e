// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";

/// @title ReentrantVerifier
/// @notice TEST ONLY. Fault injection: a model verifier that tries to call back into the hub (payload chosen by the
/// test) while the hub is verifying a proof. It accepts the proof only if that re-entry FAILED, so a settled request
/// shows the hub kept the re-entry out (the hub calls verifiers read-only and holds its lock).
contract ReentrantVerifier is IProofVerifier {
    address public immutable hub;
    bytes public attack;

    constructor(address hub_) {
        hub = hub_;
    }

    function setAttack(bytes calldata payload) external {
        attack = payload;
    }

    function verifyProof(bytes calldata, uint256[] calldata) external view returns (bool) {
        // A view function can still attempt a call; under the hub's staticcall any state change reverts.
        (bool reentered,) = hub.staticcall(attack);
        if (reentered) return false;
        (bool ok,) = address(this).staticcall(abi.encodeCall(this.tryCall, ()));
        return !ok;
    }

    /// @dev A state-changing re-entry attempt (declared non-view so the compiler emits CALL, not STATICCALL).
    function tryCall() external {
        (bool ok, bytes memory ret) = hub.call(attack);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}
