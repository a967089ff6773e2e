// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProofVerifier
/// @notice The one check the hub calls for a proof bound to a request. Implementations: the EZKL Halo2 adapter
/// (wraps a generated Halo2 verifier, `verifyProof(bytes,uint256[])`, selector 0x1e8e1e13) and test stand-ins.
/// The hub builds `instances` itself from the request's stored input and the claimed output, so an implementation
/// only answers "does this proof verify for exactly these public instances".
interface IProofVerifier {
    /// @return valid true iff `proof` verifies for `instances`. Must not revert for a merely invalid proof.
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool valid);
}

/// @notice The interface of an EZKL-generated Halo2 verifier contract.
interface IHalo2Verifier {
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external returns (bool);
}
