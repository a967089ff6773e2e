// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ECDSA
/// @notice secp256k1 signature recovery for 65-byte (r ‖ s ‖ v) signatures, rejecting malleable ones.
/// @dev Same rules as OpenZeppelin's ECDSA.tryRecover (written here, no OZ package): s must be in the lower half of
/// the curve order (EIP-2), v must be 27 or 28, and a failed recovery yields address(0), which callers treat as an
/// invalid signature.
library ECDSA {
    /// @dev secp256k1n / 2
    uint256 internal constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    function tryRecover(bytes32 digest, bytes calldata signature) internal pure returns (address signer) {
        if (signature.length != 65) return address(0);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 0x20))
            v := byte(0, calldataload(add(signature.offset, 0x40)))
        }
        if (uint256(s) > HALF_ORDER) return address(0);
        if (v != 27 && v != 28) return address(0);
        return ecrecover(digest, v, r, s);
    }

    /// @notice EIP-712 typed data digest: keccak256("\x19\x01" ‖ domainSeparator ‖ structHash).
    function typedDataDigest(bytes32 domainSeparator, bytes32 structHash) internal pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, hex"1901")
            mstore(add(ptr, 0x02), domainSeparator)
            mstore(add(ptr, 0x22), structHash)
            digest := keccak256(ptr, 0x42)
        }
    }
}
