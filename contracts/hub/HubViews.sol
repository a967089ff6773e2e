// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {IAttestationQuorum} from "../interfaces/IAttestationQuorum.sol";
import {Instances} from "../libraries/Instances.sol";
import {RequestLib} from "../libraries/RequestLib.sol";
import {RequestStatus} from "../types/Types.sol";
import {HubState} from "./HubTypes.sol";

/// @title HubViews
/// @notice The hub's request views (getRequest, getRequests: a record, its head, result head and batch round read
/// back into the interface's one shape, RequestLib.toView; assignedExecutor; expectedInstances). A linked library,
/// so this code does not count towards the hub's 24,576-byte limit.
library HubViews {
    /// @notice Request `id` as IInferenceHub.Request (its attestation deadline is its `quorum` round's).
    function request(HubState storage s, IAttestationQuorum quorum, uint256 id)
        public
        view
        returns (IInferenceHub.Request memory v)
    {
        v = RequestLib.toView(s.requests, s.resultHeads, s.batchRounds, id);
        if (v.proofKey != bytes32(0)) v.verifyDeadline = quorum.roundOf(v.proofKey).deadline;
    }

    /// @notice Each of `ids` as IInferenceHub.Request, in order.
    function requests(HubState storage s, IAttestationQuorum quorum, uint256[] calldata ids)
        external
        view
        returns (IInferenceHub.Request[] memory out)
    {
        out = new IInferenceHub.Request[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            out[i] = request(s, quorum, ids[i]);
        }
    }

    /// @notice The executor that may deliver request `id`'s result now alone (address(0) once anyone eligible may).
    function assignedExecutor(HubState storage s, uint256 id) external view returns (address) {
        if (s.requests[id].status != RequestStatus.Requested) return address(0);
        RequestLib.Head storage h = RequestLib.head(s.requests, id);
        if (block.timestamp >= uint256(h.requestedAt) + s.params.assignmentWindow) return address(0);
        return h.executor;
    }

    /// @notice The public instances a proof of request `id` with `input` and `output` must verify against.
    function expectedInstances(HubState storage s, uint256 id, int256[] calldata input, int256[] calldata output)
        external
        view
        returns (uint256[] memory)
    {
        if (Instances.hash(input) != s.requests[id].inputHash) revert IInferenceHub.InferenceHubInputMismatch(id);
        return Instances.build(input, output);
    }
}
