import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, getAddress, parseEther, zeroAddress } from "viem";

import { DEFAULT_OPTIONS, deployHub, INPUT, MIN_STAKE, OUTPUT, PRICE, Role, Status, VALUE_BOUND } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);

describe("InferenceHub.requestInference", () => {
  it("rejects an input of the wrong shape", async () => {
    const { hub, models, wallets } = await networkHelpers.loadFixture(fixture);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([models.onchain, [1n, 2n, 3n], DEFAULT_OPTIONS], { value: PRICE, account: wallets.user.account }),
      hub,
      "InferenceHubWrongInputLength",
      [models.onchain, 4n, 3n],
    );
  });

  it("rejects a fee below the model's price", async () => {
    const { hub, models, wallets } = await networkHelpers.loadFixture(fixture);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: PRICE - 1n, account: wallets.user.account }),
      hub,
      "InferenceHubFeeTooLow",
      [models.onchain, PRICE, PRICE - 1n],
    );
  });

  it("rejects an inactive model and an unknown model", async () => {
    const { hub, models, modelRegistry, wallets } = await networkHelpers.loadFixture(fixture);
    await modelRegistry.write.setActive([models.onchain, false]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: PRICE, account: wallets.user.account }),
      hub,
      "InferenceHubModelInactive",
      [models.onchain],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([999n, INPUT, DEFAULT_OPTIONS], { value: PRICE, account: wallets.user.account }),
      modelRegistry,
      "ModelRegistryUnknownModel",
      [999n],
    );
  });

  it("rejects values that do not fit the field encoding (|v| >= 2^127)", async () => {
    const { hub, models, wallets } = await networkHelpers.loadFixture(fixture);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([models.onchain, [1n, 2n, -VALUE_BOUND, 4n], DEFAULT_OPTIONS], { value: PRICE, account: wallets.user.account }),
      hub,
      "InferenceHubValueOutOfRange",
      [2n, -VALUE_BOUND],
    );
    // the largest allowed magnitude is fine
    await hub.write.requestInference([models.onchain, [VALUE_BOUND - 1n, -(VALUE_BOUND - 1n), 0n, 0n], DEFAULT_OPTIONS], {
      value: PRICE,
      account: wallets.user.account,
    });
  });

  it("checks options against the protocol bounds, zero meaning default", async () => {
    const { hub, models, wallets } = await networkHelpers.loadFixture(fixture);
    const send = (o: Partial<typeof DEFAULT_OPTIONS>) =>
      hub.write.requestInference([models.onchain, INPUT, { ...DEFAULT_OPTIONS, ...o }], { value: PRICE, account: wallets.user.account });
    await viem.assertions.revertWithCustomErrorWithArgs(send({ callbackGasLimit: 2_000_001 }), hub, "InferenceHubInvalidOptions", ["callbackGasLimit"]);
    await viem.assertions.revertWithCustomErrorWithArgs(send({ resultTimeout: 5 }), hub, "InferenceHubInvalidOptions", ["resultTimeout"]);
    await viem.assertions.revertWithCustomErrorWithArgs(send({ resultTimeout: 86_401 }), hub, "InferenceHubInvalidOptions", ["resultTimeout"]);
    await viem.assertions.revertWithCustomErrorWithArgs(send({ proofTimeout: 59 }), hub, "InferenceHubInvalidOptions", ["proofTimeout"]);
    await send({});
    const r = await hub.read.getRequest([1n]);
    assert.equal(r.callbackGasLimit, 200_000);
    assert.equal(r.resultDeadline - r.requestedAt, 300n);
    await send({ callbackGasLimit: 50_000, resultTimeout: 20, proofTimeout: 90 });
    const r2 = await hub.read.getRequest([2n]);
    assert.equal(r2.callbackGasLimit, 50_000);
    assert.equal(r2.resultDeadline - r2.requestedAt, 20n);
  });

  it("needs at least one eligible executor and assigns one of them deterministically", async () => {
    const { hub, models, nodeRegistry, wallets } = await networkHelpers.loadFixture(fixture);
    const seen = new Set<`0x${string}`>();
    for (let i = 0; i < 8; i++) {
      await hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: PRICE, account: wallets.user.account });
      seen.add(getAddress((await hub.read.getRequest([BigInt(i + 1)])).executor));
    }
    const executors = [wallets.exec1, wallets.exec2].map((w) => getAddress(w.account.address));
    for (const e of seen) assert.ok(executors.includes(e), `${e} is an eligible executor`);
    for (const w of [wallets.exec1, wallets.exec2]) await nodeRegistry.write.beginUnbonding([Role.Executor, MIN_STAKE], { account: w.account });
    await viem.assertions.revertWithCustomError(
      hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: PRICE, account: wallets.user.account }),
      hub,
      "InferenceHubNoExecutors",
    );
  });

  it("serves an EOA consumer without callbacks", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets } = f;
    await hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: PRICE, account: wallets.user.account });
    await f.deliver(1n);
    assert.equal(await hub.read.status([1n]), Status.Executed);
    assert.equal((await hub.getEvents.CallbackDelivered({}, { fromBlock: 0n })).length, 0);
  });
});

