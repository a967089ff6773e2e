// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {TransientReentrancyGuard} from "../utils/TransientReentrancyGuard.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IRequestWindows} from "../interfaces/IRequestWindows.sol";
import {NodeRole} from "../types/Types.sol";

/// @title NodeRegistry
/// @notice Native-token stake per (node, role). Stake leaves through one unbonding bucket per (node, role) that
/// matures `unbondingDelay` seconds after the latest beginUnbonding, and only once the node owes no result or proof
/// on an open request (its duties, counted by the hub). The delay always exceeds the hub's longest request window
/// (checked here on setUnbondingDelay/setHub and by the hub on every parameter change). Only the hub slashes, and
/// slashed value goes to the hub. The registry holds stake only: fees, rewards and refunds are the hub's pull
/// balances.
/// @dev Eligibility (`registered && !suspended && bonded >= minStake(role)`) is kept as a swap-and-pop array plus
/// index map, and `totalEligibleStake` is adjusted on every change, so the hub's reads are O(1). Each node's counted
/// stake (bonded while eligible, else 0) and each role's total are also checkpointed by timestamp (OpenZeppelin
/// Checkpoints): a quorum weighs votes and sets its pass mark from the same past snapshot, which later stake moves
/// cannot change. Every change to a stake record goes through `_write`, the only place that touches the eligible
/// set, the totals and the checkpoints.
/// A minimum-stake change re-checks the role's members in pages: setMinStake does the first RESYNC_BATCH, and anyone
/// continues with resyncEligibility until pendingResync(role) is 0. Until then, members not yet re-checked keep the
/// eligibility they had (and any member's own next stake change re-checks it at once).
contract NodeRegistry is INodeRegistry, Ownable2Step, TransientReentrancyGuard {
    using Checkpoints for Checkpoints.Trace208;

    /// @dev slot 0: bonded(16) unbonding(16); slot 1: unbondingReadyAt(8) registered(1) suspended(1)
    /// suspendedUntil(5) duties(4)
    struct StakeRecord {
        uint128 bonded;
        uint128 unbonding;
        uint64 unbondingReadyAt;
        bool registered;
        bool suspended;
        uint40 suspendedUntil;
        uint32 duties;
    }

    /// @dev An indexed list of addresses; `position` is index + 1 so 0 means "absent".
    struct AddressSet {
        address[] items;
        mapping(address => uint256) position;
    }

    uint256 public constant ROLE_COUNT = 3;
    /// @notice Members re-checked by setMinStake itself; the rest by resyncEligibility.
    uint256 public constant RESYNC_BATCH = 200;
    /// @notice Upper bound on the unbonding delay, so the admin can never lock stake away for good.
    uint256 public constant MAX_UNBONDING_DELAY = 90 days;

    error NodeRegistryZeroAmount();
    error NodeRegistryInvalidMinStake(NodeRole role, uint256 minimum);
    error NodeRegistryInvalidHub(address hub);
    error NodeRegistryInvalidUnbondingDelay(uint256 delay, uint256 maximum);

    event MinStakeChanged(NodeRole indexed role, uint256 oldMinimum, uint256 newMinimum);
    event UnbondingDelayChanged(uint256 oldDelay, uint256 newDelay);
    /// @notice Members [from, to) of `role` were re-checked against the current minimum; `remaining` are left.
    event EligibilityResynced(NodeRole indexed role, uint256 from, uint256 to, uint256 remaining);
    /// @notice `node` became eligible for new work in `role` (the counterpart of NodeDeactivated).
    event NodeActivated(address indexed node, NodeRole indexed role);
    /// @notice `node` holds no stake for `role` any more and is no longer registered for it.
    event NodeExited(address indexed node, NodeRole indexed role);

    address private _hub;
    uint256 private _unbondingDelay;
    uint256[ROLE_COUNT] private _minStake;
    uint256[ROLE_COUNT] private _totalEligibleStake;
    AddressSet[ROLE_COUNT] private _eligible;
    /// @dev Every address that ever registered for the role, append-only (so a resync cursor never skips anyone).
    AddressSet[ROLE_COUNT] private _members;
    /// @dev Next member index to re-check after a minimum-stake change (== member count when none is pending).
    uint256[ROLE_COUNT] private _resyncNext;
    mapping(address node => StakeRecord[ROLE_COUNT]) private _stakes;
    /// @dev Counted stake over time: bonded while eligible, else 0.
    mapping(address node => Checkpoints.Trace208[ROLE_COUNT]) private _stakeHistory;
    Checkpoints.Trace208[ROLE_COUNT] private _totalHistory;

    modifier onlyHub() {
        if (msg.sender != _hub) revert NodeRegistryOnlyHub(msg.sender);
        _;
    }

    /// @param admin the owner (sets the hub once, minimum stakes and the unbonding delay)
    /// @param minStakes minimum bonded stake for Executor, Prover, Verifier (each > 0)
    /// @param unbondingDelay_ seconds between beginUnbonding and withdrawUnbonded (must exceed the hub's longest
    /// request window, checked when the hub is set)
    constructor(address admin, uint256[3] memory minStakes, uint256 unbondingDelay_) Ownable(admin) {
        for (uint256 i; i < ROLE_COUNT; ++i) {
            if (minStakes[i] == 0) revert NodeRegistryInvalidMinStake(NodeRole(i), 0);
            _minStake[i] = minStakes[i];
            emit MinStakeChanged(NodeRole(i), 0, minStakes[i]);
        }
        _setUnbondingDelay(unbondingDelay_);
    }

    // ---------------------------------------------------------------- admin

    /// @notice Owner-only, once: the contract allowed to slash and to count duties. Its longest request window must
    /// be shorter than the unbonding delay.
    function setHub(address hub_) external onlyOwner {
        if (_hub != address(0)) revert NodeRegistryHubAlreadySet();
        if (hub_ == address(0)) revert NodeRegistryInvalidHub(hub_);
        _checkDelay(_unbondingDelay, hub_);
        _hub = hub_;
        emit HubSet(hub_);
    }

    /// @notice Owner-only: change the minimum bonded stake of `role`. Re-checks up to RESYNC_BATCH members now so
    /// they cross in or out of the eligible set; call resyncEligibility for the rest (see pendingResync).
    function setMinStake(NodeRole role, uint256 minimum) external onlyOwner {
        if (minimum == 0) revert NodeRegistryInvalidMinStake(role, minimum);
        uint256 r = uint256(role);
        emit MinStakeChanged(role, _minStake[r], minimum);
        _minStake[r] = minimum;
        _resyncNext[r] = 0;
        _resync(role, RESYNC_BATCH);
    }

    /// @notice Anyone: continue re-checking up to `maxCount` members of `role` after a minimum-stake change.
    /// Returns how many are still pending.
    function resyncEligibility(NodeRole role, uint256 maxCount) external returns (uint256 remaining) {
        return _resync(role, maxCount);
    }

    /// @notice Owner-only: change the unbonding delay (at most MAX_UNBONDING_DELAY, and more than the hub's longest
    /// request window). Applies to unbonding started afterwards; stake already unbonding keeps its date.
    function setUnbondingDelay(uint256 delay) external onlyOwner {
        if (_hub != address(0)) _checkDelay(delay, _hub);
        _setUnbondingDelay(delay);
    }

    // ---------------------------------------------------------------- nodes

    /// @inheritdoc INodeRegistry
    function register(NodeRole role) external payable {
        StakeRecord storage s = _stakes[msg.sender][uint256(role)];
        if (s.registered) revert NodeRegistryAlreadyRegistered(msg.sender, role);
        uint256 minimum = _minStake[uint256(role)];
        if (msg.value < minimum) revert NodeRegistryStakeTooLow(role, msg.value, minimum);
        _write(msg.sender, role, s, true, msg.value, s.unbonding, s.unbondingReadyAt);
        emit NodeRegistered(msg.sender, role, msg.value);
    }

    /// @inheritdoc INodeRegistry
    function increaseStake(NodeRole role) external payable {
        StakeRecord storage s = _registered(msg.sender, role);
        if (msg.value == 0) revert NodeRegistryZeroAmount();
        uint256 bonded = s.bonded + msg.value;
        _write(msg.sender, role, s, true, bonded, s.unbonding, s.unbondingReadyAt);
        emit StakeIncreased(msg.sender, role, msg.value, bonded);
    }

    /// @inheritdoc INodeRegistry
    /// @dev One bucket per (node, role): unbonding more restarts the delay for the whole bucket.
    function beginUnbonding(NodeRole role, uint256 amount) external {
        StakeRecord storage s = _registered(msg.sender, role);
        if (amount == 0) revert NodeRegistryZeroAmount();
        if (amount > s.bonded) revert NodeRegistryUnbondingTooLarge(amount, s.bonded);
        uint256 readyAt = block.timestamp + _unbondingDelay;
        _write(msg.sender, role, s, true, s.bonded - amount, s.unbonding + amount, readyAt);
        emit UnbondingStarted(msg.sender, role, amount, readyAt);
    }

    /// @inheritdoc INodeRegistry
    function withdrawUnbonded(NodeRole role) external nonReentrant {
        StakeRecord storage s = _stakes[msg.sender][uint256(role)];
        uint256 amount = s.unbonding;
        if (amount == 0) revert NodeRegistryNothingToWithdraw(msg.sender, role);
        if (block.timestamp < s.unbondingReadyAt) revert NodeRegistryUnbondingNotReady(s.unbondingReadyAt, block.timestamp);
        if (s.duties != 0) revert NodeRegistryDutiesOpen(msg.sender, role, s.duties);
        // A node that takes out its last wei leaves the role entirely (it can register again later).
        bool stays = s.bonded != 0;
        _write(msg.sender, role, s, stays, s.bonded, 0, 0);
        emit UnbondedWithdrawn(msg.sender, role, amount);
        if (!stays) emit NodeExited(msg.sender, role);
        _send(msg.sender, amount);
    }

    /// @inheritdoc INodeRegistry
    function reinstate(NodeRole role) external {
        StakeRecord storage s = _stakes[msg.sender][uint256(role)];
        if (!s.suspended) revert NodeRegistryNotSuspended(msg.sender, role);
        if (block.timestamp < s.suspendedUntil) revert NodeRegistrySuspended(msg.sender, role, s.suspendedUntil);
        bool wasEligible = _eligible[uint256(role)].position[msg.sender] != 0;
        s.suspended = false;
        s.suspendedUntil = 0;
        emit NodeReinstated(msg.sender, role);
        _syncEligibility(msg.sender, role, wasEligible, s.bonded, s);
    }

    // ---------------------------------------------------------------- hub

    /// @inheritdoc INodeRegistry
    /// @dev Never reverts for lack of stake (a refund path must not be blocked by an empty node): it takes what is
    /// there, possibly 0. The node stays registered (at zero stake it is simply not eligible).
    function slash(address node, NodeRole role, uint256 amount, bytes32 reason)
        external
        onlyHub
        nonReentrant
        returns (uint256 slashed)
    {
        StakeRecord storage s = _stakes[node][uint256(role)];
        uint256 bonded = s.bonded;
        uint256 unbonding = s.unbonding;
        uint256 fromBonded = amount < bonded ? amount : bonded;
        uint256 rest = amount - fromBonded;
        uint256 fromUnbonding = rest < unbonding ? rest : unbonding;
        slashed = fromBonded + fromUnbonding;
        if (slashed == 0) return 0;
        unbonding -= fromUnbonding;
        _write(node, role, s, s.registered, bonded - fromBonded, unbonding, unbonding == 0 ? 0 : s.unbondingReadyAt);
        emit NodeSlashed(node, role, slashed, reason);
        _send(msg.sender, slashed);
    }

    /// @inheritdoc INodeRegistry
    function adjustDuties(DutyChange[] calldata changes) external onlyHub {
        for (uint256 i; i < changes.length; ++i) {
            DutyChange calldata c = changes[i];
            StakeRecord storage s = _stakes[c.node][uint256(c.role)];
            // checked: below zero or above uint32 is a hub bug, never a node's to pay for
            uint32 n = SafeCast.toUint32(uint256(int256(uint256(s.duties)) + c.delta));
            s.duties = n;
            emit DutiesChanged(c.node, c.role, n);
        }
    }

    /// @inheritdoc INodeRegistry
    function suspend(address node, NodeRole role, uint256 until) external onlyHub {
        StakeRecord storage s = _stakes[node][uint256(role)];
        bool wasEligible = _eligible[uint256(role)].position[node] != 0;
        s.suspended = true;
        s.suspendedUntil = SafeCast.toUint40(until);
        emit NodeSuspended(node, role, until);
        _syncEligibility(node, role, wasEligible, s.bonded, s);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc INodeRegistry
    function isEligible(address node, NodeRole role) public view returns (bool) {
        return _eligible[uint256(role)].position[node] != 0;
    }

    /// @inheritdoc INodeRegistry
    function stakeOf(address node, NodeRole role) external view returns (uint256) {
        return _stakes[node][uint256(role)].bonded;
    }

    /// @inheritdoc INodeRegistry
    function stakeAt(address node, NodeRole role, uint256 timepoint) external view returns (uint256) {
        return _stakeHistory[node][uint256(role)].upperLookupRecent(_pastKey(timepoint));
    }

    /// @inheritdoc INodeRegistry
    function totalStakeAt(NodeRole role, uint256 timepoint) external view returns (uint256) {
        return _totalHistory[uint256(role)].upperLookupRecent(_pastKey(timepoint));
    }

    /// @inheritdoc INodeRegistry
    function dutiesOf(address node, NodeRole role) external view returns (uint256) {
        return _stakes[node][uint256(role)].duties;
    }

    /// @inheritdoc INodeRegistry
    function unbondingOf(address node, NodeRole role) external view returns (uint256 amount, uint256 readyAt) {
        StakeRecord storage s = _stakes[node][uint256(role)];
        return (s.unbonding, s.unbondingReadyAt);
    }

    /// @inheritdoc INodeRegistry
    function isRegistered(address node, NodeRole role) external view returns (bool) {
        return _stakes[node][uint256(role)].registered;
    }

    /// @inheritdoc INodeRegistry
    function suspendedUntil(address node, NodeRole role) external view returns (bool suspended, uint256 until) {
        StakeRecord storage s = _stakes[node][uint256(role)];
        return (s.suspended, s.suspendedUntil);
    }

    /// @inheritdoc INodeRegistry
    function totalEligibleStake(NodeRole role) external view returns (uint256) {
        return _totalEligibleStake[uint256(role)];
    }

    /// @inheritdoc INodeRegistry
    function eligibleCount(NodeRole role) external view returns (uint256) {
        return _eligible[uint256(role)].items.length;
    }

    /// @inheritdoc INodeRegistry
    function eligibleAt(NodeRole role, uint256 index) external view returns (address) {
        return _eligible[uint256(role)].items[index];
    }

    /// @notice Members of `role` not yet re-checked since the last minimum-stake change.
    function pendingResync(NodeRole role) external view returns (uint256) {
        uint256 r = uint256(role);
        return _members[r].items.length - _resyncNext[r];
    }

    /// @notice Number of addresses that ever registered for `role` (registered now or not: see isRegistered).
    function memberCount(NodeRole role) external view returns (uint256) {
        return _members[uint256(role)].items.length;
    }

    /// @notice The member at `index` for `role`.
    function memberAt(NodeRole role, uint256 index) external view returns (address) {
        return _members[uint256(role)].items[index];
    }

    /// @inheritdoc INodeRegistry
    function minStake(NodeRole role) external view returns (uint256) {
        return _minStake[uint256(role)];
    }

    /// @inheritdoc INodeRegistry
    function unbondingDelay() external view returns (uint256) {
        return _unbondingDelay;
    }

    /// @inheritdoc INodeRegistry
    function hub() external view returns (address) {
        return _hub;
    }

    // ---------------------------------------------------------------- internals

    function _setUnbondingDelay(uint256 delay) private {
        if (delay > MAX_UNBONDING_DELAY) revert NodeRegistryInvalidUnbondingDelay(delay, MAX_UNBONDING_DELAY);
        emit UnbondingDelayChanged(_unbondingDelay, delay);
        _unbondingDelay = delay;
    }

    /// @dev The one rule both contracts enforce: stake at risk on a request is still bonded or unbonding when the
    /// request's last window closes.
    function _checkDelay(uint256 delay, address hub_) private view {
        uint256 longest = IRequestWindows(hub_).longestWindow();
        if (delay <= longest) revert NodeRegistryUnbondingDelayTooShort(delay, longest);
    }

    /// @dev Checkpoints of the current second may still change in this block: only past timepoints are final.
    function _pastKey(uint256 timepoint) private view returns (uint48) {
        uint48 now_ = Time.timestamp();
        if (timepoint >= now_) revert NodeRegistryFutureLookup(timepoint, now_);
        return uint48(timepoint);
    }

    function _registered(address node, NodeRole role) private view returns (StakeRecord storage s) {
        s = _stakes[node][uint256(role)];
        if (!s.registered) revert NodeRegistryNotRegistered(node, role);
    }

    /// @dev The single write path for a stake record: stores it, keeps the member list, the eligible set,
    /// totalEligibleStake and the checkpoints in step, and emits NodeActivated/NodeDeactivated on an eligibility
    /// change.
    function _write(
        address node,
        NodeRole role,
        StakeRecord storage s,
        bool registered,
        uint256 bonded,
        uint256 unbonding,
        uint256 readyAt
    ) private {
        uint256 r = uint256(role);
        bool wasEligible = _eligible[r].position[node] != 0;
        uint256 oldBonded = s.bonded;
        if (registered && _members[r].position[node] == 0) {
            _add(_members[r], node);
            // A new member is in sync already; keep an idle cursor idle so pendingResync stays 0.
            if (_resyncNext[r] == _members[r].items.length - 1) _resyncNext[r] += 1;
        }
        s.registered = registered;
        s.bonded = SafeCast.toUint128(bonded);
        s.unbonding = SafeCast.toUint128(unbonding);
        s.unbondingReadyAt = uint64(readyAt);
        _syncEligibility(node, role, wasEligible, oldBonded, s);
    }

    /// @dev Brings the eligible set, the total and the checkpoints in line with `s` given what they reflected before
    /// (`wasEligible` with `oldBonded` counted in the total).
    function _syncEligibility(address node, NodeRole role, bool wasEligible, uint256 oldBonded, StakeRecord storage s)
        private
    {
        uint256 r = uint256(role);
        uint256 bonded = s.bonded;
        bool eligible = s.registered && !s.suspended && bonded >= _minStake[r];
        _count(node, r, wasEligible ? oldBonded : 0, eligible ? bonded : 0);
        if (eligible == wasEligible) return;
        if (eligible) {
            _add(_eligible[r], node);
            emit NodeActivated(node, role);
        } else {
            _remove(_eligible[r], node);
            emit NodeDeactivated(node, role);
        }
    }

    /// @dev Moves `node`'s counted stake for role `r` from `oldCounted` to `counted`, in the total and the checkpoints.
    function _count(address node, uint256 r, uint256 oldCounted, uint256 counted) private {
        if (counted == oldCounted) return;
        uint256 total = _totalEligibleStake[r] - oldCounted + counted;
        _totalEligibleStake[r] = total;
        uint48 now_ = Time.timestamp();
        _stakeHistory[node][r].push(now_, SafeCast.toUint208(counted));
        _totalHistory[r].push(now_, SafeCast.toUint208(total));
    }

    function _resync(NodeRole role, uint256 maxCount) private returns (uint256 remaining) {
        uint256 r = uint256(role);
        address[] storage members = _members[r].items;
        uint256 from = _resyncNext[r];
        uint256 n = members.length;
        uint256 to = n - from > maxCount ? from + maxCount : n;
        for (uint256 i = from; i < to; ++i) {
            address node = members[i];
            _syncEligibility(node, role, _eligible[r].position[node] != 0, _stakes[node][r].bonded, _stakes[node][r]);
        }
        _resyncNext[r] = to;
        remaining = n - to;
        emit EligibilityResynced(role, from, to, remaining);
    }

    function _add(AddressSet storage set, address a) private {
        set.items.push(a);
        set.position[a] = set.items.length;
    }

    /// @dev Swap-and-pop: moves the last item into the removed slot.
    function _remove(AddressSet storage set, address a) private {
        uint256 index = set.position[a] - 1;
        uint256 last = set.items.length - 1;
        if (index != last) {
            address moved = set.items[last];
            set.items[index] = moved;
            set.position[moved] = index + 1;
        }
        set.items.pop();
        delete set.position[a];
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert NodeRegistryTransferFailed(to, amount);
    }
}
