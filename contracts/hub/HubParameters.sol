// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {HubParams, HubState} from "./HubTypes.sol";

/// @title HubParameters
/// @notice The bounds of the InferenceHub's protocol parameters, as a linked library (the hub delegatecalls it: its
/// code counts towards neither the hub's nor HubLogic's 24,576-byte limit). Events and errors are the hub's.
/// @dev Deploy once per chain and link into InferenceHub (Ignition: ignition/modules/Hub.ts).
library HubParameters {
    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_PROTOCOL_BPS = 2_000;
    uint256 private constant MIN_QUORUM_BPS = 5_001;
    /// @dev Also what lets a request record its proof timeout in 24 bits (RequestLib.Head.proofTimeout).
    uint32 private constant MAX_TIMEOUT = 30 days;
    uint32 private constant MAX_WINDOW = 1 days;
    uint32 private constant MAX_CALLBACK_GAS = 5_000_000;

    /// @notice Checks every bound of `p` and the unbonding rule (`unbondingDelay` > longestWindow(p)), stores `p` and
    /// emits ParametersChanged.
    function set(HubState storage s, HubParams memory p, uint256 unbondingDelay) public {
        if (uint256(p.executorBps) + p.proverBps + p.verifierBps + p.protocolBps != BPS) _invalid("feeSplit");
        if (p.protocolBps > MAX_PROTOCOL_BPS) _invalid("protocolBps");
        if (p.quorumBps < MIN_QUORUM_BPS || p.quorumBps > BPS) _invalid("quorumBps");
        if (p.slashRewardBps > BPS) _invalid("slashRewardBps");
        if (p.assignmentWindow > MAX_WINDOW) _invalid("assignmentWindow");
        if (
            p.minResultTimeout == 0 || p.minResultTimeout > p.defaultResultTimeout
                || p.defaultResultTimeout > p.maxResultTimeout || p.maxResultTimeout > MAX_TIMEOUT
        ) _invalid("resultTimeout");
        if (
            p.minProofTimeout == 0 || p.minProofTimeout > p.defaultProofTimeout
                || p.defaultProofTimeout > p.maxProofTimeout || p.maxProofTimeout > MAX_TIMEOUT
        ) _invalid("proofTimeout");
        if (p.defaultCallbackGas == 0 || p.defaultCallbackGas > p.maxCallbackGas || p.maxCallbackGas > MAX_CALLBACK_GAS) {
            _invalid("callbackGas");
        }
        if (p.proverWindow == 0 || p.proverWindow > MAX_TIMEOUT) _invalid("proverWindow");
        if (p.attestationWindow == 0 || p.attestationWindow > MAX_TIMEOUT) _invalid("attestationWindow");
        if (p.electorateEpoch == 0 || p.electorateEpoch > MAX_WINDOW) _invalid("electorateEpoch");
        if (p.silenceLimit == 0) _invalid("silenceLimit");
        if (p.suspension > 365 days) _invalid("suspension");
        if (p.treasury == address(0)) _invalid("treasury");
        uint256 longest = longestWindow(p);
        if (unbondingDelay <= longest) revert IInferenceHub.InferenceHubUnbondingTooShort(unbondingDelay, longest);
        s.params = p;
        emit IInferenceHub.ParametersChanged(p);
    }

    /// @notice electorate epoch + max result timeout + max proof timeout + attestation window.
    function longestWindow(HubParams memory p) internal pure returns (uint256) {
        return uint256(p.electorateEpoch) + p.maxResultTimeout + p.maxProofTimeout + p.attestationWindow;
    }

    function _invalid(bytes32 name) private pure {
        revert IInferenceHub.InferenceHubInvalidParameter(name);
    }
}
