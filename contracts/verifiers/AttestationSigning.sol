// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {ECDSA} from "../libraries/ECDSA.sol";

/// @title AttestationSigning
/// @notice EIP-712 domain of the hub's attestations: name "Twinpath", version "1", chainId, verifyingContract = the
/// hub. A signature is therefore bound to one request (requestId in the struct), one chain and one hub deployment.
/// @dev The separator is cached and rebuilt if the chain id changes (a fork), as OpenZeppelin's EIP712 does.
abstract contract AttestationSigning {
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(uint256 requestId,bytes32 proofHash,bytes32 instancesHash,bool valid)");
    bytes32 private constant NAME_HASH = keccak256("Twinpath");
    bytes32 private constant VERSION_HASH = keccak256("1");

    bytes32 private immutable _cachedSeparator;
    uint256 private immutable _cachedChainId;
    address private immutable _verifyingContract;

    constructor(address verifyingContract) {
        _verifyingContract = verifyingContract;
        _cachedChainId = block.chainid;
        _cachedSeparator = _buildSeparator();
    }

    /// @notice The EIP-712 domain separator for this chain and the hub.
    function domainSeparator() public view returns (bytes32) {
        return block.chainid == _cachedChainId ? _cachedSeparator : _buildSeparator();
    }

    function _attestationDigest(IInferenceHub.Attestation calldata a) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(ATTESTATION_TYPEHASH, a.requestId, a.proofHash, a.instancesHash, a.valid));
        return ECDSA.typedDataDigest(domainSeparator(), structHash);
    }

    /// @notice The signer of `a` (address(0) for a malformed or malleable signature).
    function _attestationSigner(IInferenceHub.Attestation calldata a, bytes calldata signature)
        internal
        view
        returns (address)
    {
        return ECDSA.tryRecover(_attestationDigest(a), signature);
    }

    function _buildSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, _verifyingContract));
    }
}
