import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { network } from "hardhat";
import { encodeErrorResult, getAddress, stringToHex, zeroAddress } from "viem";

import { NodeRole } from "../../protocol/enums.js";

const { Executor: EXECUTOR, Prover: PROVER, Verifier: VERIFIER } = NodeRole;
const ROLES = [EXECUTOR, PROVER, VERIFIER] as const;
const MIN_STAKES = [100n, 200n, 300n] as const;
const DELAY = 3600n;

const { viem, networkHelpers } = await network.create();
const publicClient = await viem.getPublicClient();

async function deployFixture() {
  const wallets = await viem.getWalletClients();
  const [admin, , a, b, c, d] = wallets;
  const registry = await viem.deployContract("NodeRegistry", [admin.account.address, [...MIN_STAKES], DELAY]);
  const as = async (w: (typeof wallets)[number]) =>
    viem.getContractAt("NodeRegistry", registry.address, { client: { wallet: w } });
  // A test-only hub: forwards the hub-only calls; its longest request window (0 here) is below DELAY.
  const hub = await viem.deployContract("NodeRegistryProbe", [registry.address]);
  await registry.write.setHub([hub.address]);
  return {
    registry,
    admin,
    hub,
    nodes: [a, b, c, d],
    asNodes: await Promise.all([a, b, c, d].map(as)),
  };
}

