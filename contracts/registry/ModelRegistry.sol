// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {VerificationMode} from "../types/Types.sol";
import {InputDomain} from "../libraries/InputDomain.sol";

/// @title ModelRegistry
/// @notice Append-only registry of model versions (see IModelRegistry). Everything that defines what a version
/// computes is written once at registration; afterwards only `active`, `price` and the owner change, each with an
/// event. Ownership moves in two steps (transferModelOwnership, then acceptModelOwnership by the new owner).
/// @dev Storage keeps the fields the hub reads on every request in the first five slots of a record, so
/// `modelTerms` costs five cold SLOADs whatever the shapes are; `getModel` assembles the full interface struct.
/// The admitted input domain is stored as the code of a data contract (InputDomain), read by the hub per request.
contract ModelRegistry is IModelRegistry {
    /// @notice Largest number of elements in an input or output tensor. Bounds the hub's per-element loops
    /// (hashing, range checks, instance building) and the calldata a request can carry.
    uint256 public constant MAX_TENSOR_LENGTH = 4096;
    /// @notice Largest tensor rank accepted (also keeps the shape product far from overflow).
    uint256 public constant MAX_RANK = 8;
    /// @notice Largest fixed-point scale exponent; 2^24 * |x| stays well inside the BN254 field for sane inputs.
    uint8 public constant MAX_SCALE = 24;
    /// @notice Most requests one proof may cover (the hub loops over a batch's slots).
    uint16 public constant MAX_BATCH = 64;

    /// @dev slot 0: owner(20) active(1) mode(1) inputScale(1) outputScale(1) inputLength(4) outputLength(4) = 32
    ///      slot 1: verifier(20) previousVersion(8) batch(2)
    ///      slot 2: price, slot 3: tolerance, slot 4: domain, slots 5-9: artifact hashes, slots 10-11: shapes
    struct Record {
        address owner;
        bool active;
        VerificationMode mode;
        uint8 inputScale;
        uint8 outputScale;
        uint32 inputLength;
        uint32 outputLength;
        address verifier;
        uint64 previousVersion;
        uint16 batch;
        uint256 price;
        uint256 tolerance;
        address domain;
        bytes32 onnxHash;
        bytes32 settingsHash;
        bytes32 circuitHash;
        bytes32 vkHash;
        bytes32 manifestHash;
        uint32[] inputShape;
        uint32[] outputShape;
    }

    /// @notice The verifier address has no contract code (a hub call to it would silently "succeed").
    error ModelRegistryVerifierHasNoCode(address verifier);
    /// @notice acceptModelOwnership called by someone other than the proposed owner.
    error ModelRegistryNotPendingOwner(uint256 modelId, address caller, address pendingOwner);

    /// @notice The owner proposed `newOwner`; it takes effect when `newOwner` calls acceptModelOwnership.
    event ModelOwnershipTransferStarted(uint256 indexed modelId, address indexed owner, address indexed newOwner);

    uint256 private _count;
    mapping(uint256 modelId => Record) private _records;
    mapping(uint256 modelId => address) private _pendingOwners;

    // ---------------------------------------------------------------- registration

    /// @inheritdoc IModelRegistry
    function registerModel(ModelSpec calldata spec) external returns (uint256 modelId) {
        return _register(spec, 0);
    }

    /// @inheritdoc IModelRegistry
    function registerVersion(uint256 previousId, ModelSpec calldata spec) external returns (uint256 modelId) {
        _checkOwner(previousId);
        return _register(spec, previousId);
    }

    // ---------------------------------------------------------------- owner operations

    /// @inheritdoc IModelRegistry
    function setActive(uint256 modelId, bool active) external {
        Record storage r = _checkOwner(modelId);
        if (r.active == active) return; // no state change, no event
        r.active = active;
        emit ModelActivationChanged(modelId, active);
    }

    /// @inheritdoc IModelRegistry
    function setPrice(uint256 modelId, uint256 price) external {
        Record storage r = _checkOwner(modelId);
        uint256 old = r.price;
        r.price = price;
        emit ModelPriceChanged(modelId, old, price);
    }

    /// @notice Owner-only: propose `newOwner` for the model (step one of two). Proposing the current owner cancels a
    /// pending proposal. The transfer completes when `newOwner` calls acceptModelOwnership.
    /// @inheritdoc IModelRegistry
    function transferModelOwnership(uint256 modelId, address newOwner) external {
        Record storage r = _checkOwner(modelId);
        if (newOwner == address(0)) revert ModelRegistryInvalidOwner(newOwner);
        address pending = newOwner == r.owner ? address(0) : newOwner;
        _pendingOwners[modelId] = pending;
        emit ModelOwnershipTransferStarted(modelId, r.owner, pending);
    }

    /// @notice Step two: the proposed owner takes the model.
    function acceptModelOwnership(uint256 modelId) external {
        Record storage r = _record(modelId);
        address pending = _pendingOwners[modelId];
        if (msg.sender != pending || pending == address(0)) {
            revert ModelRegistryNotPendingOwner(modelId, msg.sender, pending);
        }
        delete _pendingOwners[modelId];
        address previous = r.owner;
        r.owner = msg.sender;
        emit ModelOwnershipTransferred(modelId, previous, msg.sender);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IModelRegistry
    function getModel(uint256 modelId) external view returns (Model memory m) {
        Record storage r = _record(modelId);
        m.owner = r.owner;
        m.active = r.active;
        m.previousVersion = r.previousVersion;
        m.inputLength = r.inputLength;
        m.outputLength = r.outputLength;
        (int64[] memory lower, int64[] memory upper) = InputDomain.load(r.domain);
        m.spec = ModelSpec({
            onnxHash: r.onnxHash,
            settingsHash: r.settingsHash,
            circuitHash: r.circuitHash,
            vkHash: r.vkHash,
            manifestHash: r.manifestHash,
            inputShape: r.inputShape,
            outputShape: r.outputShape,
            inputScale: r.inputScale,
            outputScale: r.outputScale,
            mode: r.mode,
            verifier: r.verifier,
            price: r.price,
            tolerance: r.tolerance,
            inputLower: lower,
            inputUpper: upper,
            batch: r.batch
        });
    }

    /// @inheritdoc IModelRegistry
    function modelTerms(uint256 modelId) external view returns (ModelTerms memory t) {
        Record storage r = _record(modelId);
        t = ModelTerms({
            owner: r.owner,
            active: r.active,
            mode: r.mode,
            inputScale: r.inputScale,
            outputScale: r.outputScale,
            inputLength: r.inputLength,
            outputLength: r.outputLength,
            verifier: r.verifier,
            price: r.price,
            tolerance: r.tolerance,
            domain: r.domain,
            batch: r.batch
        });
    }

    /// @notice True if `modelId` exists and takes requests.
    function isActive(uint256 modelId) external view returns (bool) {
        return _records[modelId].active;
    }

    /// @notice The proposed next owner of a model (address(0) if none).
    function pendingModelOwner(uint256 modelId) external view returns (address) {
        return _pendingOwners[modelId];
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint256) {
        return _count;
    }

    // ---------------------------------------------------------------- internals

    function _register(ModelSpec calldata spec, uint256 previousId) private returns (uint256 modelId) {
        uint32 inputLength = _checkShape(spec.inputShape);
        uint32 outputLength = _checkShape(spec.outputShape);
        if (spec.inputScale > MAX_SCALE) revert ModelRegistryInvalidScale(spec.inputScale);
        if (spec.outputScale > MAX_SCALE) revert ModelRegistryInvalidScale(spec.outputScale);
        // The manifest hash commits to every artifact; the ONNX hash is what executors check bytes against.
        if (spec.onnxHash == bytes32(0) || spec.manifestHash == bytes32(0)) revert ModelRegistryInvalidHash();
        if (spec.mode != VerificationMode.ZKML_ATTESTED) {
            if (spec.verifier == address(0)) revert ModelRegistryMissingVerifier(spec.mode);
            if (spec.verifier.code.length == 0) revert ModelRegistryVerifierHasNoCode(spec.verifier);
        }
        // a batch proof is verified by the hub (submitBatchProof) or committed for attestation (commitBatchProof); an
        // OPTIMISTIC challenge is per request
        if (spec.batch == 0 || spec.batch > MAX_BATCH || (spec.batch > 1 && spec.mode == VerificationMode.OPTIMISTIC)) {
            revert ModelRegistryInvalidBatch(spec.batch, spec.mode);
        }

        modelId = ++_count;
        Record storage r = _records[modelId];
        r.owner = msg.sender;
        r.active = true;
        r.mode = spec.mode;
        r.inputScale = spec.inputScale;
        r.outputScale = spec.outputScale;
        r.inputLength = inputLength;
        r.outputLength = outputLength;
        r.verifier = spec.verifier;
        r.previousVersion = uint64(previousId); // previousId <= _count, far below 2^64
        r.batch = spec.batch;
        r.price = spec.price;
        r.tolerance = spec.tolerance;
        r.domain = InputDomain.store(spec.inputLower, spec.inputUpper, inputLength);
        r.onnxHash = spec.onnxHash;
        r.settingsHash = spec.settingsHash;
        r.circuitHash = spec.circuitHash;
        r.vkHash = spec.vkHash;
        r.manifestHash = spec.manifestHash;
        r.inputShape = spec.inputShape;
        r.outputShape = spec.outputShape;
        emit ModelRegistered(modelId, msg.sender, previousId, spec.manifestHash, spec.mode);
    }

    /// @dev Returns the element count of `shape`; reverts with ModelRegistryInvalidShape(count so far) for an empty
    /// shape, a zero dimension, a rank above MAX_RANK or more than MAX_TENSOR_LENGTH elements.
    function _checkShape(uint32[] calldata shape) private pure returns (uint32) {
        uint256 rank = shape.length;
        if (rank == 0 || rank > MAX_RANK) revert ModelRegistryInvalidShape(0);
        uint256 length = 1;
        for (uint256 i; i < rank; ++i) {
            length *= shape[i]; // cannot overflow: length <= 4096 before each multiply by a uint32
            if (length == 0 || length > MAX_TENSOR_LENGTH) revert ModelRegistryInvalidShape(length);
        }
        return uint32(length);
    }

    function _record(uint256 modelId) private view returns (Record storage r) {
        r = _records[modelId];
        if (r.owner == address(0)) revert ModelRegistryUnknownModel(modelId);
    }

    function _checkOwner(uint256 modelId) private view returns (Record storage r) {
        r = _record(modelId);
        if (msg.sender != r.owner) revert ModelRegistryNotOwner(modelId, msg.sender, r.owner);
    }
}
