// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {VerificationMode} from "../types/Types.sol";
import {ModelRegistry} from "./ModelRegistry.sol";

/// @notice Fuzz tests of ModelRegistry's spec validation (plain requires: forge-std is not installed).
contract ModelRegistryTest {
    ModelRegistry internal registry;

    function setUp() public {
        registry = new ModelRegistry();
    }

    /// A shape is accepted iff it has 1..8 dimensions, none zero, and at most 4096 elements; the stored length is
    /// the product of the dimensions.
    function testFuzz_shapeAcceptedIffValid(uint8 rankRaw, uint256 seed) public {
        uint256 rank = rankRaw % 10; // 0..9, so both rank bounds are exercised
        uint32[] memory shape = new uint32[](rank);
        uint256 product = 1;
        bool zero;
        for (uint256 i; i < rank; ++i) {
            // Mostly small dimensions (so valid shapes are common), sometimes 0 or huge.
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint32 d = r % 7 == 0 ? uint32(r >> 8) : uint32((r >> 8) % 9);
            shape[i] = d;
            if (d == 0) zero = true;
            if (product <= 4096) product *= d;
        }
        bool valid = rank >= 1 && rank <= 8 && !zero && product <= 4096;

        IModelRegistry.ModelSpec memory spec = _spec();
        spec.inputShape = shape;
        uint256 countBefore = registry.modelCount();
        try registry.registerModel(spec) returns (uint256 id) {
            require(valid, "accepted an invalid shape");
            require(id == countBefore + 1, "ids are sequential");
            require(registry.getModel(id).inputLength == product, "stored length is the product");
        } catch (bytes memory err) {
            require(!valid, "rejected a valid shape");
            require(bytes4(err) == IModelRegistry.ModelRegistryInvalidShape.selector, "shape error");
            require(registry.modelCount() == countBefore, "nothing registered on failure");
        }
    }

    /// Scales above 24 are rejected, on either side.
    function testFuzz_scaleBound(uint8 inputScale, uint8 outputScale) public {
        IModelRegistry.ModelSpec memory spec = _spec();
        spec.inputScale = inputScale;
        spec.outputScale = outputScale;
        bool valid = inputScale <= 24 && outputScale <= 24;
        try registry.registerModel(spec) {
            require(valid, "accepted an out-of-range scale");
        } catch (bytes memory err) {
            require(!valid, "rejected a valid scale");
            require(bytes4(err) == IModelRegistry.ModelRegistryInvalidScale.selector, "scale error");
        }
    }

    /// Only the owner changes price and activation; nothing but those fields changes.
    function testFuzz_ownerOnlyUpdates(uint256 price, bool active) public {
        uint256 id = registry.registerModel(_spec());
        registry.setPrice(id, price);
        registry.setActive(id, active);
        IModelRegistry.Model memory m = registry.getModel(id);
        require(m.spec.price == price && m.active == active, "owner update applied");
        require(m.spec.manifestHash == keccak256("manifest") && m.inputLength == 4, "definition untouched");
        Stranger stranger = new Stranger();
        require(!stranger.trySetPrice(registry, id, price ^ 1), "stranger cannot reprice");
    }

    /// A domain is accepted iff it has one entry or one per input element, each with lower <= upper; getModel
    /// returns exactly the stored bounds.
    function testFuzz_domainAcceptedIffValid(uint8 lengthRaw, int64 lo, int64 hi, uint256 seed) public {
        uint256 n = lengthRaw % 6; // 0..5 against an input of 4 elements
        IModelRegistry.ModelSpec memory spec = _spec();
        spec.inputLower = new int64[](n);
        spec.inputUpper = new int64[](n);
        bool ordered = true;
        for (uint256 i; i < n; ++i) {
            // mostly ordered pairs, sometimes the fuzzed (lo, hi) as given
            bool raw = uint256(keccak256(abi.encode(seed, i))) % 4 == 0;
            (int64 a, int64 b) = raw ? (lo, hi) : (lo < hi ? (lo, hi) : (hi, lo));
            spec.inputLower[i] = a;
            spec.inputUpper[i] = b;
            if (a > b) ordered = false;
        }
        bool valid = (n == 1 || n == 4) && ordered;
        try registry.registerModel(spec) returns (uint256 id) {
            require(valid, "accepted an invalid domain");
            IModelRegistry.ModelSpec memory stored = registry.getModel(id).spec;
            require(stored.inputLower.length == n && stored.inputUpper.length == n, "stored length");
            for (uint256 i; i < n; ++i) {
                require(stored.inputLower[i] == spec.inputLower[i] && stored.inputUpper[i] == spec.inputUpper[i], "stored bounds");
            }
        } catch (bytes memory err) {
            require(!valid, "rejected a valid domain");
            require(bytes4(err) == IModelRegistry.ModelRegistryInvalidDomain.selector, "domain error");
        }
    }

    /// A batch is accepted iff it is in [1, MAX_BATCH] and, above 1, the mode is not OPTIMISTIC (a challenge is one
    /// request's proof; ZKML_ONCHAIN and ZKML_ATTESTED take batch proofs); the model keeps it.
    function testFuzz_batchAcceptedIffValid(uint16 batch, uint8 modeRaw) public {
        IModelRegistry.ModelSpec memory spec = _spec();
        spec.batch = batch;
        spec.mode = VerificationMode(modeRaw % 3);
        if (spec.mode != VerificationMode.ZKML_ATTESTED) spec.verifier = address(this);
        bool valid = batch >= 1 && batch <= registry.MAX_BATCH() && (batch == 1 || spec.mode != VerificationMode.OPTIMISTIC);
        try registry.registerModel(spec) returns (uint256 id) {
            require(valid, "accepted an invalid batch");
            require(registry.getModel(id).spec.batch == batch && registry.modelTerms(id).batch == batch, "stored batch");
        } catch (bytes memory err) {
            require(!valid, "rejected a valid batch");
            require(bytes4(err) == IModelRegistry.ModelRegistryInvalidBatch.selector, "batch error");
        }
    }

    function _spec() internal pure returns (IModelRegistry.ModelSpec memory spec) {
        uint32[] memory input = new uint32[](2);
        (input[0], input[1]) = (1, 4);
        uint32[] memory output = new uint32[](2);
        (output[0], output[1]) = (1, 3);
        spec.onnxHash = keccak256("onnx");
        spec.manifestHash = keccak256("manifest");
        spec.inputShape = input;
        spec.outputShape = output;
        spec.inputScale = 7;
        spec.outputScale = 7;
        spec.mode = VerificationMode.ZKML_ATTESTED;
        spec.inputLower = new int64[](1);
        spec.inputUpper = new int64[](1);
        (spec.inputLower[0], spec.inputUpper[0]) = (-1000, 1000);
        spec.batch = 1;
    }
}

contract Stranger {
    function trySetPrice(ModelRegistry registry, uint256 id, uint256 price) external returns (bool) {
        try registry.setPrice(id, price) {
            return true;
        } catch {
            return false;
        }
    }
}
