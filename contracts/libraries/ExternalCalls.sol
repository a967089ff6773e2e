// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title ExternalCalls
/// @notice The hub's two calls into untrusted code: consumer callbacks (gas-capped, failure isolated) and proof
/// verifiers (read-only, failure = invalid proof). Neither copies more than 32 bytes of return data, so a callee
/// cannot make the hub pay for a huge return (a "return bomb").
library ExternalCalls {
    /// @notice Gas kept back for the CALL itself (cold account access, value-less call base cost) when checking that
    /// the callee really receives its cap. Same constant as Chainlink VRF's callWithExactGas.
    uint256 internal constant CALL_OVERHEAD = 5_000;

    /// @notice Calls `target` with exactly `gasLimit` gas and `data`, ignoring its return data.
    /// @return success whether the call returned without reverting
    /// @return gasUsed gas spent on the call, measured around it
    function callWithGasCap(address target, uint256 gasLimit, bytes memory data)
        internal
        returns (bool success, uint256 gasUsed)
    {
        uint256 before = gasleft();
        // Need: (before - CALL_OVERHEAD) * 63/64 >= gasLimit
        if (before < CALL_OVERHEAD || (before - CALL_OVERHEAD) - (before - CALL_OVERHEAD) / 64 < gasLimit) {
            // EIP-150 forwards at most 63/64 of what is left: revert rather than let a caller make the callback fail
            // on purpose by sending just enough gas for the hub's own work.
            revert IInferenceHub.InferenceHubInsufficientCallbackGas(gasLimit, before);
        }
        assembly ("memory-safe") {
            success := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0)
        }
        gasUsed = before - gasleft();
    }

    /// @notice Read-only call of `verifier` that must return one ABI-encoded bool. A revert, a short return or any
    /// value other than 1 counts as "not verified". Only the first 32 bytes of return data are copied.
    function staticCallBool(address verifier, bytes memory data) internal view returns (bool ok) {
        if (verifier.code.length == 0) return false;
        bool success;
        uint256 word;
        uint256 size;
        assembly ("memory-safe") {
            success := staticcall(gas(), verifier, add(data, 0x20), mload(data), 0, 0x20)
            size := returndatasize()
            word := mload(0)
        }
        return success && size >= 32 && word == 1;
    }
}
