// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title HubPayments
/// @notice Pull payments and the hub's books. Every wei the hub holds is in exactly one bucket:
///   - escrowed fees of open requests (`_totalEscrowed`),
///   - unclaimed verifier reward pools of settled ZKML_ATTESTED requests (`_totalVerifierPools`),
///   - releasable balances (`_totalReleasable` = sum of `releasable(account)`).
/// `accountedBalance()` is their sum; the hub's balance equals it (it can only exceed it if someone force-sends
/// ether, e.g. by selfdestruct). Also holds the transient reentrancy lock shared by every state-changing entry.
abstract contract HubPayments is IInferenceHub {
    mapping(address account => uint256) private _releasable;
    uint256 internal _totalReleasable;
    uint256 internal _totalEscrowed;
    uint256 internal _totalVerifierPools;

    bool private transient _locked;
    /// @dev The caller of the batch in progress (batch items are self-calls, so their msg.sender is the hub).
    address private transient _batchSender;

    /// @dev One lock for every state-changing entry point. The only call allowed while it is held is the hub
    /// calling itself for one item of a batch (`_forEachItem`); such an inner call leaves the lock to the outer one.
    modifier nonReentrant() {
        bool outer = !_locked;
        if (!outer && msg.sender != address(this)) revert InferenceHubReentrantCall();
        _locked = true;
        _;
        if (outer) _locked = false;
    }

    /// @dev msg.sender, or the batch's caller inside a batch item.
    function _sender() internal view returns (address) {
        return msg.sender == address(this) ? _batchSender : msg.sender;
    }

    /// @dev Batches: `_beginBatch`, then `_runItem` per item (a self-call that succeeds or fails on its own; a failed
    /// item emits ItemRejected with its revert data and leaves no trace), then `_endBatch` (solvency check).
    function _beginBatch() internal {
        _batchSender = msg.sender;
    }

    /// A failure that means the transaction itself ran short of gas (an out-of-gas item, which reverts with no data,
    /// or InferenceHubInsufficientCallbackGas) reverts the whole batch instead: it is the sender's fault, not the
    /// item's, and it keeps gas estimation honest (an estimator would otherwise settle on a gas limit at which
    /// items fail "on their own").
    function _runItem(uint256 requestId, bytes memory call) internal returns (bool success) {
        bytes memory reason;
        (success, reason) = address(this).call(call);
        if (success) return true;
        bytes4 selector;
        if (reason.length >= 4) {
            assembly ("memory-safe") {
                selector := mload(add(reason, 0x20))
            }
        }
        if (reason.length == 0 || selector == InferenceHubInsufficientCallbackGas.selector) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
        emit ItemRejected(requestId, reason);
    }

    function _endBatch() internal {
        _batchSender = address(0);
        _checkSolvency();
    }

    /// @inheritdoc IInferenceHub
    function withdraw() external nonReentrant {
        uint256 amount = _releasable[msg.sender];
        if (amount == 0) revert InferenceHubNothingToWithdraw(msg.sender);
        _releasable[msg.sender] = 0;
        _totalReleasable -= amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert InferenceHubTransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IInferenceHub
    function releasable(address account) external view returns (uint256) {
        return _releasable[account];
    }

    /// @inheritdoc IInferenceHub
    function accountedBalance() public view returns (uint256) {
        return _totalEscrowed + _totalVerifierPools + _totalReleasable;
    }

    function _credit(address account, uint256 amount) internal {
        if (amount == 0) return;
        _releasable[account] += amount;
        _totalReleasable += amount;
    }

    /// @dev Checked where a batch ends (v4's "settle at the end of unlock"): the books never promise more than the
    /// hub holds.
    function _checkSolvency() internal view {
        uint256 accounted = accountedBalance();
        if (address(this).balance < accounted) revert InferenceHubAccountingMismatch(address(this).balance, accounted);
    }
}