describe("NodeRegistry", () => {
  it("registers with at least the minimum stake and becomes eligible", async () => {
    const { registry, nodes, asNodes } = await networkHelpers.loadFixture(deployFixture);
    const node = getAddress(nodes[0].account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      asNodes[0].write.register([PROVER], { value: 199n }),
      registry,
      "NodeRegistryStakeTooLow",
      [PROVER, 199n, 200n],
    );
    await viem.assertions.emitWithArgs(
      asNodes[0].write.register([PROVER], { value: 250n }),
      registry,
      "NodeRegistered",
      [node, PROVER, 250n],
    );
    assert.equal(await registry.read.isEligible([node, PROVER]), true);
    assert.equal(await registry.read.isEligible([node, EXECUTOR]), false, "roles are staked separately");
    assert.equal(await registry.read.stakeOf([node, PROVER]), 250n);
    assert.equal(await registry.read.eligibleCount([PROVER]), 1n);
    assert.equal(await registry.read.eligibleAt([PROVER, 0n]), node);
    assert.equal(await registry.read.totalEligibleStake([PROVER]), 250n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      asNodes[0].write.register([PROVER], { value: 250n }),
      registry,
      "NodeRegistryAlreadyRegistered",
      [node, PROVER],
    );
  });

  it("increases stake only for registered nodes and only by a positive amount", async () => {
    const { registry, nodes, asNodes } = await networkHelpers.loadFixture(deployFixture);
    const node = getAddress(nodes[0].account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      asNodes[0].write.increaseStake([EXECUTOR], { value: 1n }),
      registry,
      "NodeRegistryNotRegistered",
      [node, EXECUTOR],
    );
    await asNodes[0].write.register([EXECUTOR], { value: 100n });
    await viem.assertions.revertWithCustomError(asNodes[0].write.increaseStake([EXECUTOR]), registry, "NodeRegistryZeroAmount");
    await viem.assertions.emitWithArgs(
      asNodes[0].write.increaseStake([EXECUTOR], { value: 5n }),
      registry,
      "StakeIncreased",
      [node, EXECUTOR, 5n, 105n],
    );
    assert.equal(await registry.read.totalEligibleStake([EXECUTOR]), 105n);
  });

  it("unbonds after the delay, deactivating below the minimum, and exits on the last withdrawal", async () => {
    const { registry, nodes, asNodes } = await networkHelpers.loadFixture(deployFixture);
    const node = getAddress(nodes[0].account.address);
    await asNodes[0].write.register([EXECUTOR], { value: 150n });
    await viem.assertions.revertWithCustomErrorWithArgs(
      asNodes[0].write.beginUnbonding([EXECUTOR, 151n]),
      registry,
      "NodeRegistryUnbondingTooLarge",
      [151n, 150n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      asNodes[0].write.withdrawUnbonded([EXECUTOR]),
      registry,
      "NodeRegistryNothingToWithdraw",
      [node, EXECUTOR],
    );
    // 150 -> 110 bonded: still eligible (min 100).
    await asNodes[0].write.beginUnbonding([EXECUTOR, 40n]);
    assert.equal(await registry.read.isEligible([node, EXECUTOR]), true);
    assert.equal(await registry.read.totalEligibleStake([EXECUTOR]), 110n);
    // 110 -> 60: falls below the minimum, leaves the eligible set.
    const tx = asNodes[0].write.beginUnbonding([EXECUTOR, 50n]);
    await viem.assertions.emit(tx, registry, "NodeDeactivated");
    const now = BigInt(await networkHelpers.time.latest());
    const [unbonding, readyAt] = await registry.read.unbondingOf([node, EXECUTOR]);
    assert.equal(unbonding, 90n);
    assert.equal(readyAt, now + DELAY, "a new unbonding restarts the delay for the whole bucket");
    assert.equal(await registry.read.isEligible([node, EXECUTOR]), false);
    assert.equal(await registry.read.eligibleCount([EXECUTOR]), 0n);
    assert.equal(await registry.read.totalEligibleStake([EXECUTOR]), 0n);

    await viem.assertions.revertWithCustomError(asNodes[0].write.withdrawUnbonded([EXECUTOR]), registry, "NodeRegistryUnbondingNotReady");
    await networkHelpers.time.increaseTo(readyAt);
    await viem.assertions.balancesHaveChanged(asNodes[0].write.withdrawUnbonded([EXECUTOR]), [
      { address: node, amount: 90n },
      { address: registry.address, amount: -90n },
    ]);
    assert.equal(await registry.read.isRegistered([node, EXECUTOR]), true, "60 wei still bonded");

    // Taking the rest out leaves the role; the node may register again afterwards.
    await asNodes[0].write.beginUnbonding([EXECUTOR, 60n]);
    await networkHelpers.time.increase(DELAY);
    await viem.assertions.emitWithArgs(asNodes[0].write.withdrawUnbonded([EXECUTOR]), registry, "NodeExited", [node, EXECUTOR]);
    assert.equal(await registry.read.isRegistered([node, EXECUTOR]), false);
    assert.equal(await registry.read.memberCount([EXECUTOR]), 1n, "members are append-only");
    await asNodes[0].write.register([EXECUTOR], { value: 100n });
    assert.equal(await registry.read.isEligible([node, EXECUTOR]), true);
    assert.equal(await registry.read.memberCount([EXECUTOR]), 1n, "no duplicate member on re-registration");
  });

  it("slashes only from the hub, bonded first then unbonding, and pays the hub", async () => {
    const { registry, hub, nodes, asNodes } = await networkHelpers.loadFixture(deployFixture);
    const node = getAddress(nodes[0].account.address);
    const hubAddr = getAddress(hub.address);
    await asNodes[0].write.register([VERIFIER], { value: 400n });
    await asNodes[0].write.beginUnbonding([VERIFIER, 150n]); // bonded 250 (< 300: ineligible), unbonding 150
    await viem.assertions.revertWithCustomErrorWithArgs(
      asNodes[1].write.slash([node, VERIFIER, 1n, stringToHex("x", { size: 32 })]),
      registry,
      "NodeRegistryOnlyHub",
      [getAddress(nodes[1].account.address)],
    );
    const reason = stringToHex("missed-deadline", { size: 32 });
    await viem.assertions.emitWithArgs(hub.write.hubSlash([node, VERIFIER, 300n, reason]), registry, "NodeSlashed", [
      node,
      VERIFIER,
      300n,
      reason,
    ]);
    assert.equal(await registry.read.stakeOf([node, VERIFIER]), 0n);
    assert.equal((await registry.read.unbondingOf([node, VERIFIER]))[0], 100n);
    // Asking for more than is left takes what is left; the hub receives it.
    await viem.assertions.balancesHaveChanged(hub.write.hubSlash([node, VERIFIER, 1000n, reason]), [
      { address: hubAddr, amount: 100n },
      { address: registry.address, amount: -100n },
    ]);
    assert.deepEqual(await registry.read.unbondingOf([node, VERIFIER]), [0n, 0n]);
    // Nothing left: a no-op, not a revert (a refund path must not be blocked by an empty node).
    const { result } = await hub.simulate.hubSlash([node, VERIFIER, 5n, reason]);
    assert.equal(result, 0n);
    // Stake that was slashed while eligible leaves the totals.
    await asNodes[1].write.register([EXECUTOR], { value: 180n });
    await hub.write.hubSlash([getAddress(nodes[1].account.address), EXECUTOR, 50n, reason]);
    assert.equal(await registry.read.totalEligibleStake([EXECUTOR]), 130n);
    await hub.write.hubSlash([getAddress(nodes[1].account.address), EXECUTOR, 31n, reason]);
    assert.equal(await registry.read.totalEligibleStake([EXECUTOR]), 0n);
    assert.equal(await registry.read.eligibleCount([EXECUTOR]), 0n);
  });

  it("sets the hub once, by the admin only, and only a hub whose windows the unbonding delay outlasts", async () => {
    const { admin, nodes } = await networkHelpers.loadFixture(deployFixture);
    const fresh = await viem.deployContract("NodeRegistry", [admin.account.address, [...MIN_STAKES], DELAY]);
    const hub1 = await viem.deployContract("NodeRegistryProbe", [fresh.address]);
    const hub2 = await viem.deployContract("NodeRegistryProbe", [fresh.address]);
    const asNode = await viem.getContractAt("NodeRegistry", fresh.address, { client: { wallet: nodes[0] } });
    await viem.assertions.revertWithCustomErrorWithArgs(
      asNode.write.slash([nodes[0].account.address, EXECUTOR, 1n, stringToHex("", { size: 32 })]),
      fresh,
      "NodeRegistryOnlyHub",
      [getAddress(nodes[0].account.address)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(asNode.write.setHub([nodes[0].account.address]), fresh, "OwnableUnauthorizedAccount", [
      getAddress(nodes[0].account.address),
    ]);
    await viem.assertions.revertWithCustomError(fresh.write.setHub([zeroAddress]), fresh, "NodeRegistryInvalidHub");
    // a contract that cannot say how long its requests last is not a hub
    await assert.rejects(fresh.write.setHub([nodes[1].account.address]));
    await hub1.write.setLongestWindow([DELAY]);
    await viem.assertions.revertWithCustomErrorWithArgs(fresh.write.setHub([hub1.address]), fresh, "NodeRegistryUnbondingDelayTooShort", [DELAY, DELAY]);
    await hub1.write.setLongestWindow([DELAY - 1n]);
    await viem.assertions.emitWithArgs(fresh.write.setHub([hub1.address]), fresh, "HubSet", [getAddress(hub1.address)]);
    await viem.assertions.revertWithCustomError(fresh.write.setHub([hub2.address]), fresh, "NodeRegistryHubAlreadySet");
    // from now on the delay cannot drop to the hub's windows
    await viem.assertions.revertWithCustomErrorWithArgs(fresh.write.setUnbondingDelay([DELAY - 1n]), fresh, "NodeRegistryUnbondingDelayTooShort", [
      DELAY - 1n,
      DELAY - 1n,
    ]);
  });

  it("validates constructor and admin parameters", async () => {
    const { registry, admin, nodes, asNodes } = await networkHelpers.loadFixture(deployFixture);
    await assert.rejects(viem.deployContract("NodeRegistry", [admin.account.address, [1n, 0n, 1n], DELAY]), /NodeRegistryInvalidMinStake/);
    await assert.rejects(viem.deployContract("NodeRegistry", [zeroAddress, [1n, 1n, 1n], DELAY]), /OwnableInvalidOwner/);
    await viem.assertions.revertWithCustomError(asNodes[0].write.setMinStake([EXECUTOR, 5n]), registry, "OwnableUnauthorizedAccount");
    await viem.assertions.revertWithCustomError(registry.write.setMinStake([EXECUTOR, 0n]), registry, "NodeRegistryInvalidMinStake");
    const maxDelay = 90n * 24n * 3600n;
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.setUnbondingDelay([maxDelay + 1n]),
      registry,
      "NodeRegistryInvalidUnbondingDelay",
      [maxDelay + 1n, maxDelay],
    );
    await assert.rejects(
      viem.deployContract("NodeRegistry", [admin.account.address, [1n, 1n, 1n], maxDelay + 1n]),
      /NodeRegistryInvalidUnbondingDelay/,
    );
    await viem.assertions.emitWithArgs(registry.write.setUnbondingDelay([10n]), registry, "UnbondingDelayChanged", [DELAY, 10n]);
    assert.equal(await registry.read.unbondingDelay(), 10n);
    // Two-step admin transfer.
    const next = getAddress(nodes[3].account.address);
    await registry.write.transferOwnership([next]);
    assert.equal(await registry.read.owner(), getAddress(admin.account.address));
    await viem.assertions.revertWithCustomError(asNodes[2].write.acceptOwnership(), registry, "OwnableUnauthorizedAccount");
    await asNodes[3].write.acceptOwnership();
    assert.equal(await registry.read.owner(), next);
    await viem.assertions.revertWithCustomError(registry.write.setMinStake([EXECUTOR, 5n]), registry, "OwnableUnauthorizedAccount");
  });

  it("re-checks members when the minimum stake changes", async () => {
    const { registry, nodes, asNodes } = await networkHelpers.loadFixture(deployFixture);
    await asNodes[0].write.register([EXECUTOR], { value: 100n });
    await asNodes[1].write.register([EXECUTOR], { value: 300n });
    await viem.assertions.emitWithArgs(registry.write.setMinStake([EXECUTOR, 200n]), registry, "MinStakeChanged", [EXECUTOR, 100n, 200n]);
    assert.equal(await registry.read.eligibleCount([EXECUTOR]), 1n);
    assert.equal(await registry.read.eligibleAt([EXECUTOR, 0n]), getAddress(nodes[1].account.address));
    assert.equal(await registry.read.totalEligibleStake([EXECUTOR]), 300n);
    await registry.write.setMinStake([EXECUTOR, 50n]);
    assert.equal(await registry.read.eligibleCount([EXECUTOR]), 2n);
    assert.equal(await registry.read.totalEligibleStake([EXECUTOR]), 400n);
  });

  it("re-checks members in pages when there are more than RESYNC_BATCH", async () => {
    const { registry } = await networkHelpers.loadFixture(deployFixture);
    const batch = Number(await registry.read.RESYNC_BATCH());
    const count = batch + 5;
    const members: `0x${string}`[] = [];
    for (let i = 0; i < count; i++) {
      const address = `0x${(0x10000 + i).toString(16).padStart(40, "0")}` as const;
      await networkHelpers.impersonateAccount(address);
      await networkHelpers.setBalance(address, 10n ** 18n);
      const wallet = await viem.getWalletClient(address);
      const as = await viem.getContractAt("NodeRegistry", registry.address, { client: { wallet } });
      await as.write.register([EXECUTOR], { value: i % 2 === 0 ? 100n : 150n });
      members.push(getAddress(address));
    }
    assert.equal(await registry.read.pendingResync([EXECUTOR]), 0n);
    // Raise the minimum above the 100-wei stakes: the first page is re-checked at once, the rest is pending.
    await registry.write.setMinStake([EXECUTOR, 120n]);
    assert.equal(await registry.read.pendingResync([EXECUTOR]), 5n);
    const evenInPage = Math.ceil(batch / 2);
    assert.equal(await registry.read.eligibleCount([EXECUTOR]), BigInt(count - evenInPage));
    // Anyone finishes the job.
    const [, , , , , , , stranger] = await viem.getWalletClients();
    const asStranger = await viem.getContractAt("NodeRegistry", registry.address, { client: { wallet: stranger } });
    await viem.assertions.emitWithArgs(asStranger.write.resyncEligibility([EXECUTOR, 100n]), registry, "EligibilityResynced", [
      EXECUTOR,
      BigInt(batch),
      BigInt(count),
      0n,
    ]);
    const odd = members.filter((_, i) => i % 2 === 1);
    assert.equal(await registry.read.eligibleCount([EXECUTOR]), BigInt(odd.length));
    assert.equal(await registry.read.totalEligibleStake([EXECUTOR]), 150n * BigInt(odd.length));
    for (const m of [members[0], members[count - 1]]) {
      assert.equal(await registry.read.isEligible([m, EXECUTOR]), false);
    }
  });

  it("reverts the withdrawal when the node refuses payment, and blocks reentry", async () => {
    const { registry, admin } = await networkHelpers.loadFixture(deployFixture);
    const probe = await viem.deployContract("NodeRegistryProbe", [registry.address]);
    await probe.write.register([EXECUTOR], { value: 200n });
    await probe.write.beginUnbonding([EXECUTOR, 50n]);
    await networkHelpers.time.increase(DELAY);
    await probe.write.setOnReceive([1]); // Reject
    await viem.assertions.revertWithCustomErrorWithArgs(probe.write.withdrawUnbonded([EXECUTOR]), registry, "NodeRegistryTransferFailed", [
      getAddress(probe.address),
      50n,
    ]);
    assert.equal((await registry.read.unbondingOf([probe.address, EXECUTOR]))[0], 50n, "state rolled back");
    await probe.write.setOnReceive([2]); // Reenter
    await probe.write.withdrawUnbonded([EXECUTOR]);
    assert.equal(
      await probe.read.reentryError(),
      encodeErrorResult({ abi: registry.abi, errorName: "ReentrancyGuardReentrantCall" }),
    );
    assert.equal((await registry.read.unbondingOf([probe.address, EXECUTOR]))[0], 0n);
    assert.equal(await publicClient.getBalance({ address: registry.address }), 150n);

    // A hub that refuses the slashed value makes the slash revert (nothing counted as slashed but kept here).
    const fresh = await viem.deployContract("NodeRegistry", [admin.account.address, [...MIN_STAKES], DELAY]);
    const hubProbe = await viem.deployContract("NodeRegistryProbe", [fresh.address]);
    await fresh.write.setHub([hubProbe.address]);
    const [, , , , , , , nodeWallet] = await viem.getWalletClients();
    const asNode = await viem.getContractAt("NodeRegistry", fresh.address, { client: { wallet: nodeWallet } });
    await asNode.write.register([EXECUTOR], { value: 100n });
    await hubProbe.write.setOnReceive([1]); // Reject
    await viem.assertions.revertWithCustomErrorWithArgs(
      hubProbe.write.slash([nodeWallet.account.address, EXECUTOR, 10n]),
      fresh,
      "NodeRegistryTransferFailed",
      [getAddress(hubProbe.address), 10n],
    );
    assert.equal(await fresh.read.stakeOf([nodeWallet.account.address, EXECUTOR]), 100n);
    await hubProbe.write.setOnReceive([0]); // Accept
    await hubProbe.write.slash([nodeWallet.account.address, EXECUTOR, 10n]);
    assert.equal(await fresh.read.stakeOf([nodeWallet.account.address, EXECUTOR]), 90n);
    assert.equal(await publicClient.getBalance({ address: hubProbe.address }), 10n);
  });
});