describe("InferenceHub.submitResult", () => {
  it("only an eligible executor may deliver (unregistered, under-staked)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, nodeRegistry, wallets } = f;
    const id = await f.request(models.onchain);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitResult([id, OUTPUT], { account: wallets.outsider.account }),
      hub,
      "InferenceHubNotEligible",
      [getAddress(wallets.outsider.account.address), Role.Executor],
    );
    const assigned = f.walletOf((await hub.read.getRequest([id])).executor);
    await nodeRegistry.write.beginUnbonding([Role.Executor, 1n], { account: assigned.account }); // below the minimum
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitResult([id, OUTPUT], { account: assigned.account }),
      hub,
      "InferenceHubNotEligible",
      [getAddress(assigned.account.address), Role.Executor],
    );
  });

  it("only the assigned executor inside the assignment window; any eligible executor after it", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets } = f;
    const id = await f.request(models.onchain);
    const r = await hub.read.getRequest([id]);
    const other = getAddress(r.executor) === getAddress(wallets.exec1.account.address) ? wallets.exec2 : wallets.exec1;
    assert.equal(getAddress(await hub.read.assignedExecutor([id])), getAddress(r.executor));
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitResult([id, OUTPUT], { account: other.account }),
      hub,
      "InferenceHubNotAssigned",
      [id, getAddress(other.account.address), getAddress(r.executor), r.requestedAt + 30n],
    );
    await networkHelpers.time.increaseTo(r.requestedAt + 30n);
    assert.equal(await hub.read.assignedExecutor([id]), zeroAddress);
    await hub.write.submitResult([id, OUTPUT], { account: other.account });
    assert.equal(getAddress((await hub.read.getRequest([id])).deliveredBy), getAddress(other.account.address));
  });

  it("rejects double delivery, a late result and an output of the wrong shape", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models } = f;
    const id = await f.request(models.onchain, { resultTimeout: 20 });
    const assigned = f.walletOf((await hub.read.getRequest([id])).executor);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitResult([id, [1n, 2n]], { account: assigned.account }),
      hub,
      "InferenceHubWrongOutputLength",
      [models.onchain, 3n, 2n],
    );
    await hub.write.submitResult([id, OUTPUT], { account: assigned.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitResult([id, OUTPUT], { account: assigned.account }),
      hub,
      "InferenceHubUnexpectedStatus",
      [id, Status.Executed, Status.Requested],
    );
    const late = await f.request(models.onchain, { resultTimeout: 20 });
    const r = await hub.read.getRequest([late]);
    await networkHelpers.time.increaseTo(r.resultDeadline + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitResult([late, OUTPUT], { account: f.walletOf(r.executor).account }),
      hub,
      "InferenceHubDeadlinePassed",
      [late, r.resultDeadline],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.submitResult([77n, OUTPUT], { account: f.walletOf(r.executor).account }),
      hub,
      "InferenceHubUnexpectedStatus",
      [77n, Status.None, Status.Requested],
    );
  });

  it("submitResults: each item succeeds or fails on its own, failures carry their revert data", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets } = f;
    const ids: bigint[] = [];
    for (let i = 0; i < 4; i++) ids.push(await f.request(models.onchain));
    // let the window open so one executor may deliver them all
    await networkHelpers.time.increase(31);
    const outputs = [OUTPUT, [1n], OUTPUT, OUTPUT];
    const { result } = await hub.simulate.submitResults([[...ids, ids[0]], [...outputs, OUTPUT]], { account: wallets.exec1.account.address });
    assert.deepEqual(result, [true, false, true, true, false]);
    await hub.write.submitResults([[...ids, ids[0]], [...outputs, OUTPUT]], { account: wallets.exec1.account });
    const statuses = await Promise.all(ids.map((id) => hub.read.status([id])));
    assert.deepEqual(statuses, [Status.Executed, Status.Requested, Status.Executed, Status.Executed]);
    const rejected = await hub.getEvents.ItemRejected({}, { fromBlock: 0n, strict: true });
    assert.equal(rejected.length, 2);
    const reasons = rejected.map((e) => decodeErrorResult({ abi: hub.abi, data: e.args.reason! }));
    assert.equal(reasons[0].errorName, "InferenceHubWrongOutputLength");
    assert.equal(reasons[1].errorName, "InferenceHubUnexpectedStatus");
    assert.equal(rejected[0].args.requestId, ids[1]);
    for (const id of [ids[0], ids[2], ids[3]]) {
      assert.equal(getAddress((await hub.read.getRequest([id])).deliveredBy), getAddress(wallets.exec1.account.address));
    }
    await viem.assertions.revertWithCustomError(
      hub.write.submitResults([[ids[1]], []], { account: wallets.exec1.account }),
      hub,
      "InferenceHubBatchLengthMismatch",
    );
    await f.assertBooksBalance();
  });

  it("batch-item entry points cannot be called from outside", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const a = { requestId: 1n, proofHash: `0x${"00".repeat(32)}` as const, instancesHash: `0x${"00".repeat(32)}` as const, valid: true };
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.selfSubmitAttestation([a, "0x"], { account: f.wallets.outsider.account }),
      f.hub,
      "InferenceHubOnlySelf",
      [getAddress(f.wallets.outsider.account.address)],
    );
  });

  it("refuses ether from anyone but the node registry", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    await assert.rejects(
      f.wallets.outsider.sendTransaction({ to: f.hub.address, value: parseEther("1") }),
      /InferenceHubUnexpectedPayment/,
    );
  });
});
