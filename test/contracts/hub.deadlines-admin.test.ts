import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, keccak256, parseEther } from "viem";

import {
  budgetOf,
  deployHub,
  INPUT,
  instancesHash,
  MIN_STAKE,
  OUTPUT,
  paymentOf,
  proofFor,
  Role,
  SLASH,
  Status,
  UNBONDING_DELAY,
  provenOutput,
  provenOutputs,
} from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);

describe("InferenceHub deadlines (fail closed, only the node at fault pays)", () => {
  it("no result in time: the consumer gets its payment back, the assigned executor is slashed to the treasury", async () => {
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
      paymentOf({ resultTimeout: 30 }),
      Status.Requested,
    ]);
    assert.equal(await hub.read.status([id]), Status.Refunded);
    assert.equal(await nodeRegistry.read.stakeOf([r.executor, Role.Executor]), MIN_STAKE - SLASH);
    // the consumer chose the input: it never receives slashed stake, only what it paid
    assert.equal(await hub.read.releasable([consumer.address]), paymentOf({ resultTimeout: 30 }));
    assert.equal(await hub.read.releasable([wallets.treasury.account.address]), SLASH);
    assert.equal(await hub.read.releasable([r.executor]), 0n);
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.refundExpired([id]), hub, "InferenceHubUnexpectedStatus", [
      id,
      Status.Refunded,
      Status.Requested,
    ]);
    await f.assertBooksBalance();
  });

  it("no proof in time (ZKML_ONCHAIN): refund; the prover that owed it is slashed, never the executor that delivered", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, nodeRegistry, consumer, wallets } = f;
    const id = await f.request(models.onchain, { proofTimeout: 60 });
    const executor = await f.deliver(id);
    const prover = await f.proverOf(id);
    const { proofDeadline, provedBy } = await hub.read.getRequest([id]);
    assert.equal(getAddress(provedBy), getAddress(prover.account.address)); // drawn when the result arrived
    const [delivered] = await hub.getEvents.ResultSubmitted({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.equal(getAddress(delivered.args.prover!), getAddress(prover.account.address));
    await networkHelpers.time.increaseTo(proofDeadline + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: prover.account }),
      hub,
      "InferenceHubDeadlinePassed",
      [id, proofDeadline],
    );
    await hub.write.refundExpired([id]);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE);
    assert.equal(await nodeRegistry.read.stakeOf([prover.account.address, Role.Prover]), MIN_STAKE - SLASH);
    // the executor keeps what it was paid for running the consumer's callback, and nothing else
    assert.equal(await hub.read.releasable([executor.account.address]), budgetOf({ proofTimeout: 60 }) / 2n);
    const refund = paymentOf({ proofTimeout: 60 }) - budgetOf({ proofTimeout: 60 }) / 2n;
    assert.equal(await hub.read.releasable([consumer.address]), refund);
    assert.equal(await hub.read.releasable([wallets.treasury.account.address]), SLASH);
    await f.assertBooksBalance();
  });

  it("a quorum that does not decide in time ends in a refund with nobody slashed; a decided one must settle", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, nodeRegistry, consumer, wallets } = f;
    const id = await f.request(models.attested, { proofTimeout: 60 });
    const executor = await f.deliver(id);
    const proof = proofFor(INPUT, OUTPUT);
    const prover = await f.prove(id, OUTPUT, proof);
    const a = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true };
    await f.attest(a, [wallets.ver1]); // ver2, ver3 stay silent
    const { verifyDeadline, proofDeadline } = await hub.read.getRequest([id]);
    assert.ok(verifyDeadline > proofDeadline - 60n); // a full attestation window from the proof
    await networkHelpers.time.setNextBlockTimestamp(verifyDeadline);
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.refundExpired([id]), hub, "InferenceHubDeadlineNotReached", [
      id,
      verifyDeadline,
    ]);
    await networkHelpers.time.setNextBlockTimestamp(verifyDeadline + 1n);
    await hub.write.refundExpired([id]);
    assert.equal(await hub.read.status([id]), Status.Refunded);
    for (const [w, role] of [[executor, Role.Executor], [prover, Role.Prover], [wallets.ver1, Role.Verifier]] as const) {
      assert.equal(await nodeRegistry.read.stakeOf([w.account.address, role]), MIN_STAKE);
      assert.equal(await nodeRegistry.read.dutiesOf([w.account.address, role]), 0n);
    }
    assert.equal((await hub.getEvents.SlashCredited({}, { fromBlock: 0n })).length, 0);
    assert.equal(await hub.read.releasable([consumer.address]), paymentOf({ proofTimeout: 60 }) - budgetOf({ proofTimeout: 60 }) / 2n);

    // a quorum that was reached in time is settled, not refunded, even after its window
    const id2 = await f.request(models.attested, { proofTimeout: 60 });
    await f.deliver(id2);
    await f.prove(id2, OUTPUT, proof);
    await f.attest({ ...a, requestId: id2 }, [wallets.ver1, wallets.ver2]);
    await networkHelpers.time.increaseTo((await hub.read.getRequest([id2])).verifyDeadline + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.refundExpired([id2]), hub, "InferenceHubQuorumDecided", [id2]);
    await hub.write.settle([id2, await provenOutput(hub, id2)]);
    assert.equal(await hub.read.status([id2]), Status.Settled);
    await f.assertBooksBalance();
  });

  it("stake owed to an open request cannot leave until the request is final", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, nodeRegistry } = f;
    const id = await f.request(models.onchain, { resultTimeout: 30 });
    const assigned = f.walletOf((await hub.read.getRequest([id])).executor);
    assert.equal(await nodeRegistry.read.dutiesOf([assigned.account.address, Role.Executor]), 1n);
    await nodeRegistry.write.beginUnbonding([Role.Executor, MIN_STAKE], { account: assigned.account });
    await networkHelpers.time.increase(Number(await nodeRegistry.read.unbondingDelay()) + 1);
    await viem.assertions.revertWithCustomErrorWithArgs(
      nodeRegistry.write.withdrawUnbonded([Role.Executor], { account: assigned.account }),
      nodeRegistry,
      "NodeRegistryDutiesOpen",
      [getAddress(assigned.account.address), Role.Executor, 1n],
    );
    // the request ends (the missed result is slashed from the unbonding stake); then the stake may leave
    await hub.write.refundExpired([id]);
    assert.equal(await nodeRegistry.read.dutiesOf([assigned.account.address, Role.Executor]), 0n);
    await nodeRegistry.write.withdrawUnbonded([Role.Executor], { account: assigned.account });
    assert.equal(await nodeRegistry.read.isRegistered([assigned.account.address, Role.Executor]), false);
    await f.assertBooksBalance();
  });

  it("a settled request cannot be refunded; an executor with no stake left does not block the refund", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, nodeRegistry, consumer, wallets } = f;
    const id = await f.request(models.onchain);
    await f.deliver(id);
    await f.prove(id);
    await viem.assertions.revertWithCustomErrorWithArgs(hub.write.refundExpired([id]), hub, "InferenceHubUnexpectedStatus", [
      id,
      Status.Settled,
      Status.Requested,
    ]);
    // one executor left, with a slash larger than its stake: the second timeout finds nothing to take
    await nodeRegistry.write.beginUnbonding([Role.Executor, MIN_STAKE], { account: wallets.exec2.account });
    await hub.write.setParameters([{ ...(await hub.read.parameters()), executorSlash: 2n * MIN_STAKE }]);
    const id2 = await f.request(models.onchain, { resultTimeout: 30 });
    const id3 = await f.request(models.onchain, { resultTimeout: 30 });
    await networkHelpers.time.increase(31);
    await hub.write.refundExpired([id2]);
    assert.equal(await nodeRegistry.read.stakeOf([wallets.exec1.account.address, Role.Executor]), 0n);
    const before = await hub.read.releasable([consumer.address]);
    await hub.write.refundExpired([id3]);
    assert.equal(await hub.read.releasable([consumer.address]), before + paymentOf({ resultTimeout: 30 }));
    assert.equal((await hub.getEvents.SlashCredited({}, { fromBlock: 0n })).length, 1);
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
    assert.deepEqual([p.proverWindow, p.attestationWindow, p.electorateEpoch, p.silenceLimit, p.suspension], [600, 600, 1, 10, 604_800]);
    // epoch + max result + max proof + attestation window: the registry's unbonding delay must exceed it
    assert.equal(await hub.read.longestWindow(), 1n + 86_400n + 604_800n + 600n);
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
      ["proverWindow", { proverWindow: 0 }],
      ["attestationWindow", { attestationWindow: 0 }],
      ["electorateEpoch", { electorateEpoch: 0 }],
      ["electorateEpoch", { electorateEpoch: 86_401 }],
      ["silenceLimit", { silenceLimit: 0 }],
      ["suspension", { suspension: 366 * 86_400 }],
      ["treasury", { treasury: "0x0000000000000000000000000000000000000000" }],
    ];
    for (const [name, change] of bad) {
      const nameHex = `0x${Buffer.from(name).toString("hex").padEnd(64, "0")}` as const;
      await viem.assertions.revertWithCustomErrorWithArgs(hub.write.setParameters([{ ...p, ...change }]), hub, "InferenceHubInvalidParameter", [
        nameHex,
      ]);
    }
    // windows the registry's unbonding delay (15 days) would not cover are refused
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.setParameters([{ ...p, maxProofTimeout: 15 * 86_400 }]),
      hub,
      "InferenceHubUnbondingTooShort",
      [UNBONDING_DELAY, 1n + 86_400n + 15n * 86_400n + 600n],
    );
    const next = { ...p, quorumBps: 7500, executorSlash: parseEther("0.5"), assignmentWindow: 0 };
    await viem.assertions.emit(hub.write.setParameters([next]), hub, "ParametersChanged");
    const read = await hub.read.parameters();
    assert.equal(read.quorumBps, 7500);
    assert.equal(read.executorSlash, parseEther("0.5"));
  });

  it("the registry refuses an unbonding delay its hub's windows would outlast", async () => {
    const { hub, nodeRegistry } = await networkHelpers.loadFixture(fixture);
    const longest = await hub.read.longestWindow();
    await viem.assertions.revertWithCustomErrorWithArgs(nodeRegistry.write.setUnbondingDelay([longest]), nodeRegistry, "NodeRegistryUnbondingDelayTooShort", [
      longest,
      longest,
    ]);
    await nodeRegistry.write.setUnbondingDelay([longest + 1n]);
    assert.equal(await nodeRegistry.read.unbondingDelay(), longest + 1n);
    // and the hub then refuses to lengthen its windows past it
    await viem.assertions.revertWithCustomError(
      hub.write.setParameters([{ ...(await hub.read.parameters()), attestationWindow: 601 }]),
      hub,
      "InferenceHubUnbondingTooShort",
    );
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
