// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {ExternalCalls} from "../libraries/ExternalCalls.sol";

/// @notice The reusable EZKL verifier: one contract for a family of circuits, fed a per-circuit verifying
/// artifact (VKA) address.
interface IReusableHalo2Verifier {
    function verifyProof(address vka, bytes calldata proof, uint256[] calldata instances) external returns (bool);
}

/// @title EzklReusableHalo2Adapter
/// @notice IProofVerifier over EZKL's reusable Halo2 verifier (`verifyProof(address,bytes,uint256[])`, selector
/// 0xaf83a18d). The VKA is fixed at deployment: the reusable verifier accepts any VKA it is handed, so the binding of
/// a model to its verifying key must live here (one adapter per model), never in caller input.
contract EzklReusableHalo2Adapter is IProofVerifier {
    error EzklReusableHalo2AdapterNotAContract(address account);

    address public immutable reusableVerifier;
    address public immutable vka;

    constructor(address reusableVerifier_, address vka_) {
        if (reusableVerifier_.code.length == 0) revert EzklReusableHalo2AdapterNotAContract(reusableVerifier_);
        if (vka_.code.length == 0) revert EzklReusableHalo2AdapterNotAContract(vka_);
        reusableVerifier = reusableVerifier_;
        vka = vka_;
    }

    /// @inheritdoc IProofVerifier
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        return ExternalCalls.staticCallBool(
            reusableVerifier, abi.encodeWithSelector(IReusableHalo2Verifier.verifyProof.selector, vka, proof, instances)
        );
    }
}
