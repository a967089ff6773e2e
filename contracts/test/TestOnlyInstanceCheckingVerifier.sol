// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";

/// @title TestOnlyInstanceCheckingVerifier
/// @notice TEST ONLY, NOT A VERIFIER. Stands in for an EZKL Halo2 verifier in hub tests: a "proof" is valid for
/// exactly one instance vector, keccak256(abi.encode(instances)) (32 bytes, optionally followed by padding that
/// changes the proof hash but not its validity). So "a valid proof of other instances" is meaningful: a proof made
/// for another input or output fails here, as a real proof would.
contract TestOnlyInstanceCheckingVerifier is IProofVerifier {
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external pure returns (bool) {
        if (proof.length < 32) return false;
        return bytes32(proof[:32]) == keccak256(abi.encode(instances));
    }
}
