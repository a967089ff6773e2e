// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VerificationMode} from "../types/Types.sol";

/// @title IModelRegistry
/// @notice Append-only registry of model versions. A model version is immutable in everything that defines what is
/// computed (artifact hashes, shapes, scales, mode, verifier); only its price, tolerance-free operational flags
/// (active) and ownership change, each with an event. A changed model is a new version (a new id).
interface IModelRegistry {
    /// @notice What a model version is. Shapes are the ONNX tensor shapes (e.g. [1,4]); values crossing the chain are
    /// fixed-point integers `round(x * 2^scale)` at the registered scales, the layout EZKL uses for public instances.
    struct ModelSpec {
        bytes32 onnxHash; // keccak256 of the ONNX file
        bytes32 settingsHash; // keccak256 of EZKL settings.json
        bytes32 circuitHash; // keccak256 of the compiled circuit (model.compiled)
        bytes32 vkHash; // keccak256 of the verifying key bytes
        bytes32 manifestHash; // keccak256 of the bundle manifest.json (lists every file's hash)
        uint32[] inputShape;
        uint32[] outputShape;
        uint8 inputScale; // fixed-point scale exponent (value * 2^scale)
        uint8 outputScale;
        VerificationMode mode;
        address verifier; // IProofVerifier used for ZKML_ONCHAIN proofs and OPTIMISTIC challenges (0 for ATTESTED)
        uint256 price; // minimum fee in wei
        uint256 tolerance; // max |fast output - proven output| per element, in fixed-point units
        // The admitted input domain, per element in fixed-point units at inputScale: inputLower[i] <= input[i] <=
        // inputUpper[i]. Either one entry per input element or a single entry for all of them. The compiler derives
        // it so that every admitted input proves; the hub refuses every other input at request time.
        int64[] inputLower;
        int64[] inputUpper;
        // Requests one proof covers (1..MAX_BATCH; >1 not for OPTIMISTIC): the circuit takes `batch` slots of this
        // input and output, and its instances are every slot's input in slot order, then every slot's output
        // (a batch version, compiler/batch.ts). Shapes, lengths and the domain above are one slot's.
        uint16 batch;
    }

    /// @notice A registered model version with derived sizes.
    struct Model {
        address owner;
        bool active;
        uint64 previousVersion; // 0 if this is the first version
        uint32 inputLength; // product of inputShape
        uint32 outputLength; // product of outputShape
        ModelSpec spec;
    }

    /// @notice The per-request view of a model: what the hub needs to accept, bind and settle a request.
    struct ModelTerms {
        address owner;
        bool active;
        VerificationMode mode;
        uint8 inputScale;
        uint8 outputScale;
        uint32 inputLength;
        uint32 outputLength;
        address verifier;
        uint256 price;
        uint256 tolerance;
        address domain; // where the admitted input domain is stored (InputDomain: read by the hub per request)
        uint16 batch; // requests one proof covers (ModelSpec.batch)
    }

    error ModelRegistryUnknownModel(uint256 modelId);
    error ModelRegistryNotOwner(uint256 modelId, address caller, address owner);
    error ModelRegistryInvalidShape(uint256 length);
    error ModelRegistryInvalidScale(uint8 scale);
    error ModelRegistryMissingVerifier(VerificationMode mode);
    error ModelRegistryInvalidHash();
    error ModelRegistryInvalidOwner(address owner);
    /// @notice The input domain is missing, has a length other than 1 or the input length, or an entry with
    /// lower > upper (`index` is the first bad entry, or the length for a length problem).
    error ModelRegistryInvalidDomain(uint256 index);
    /// @notice `batch` is 0, above MAX_BATCH, or above 1 for OPTIMISTIC (challenges are per request).
    error ModelRegistryInvalidBatch(uint16 batch, VerificationMode mode);

    event ModelRegistered(
        uint256 indexed modelId, address indexed owner, uint256 indexed previousVersion, bytes32 manifestHash, VerificationMode mode
    );
    event ModelActivationChanged(uint256 indexed modelId, bool active);
    event ModelPriceChanged(uint256 indexed modelId, uint256 oldPrice, uint256 newPrice);
    event ModelOwnershipTransferred(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);

    /// @notice Register a new model; the caller becomes its owner. Returns its id (ids start at 1).
    function registerModel(ModelSpec calldata spec) external returns (uint256 modelId);

    /// @notice Register a new version of `previousId` (caller must own it). The previous version stays as it was;
    /// deactivate it separately if it should stop taking requests.
    function registerVersion(uint256 previousId, ModelSpec calldata spec) external returns (uint256 modelId);

    /// @notice Owner-only: stop or resume taking requests for a version.
    function setActive(uint256 modelId, bool active) external;

    /// @notice Owner-only: change the price of a version.
    function setPrice(uint256 modelId, uint256 price) external;

    /// @notice Owner-only: hand the model to another owner.
    function transferModelOwnership(uint256 modelId, address newOwner) external;

    /// @notice The full record of a model version. Reverts with ModelRegistryUnknownModel for an unknown id.
    function getModel(uint256 modelId) external view returns (Model memory);

    /// @notice The fields the hub needs per request, without the shapes and hashes (5 storage slots).
    /// Reverts with ModelRegistryUnknownModel for an unknown id.
    function modelTerms(uint256 modelId) external view returns (ModelTerms memory);

    /// @notice Number of registered versions (the highest id).
    function modelCount() external view returns (uint256);
}
