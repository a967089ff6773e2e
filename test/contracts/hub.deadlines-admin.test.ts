import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, parseEther } from "viem";

import { deployHub, INPUT, MIN_STAKE, OUTPUT, PRICE, proofFor, Role, SLASH, Status } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);

describe("InferenceHub deadlines (fail closed)", () => {
  it("no result in time: consumer refunded the whole fee plus half the assigned executor's slash", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, nodeRegistry, consumer, wallets } = f;
    const id = await f.request(models.onchain, { resultTimeout: 30 });
    const r = await hub.read.getRequest([id]);
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.refundExpired([id]), hub, "InferenceHubDeadlineNotReached", [
      id,
      r.resultDeadline,
    ]);
    await networkHelpers.time.increaseTo(r.resultDeadline + 1n);
    await viem.assertions.emitWithArgs(hub.write.refundExpired([id], { account: wallets.outsider.account }), hub, "RequestRefunded", [
      id,
      getAddress(consumer.address),
      PRICE,
      Status.Requested,
    ]);
    assert.equal(await hub.read.status([id]), Status.Refunded);
    assert.equal(await nodeRegistry.read.stakeOf([r.executor, Role.Executor]), MIN_STAKE - SLASH);
    assert.equal(await hub.read.releasable([consumer.address]), PRICE + SLASH / 2n);
    assert.equal(await hub.read.releasable([wallets.treasury.account.address]), SLASH / 2n);
    assert.equal(await hub.read.releasable([r.executor]), 0n);
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.refundExpired([id]), hub, "InferenceHubUnexpectedStatus", [
      id,
      Status.Refunded,
      Status.Requested,
    ]);
    await f.assertBooksBalance();
  });

  it("no proof in time (ZKML_ONCHAIN): refund, the delivering executor slashed, nobody paid; a late proof is refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, nodeRegistry, consumer, wallets } = f;
    const id = await f.request(models.onchain, { proofTimeout: 60 });
    const executor = await f.deliver(id);
    const { proofDeadline } = await hub.read.getRequest([id]);
    await networkHelpers.time.increaseTo(proofDeadline + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: wallets.prover1.account }),
      hub,
      "InferenceHubDeadlinePassed",
      [id, proofDeadline],
    );
    await hub.write.refundExpired([id]);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE - SLASH);
    assert.equal(await hub.read.releasable([executor.account.address]), 0n);
    assert.equal(await hub.read.releasable([consumer.address]), PRICE + SLASH / 2n);
    await f.assertBooksBalance();
  });

  it("a settled request cannot be refunded; an executor with no stake left does not block the refund", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, nodeRegistry, consumer } = f;
    const id = await f.request(models.onchain);
    await f.deliver(id);
    await hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: f.wallets.prover1.account });
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.refundExpired([id]), hub, "InferenceHubUnexpectedStatus", [
      id,
      Status.Settled,
      Status.Requested,
    ]);

    const id2 = await f.request(models.onchain, { resultTimeout: 30 });
    const assigned = f.walletOf((await hub.read.getRequest([id2])).executor);
    await nodeRegistry.write.beginUnbonding([Role.Executor, MIN_STAKE], { account: assigned.account });
    await networkHelpers.time.increase(3601);
    await nodeRegistry.write.withdrawUnbonded([Role.Executor], { account: assigned.account });
    const before = await hub.read.releasable([consumer.address]);
    await hub.write.refundExpired([id2]);
    assert.equal(await hub.read.releasable([consumer.address]), before + PRICE);
    assert.equal((await hub.getEvents.SlashCredited({}, { fromBlock: 0n })).length, 0);
    await f.assertBooksBalance();
  });
});

describe("InferenceHub admin (Ownable2Step + bounded parameters)", () => {
  it("starts with the documented defaults", async () => {
    const { hub, wallets } = await networkHelpers.loadFixture(fixture);
    const p = await hub.read.parameters();
    assert.deepEqual(
      [p.executorBps, p.proverBps, p.verifierBps, p.protocolBps, p.quorumBps, p.slashRewardBps, p.assignmentWindow],
      [4000, 3000, 2000, 1000, 6666, 5000, 30],
    );
    assert.deepEqual(
      [p.minResultTimeout, p.defaultResultTimeout, p.maxResultTimeout, p.minProofTimeout, p.defaultProofTimeout, p.maxProofTimeout],
      [10, 300, 86400, 60, 3600, 604800],
    );
    assert.deepEqual([p.defaultCallbackGas, p.maxCallbackGas], [200_000, 2_000_000]);
    assert.deepEqual([p.executorSlash, p.proverSlash, p.verifierSlash], [SLASH, SLASH, SLASH]);
    assert.equal(getAddress(p.treasury), getAddress(wallets.treasury.account.address));
  });

  it("setParameters: owner only, every bound checked, one event with the new set", async () => {
    const { hub, wallets } = await networkHelpers.loadFixture(fixture);
    const p = await hub.read.parameters();
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.setParameters([p], { account: wallets.outsider.account }),
      hub,
      "OwnableUnauthorizedAccount",
      [getAddress(wallets.outsider.account.address)],
    );
    const bad: [string, Partial<typeof p>][] = [
      ["feeSplit", { executorBps: 4001 }],
      ["protocolBps", { executorBps: 2000, protocolBps: 3000 }],
      ["quorumBps", { quorumBps: 5000 }],
      ["quorumBps", { quorumBps: 10001 }],
      ["slashRewardBps", { slashRewardBps: 10001 }],
      ["assignmentWindow", { assignmentWindow: 86401 }],
      ["resultTimeout", { minResultTimeout: 0 }],
      ["resultTimeout", { defaultResultTimeout: 5 }],
      ["resultTimeout", { maxResultTimeout: 31 * 86400, defaultResultTimeout: 300 }],
      ["proofTimeout", { defaultProofTimeout: 10 }],
      ["callbackGas", { defaultCallbackGas: 0 }],
      ["callbackGas", { maxCallbackGas: 5_000_001 }],
      ["treasury", { treasury: "0x0000000000000000000000000000000000000000" }],
    ];
    for (const [name, change] of bad) {
      const nameHex = `0x${Buffer.from(name).toString("hex").padEnd(64, "0")}` as const;
      await viem.assertions.revertWithCustomErrorWithArgs(hub.write.setParameters([{ ...p, ...change }]), hub, "InferenceHubInvalidParameter", [
        nameHex,
      ]);
    }
    const next = { ...p, quorumBps: 7500, executorSlash: parseEther("0.5"), assignmentWindow: 0 };
    await viem.assertions.emit(hub.write.setParameters([next]), hub, "ParametersChanged");
    const read = await hub.read.parameters();
    assert.equal(read.quorumBps, 7500);
    assert.equal(read.executorSlash, parseEther("0.5"));
  });

  it("ownership moves in two steps", async () => {
    const { hub, wallets } = await networkHelpers.loadFixture(fixture);
    await hub.write.transferOwnership([wallets.outsider.account.address]);
    assert.equal(getAddress(await hub.read.owner()), getAddress(wallets.admin.account.address));
    await hub.write.acceptOwnership({ account: wallets.outsider.account });
    assert.equal(getAddress(await hub.read.owner()), getAddress(wallets.outsider.account.address));
    await viem.assertions.revertWithCustomError(hub.write.setParameters([await hub.read.parameters()]), hub, "OwnableUnauthorizedAccount");
  });
});
