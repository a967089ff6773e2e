// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProofVerifier, IHalo2Verifier} from "../interfaces/IProofVerifier.sol";
import {ExternalCalls} from "../libraries/ExternalCalls.sol";

/// @title EzklHalo2Adapter
/// @notice IProofVerifier over an EZKL-generated Halo2 verifier contract (`verifyProof(bytes,uint256[])`, selector
/// 0x1e8e1e13). The generated verifier reverts on an invalid proof; this adapter turns a revert, a short or odd
/// return into `false`, as IProofVerifier requires. The hub rebuilds the instances itself, so the adapter only
/// forwards them.
contract EzklHalo2Adapter is IProofVerifier {
    error EzklHalo2AdapterNotAContract(address verifier);

    /// @notice The wrapped Halo2 verifier (one per circuit: its verifying key is baked in).
    address public immutable halo2Verifier;

    constructor(address halo2Verifier_) {
        if (halo2Verifier_.code.length == 0) revert EzklHalo2AdapterNotAContract(halo2Verifier_);
        halo2Verifier = halo2Verifier_;
    }

    /// @inheritdoc IProofVerifier
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        return ExternalCalls.staticCallBool(
            halo2Verifier, abi.encodeWithSelector(IHalo2Verifier.verifyProof.selector, proof, instances)
        );
    }
}
