// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable2Step} from "../registry/Ownable2Step.sol";

/// @title HubParameters
/// @notice The hub's protocol parameters, owned by the hub admin (two-step ownership). One setter replaces the whole
/// set: it checks every bound, reverts with InferenceHubInvalidParameter(name) (name as a bytes32 string) outside them, and emits
/// ParametersChanged with the new values (one event shape for indexers, one code path for checks).
abstract contract HubParameters is Ownable2Step {
    /// @dev Two slots plus the treasury. Times in seconds, gas in gas units, slash amounts in wei.
    struct Params {
        // fee split, basis points summing to 10_000
        uint16 executorBps;
        uint16 proverBps;
        uint16 verifierBps;
        uint16 protocolBps;
        // share of valid "valid" stake needed to settle a ZKML_ATTESTED proof
        uint16 quorumBps;
        // share of slashed stake credited to the harmed party (consumer, challenger, reporter); rest to treasury
        uint16 slashRewardBps;
        // executor's exclusive delivery window after the request
        uint32 assignmentWindow;
        uint32 minResultTimeout;
        uint32 defaultResultTimeout;
        uint32 maxResultTimeout;
        uint32 minProofTimeout;
        uint32 defaultProofTimeout;
        uint32 maxProofTimeout;
        uint32 defaultCallbackGas;
        uint32 maxCallbackGas;
        uint96 executorSlash; // result timeout, proof timeout, wrong output
        uint96 proverSlash; // proof rejected by the verifier quorum
        uint96 verifierSlash; // equivocation
        address treasury; // receives the protocol fee and the protocol's part of slashed stake
    }

    uint256 internal constant BPS = 10_000;
    uint256 public constant MAX_PROTOCOL_BPS = 2_000;
    uint256 public constant MIN_QUORUM_BPS = 5_001;
    uint32 public constant MAX_TIMEOUT = 30 days;
    uint32 public constant MAX_ASSIGNMENT_WINDOW = 1 days;
    uint32 public constant MAX_CALLBACK_GAS = 5_000_000;

    error InferenceHubInvalidParameter(bytes32 name);

    /// @notice Every parameter change (and the initial values) with the complete new set.
    event ParametersChanged(Params params);

    Params internal _params;

    /// @notice Defaults: fees 40% executor / 30% prover / 20% verifiers / 10% protocol; quorum 2/3 of verifier stake (6666 bps: 2 of 3 equal stakes pass);
    /// 50% of slashed stake to the harmed party; 30 s assignment window; result timeout 10 s..1 day (default 5 min);
    /// proof timeout 60 s..7 days (default 1 h); callback gas 200k default, 2M max; slash 0.1 ether per offence.
    constructor(address owner_, address treasury_) Ownable2Step(owner_) {
        _setParameters(defaultParameters(treasury_));
    }

    /// @dev The parameters a new hub starts with (within every bound checked by setParameters).
    function defaultParameters(address treasury_) internal pure returns (Params memory) {
        return Params({
            executorBps: 4_000,
            proverBps: 3_000,
            verifierBps: 2_000,
            protocolBps: 1_000,
            quorumBps: 6_666, // 2 of 3 equal stakes pass (66.66% <= 2/3)
            slashRewardBps: 5_000,
            assignmentWindow: 30,
            minResultTimeout: 10,
            defaultResultTimeout: 5 minutes,
            maxResultTimeout: 1 days,
            minProofTimeout: 60,
            defaultProofTimeout: 1 hours,
            maxProofTimeout: 7 days,
            defaultCallbackGas: 200_000,
            maxCallbackGas: 2_000_000,
            executorSlash: 0.1 ether,
            proverSlash: 0.1 ether,
            verifierSlash: 0.1 ether,
            treasury: treasury_
        });
    }

    /// @notice All protocol parameters.
    function parameters() external view returns (Params memory) {
        return _params;
    }

    /// @notice Owner-only: replace the parameters (read `parameters()`, change fields, write back). Each field is
    /// checked against its bounds; the first bad one reverts with InferenceHubInvalidParameter(name) (name as a bytes32 string).
    function setParameters(Params calldata p) external onlyOwner {
        _setParameters(p);
    }

    function _setParameters(Params memory p) private {
        if (uint256(p.executorBps) + p.proverBps + p.verifierBps + p.protocolBps != BPS) {
            revert InferenceHubInvalidParameter("feeSplit");
        }
        if (p.protocolBps > MAX_PROTOCOL_BPS) revert InferenceHubInvalidParameter("protocolBps");
        if (p.quorumBps < MIN_QUORUM_BPS || p.quorumBps > BPS) revert InferenceHubInvalidParameter("quorumBps");
        if (p.slashRewardBps > BPS) revert InferenceHubInvalidParameter("slashRewardBps");
        if (p.assignmentWindow > MAX_ASSIGNMENT_WINDOW) revert InferenceHubInvalidParameter("assignmentWindow");
        if (
            p.minResultTimeout == 0 || p.minResultTimeout > p.defaultResultTimeout
                || p.defaultResultTimeout > p.maxResultTimeout || p.maxResultTimeout > MAX_TIMEOUT
        ) revert InferenceHubInvalidParameter("resultTimeout");
        if (
            p.minProofTimeout == 0 || p.minProofTimeout > p.defaultProofTimeout
                || p.defaultProofTimeout > p.maxProofTimeout || p.maxProofTimeout > MAX_TIMEOUT
        ) revert InferenceHubInvalidParameter("proofTimeout");
        if (p.defaultCallbackGas == 0 || p.defaultCallbackGas > p.maxCallbackGas || p.maxCallbackGas > MAX_CALLBACK_GAS) {
            revert InferenceHubInvalidParameter("callbackGas");
        }
        if (p.treasury == address(0)) revert InferenceHubInvalidParameter("treasury");
        _params = p;
        emit ParametersChanged(p);
    }
}
