// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Ownable2Step
/// @notice Single-owner access control where ownership changes hands in two steps: the owner proposes, the new owner
/// accepts. A typo in the new address cannot lock the contract, because nothing changes until that address acts.
/// Written here (same shape as OpenZeppelin's Ownable2Step) because the project builds without the OZ package.
abstract contract Ownable2Step {
    address private _owner;
    address private _pendingOwner;

    error OwnableUnauthorizedAccount(address account);
    error OwnableInvalidOwner(address owner);

    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert OwnableInvalidOwner(address(0));
        _transferOwnership(initialOwner);
    }

    modifier onlyOwner() {
        if (msg.sender != _owner) revert OwnableUnauthorizedAccount(msg.sender);
        _;
    }

    function owner() public view returns (address) {
        return _owner;
    }

    function pendingOwner() public view returns (address) {
        return _pendingOwner;
    }

    /// @notice Propose `newOwner`; it takes effect when `newOwner` calls acceptOwnership. Passing address(0) cancels
    /// a pending proposal.
    function transferOwnership(address newOwner) external onlyOwner {
        _pendingOwner = newOwner;
        emit OwnershipTransferStarted(_owner, newOwner);
    }

    /// @notice Complete a transfer started by the owner. Only the proposed owner may call.
    function acceptOwnership() external {
        if (msg.sender != _pendingOwner) revert OwnableUnauthorizedAccount(msg.sender);
        _transferOwnership(msg.sender);
    }

    function _transferOwnership(address newOwner) private {
        delete _pendingOwner;
        address previous = _owner;
        _owner = newOwner;
        emit OwnershipTransferred(previous, newOwner);
    }
}
