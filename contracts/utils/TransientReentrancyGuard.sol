// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TransientReentrancyGuard
/// @notice A reentrancy lock held in transient storage (EIP-1153), cleared when the guarded call returns.
/// @dev Same behaviour, error and cost as OpenZeppelin's `ReentrancyGuardTransient`, written with the language's
/// `transient` state variable instead: OpenZeppelin reaches transient storage through inline-assembly `tstore`
/// (TransientSlot), and solc warns about every such `tstore` on every build ("can break the composability of
/// smart contracts"), while a `transient` variable compiles without the warning. The lock is reset at the end
/// of every guarded call, which is the pattern that warning calls safe.
abstract contract TransientReentrancyGuard {
    bool private transient _entered;

    /// @notice A guarded function was entered again before it returned.
    error ReentrancyGuardReentrantCall();

    /// @dev Prevents a contract from calling itself, directly or indirectly, through guarded functions.
    modifier nonReentrant() {
        if (_entered) revert ReentrancyGuardReentrantCall();
        _entered = true;
        _;
        _entered = false;
    }
}
