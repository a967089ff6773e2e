import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, getAddress, parseEther, zeroAddress } from "viem";

import {
  budgetOf,
  DEFAULT_OPTIONS,
  deployHub,
  GAS_PRICE,
  INPUT,
  MIN_STAKE,
  Mode,
  modelSpec,
  OUTPUT,
  paymentOf,
  PRICE,
  Role,
  Status,
  VALUE_BOUND,
} from "./helpers/hub.js";

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

  it("rejects a payment below the model's price plus the callback budget at the request's gas price", async () => {
    const { hub, models, wallets } = await networkHelpers.loadFixture(fixture);
    const required = PRICE + budgetOf();
    assert.equal(await hub.read.quoteFee([models.onchain, DEFAULT_OPTIONS, GAS_PRICE]), required);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: PRICE, account: wallets.user.account, gasPrice: GAS_PRICE }),
      hub,
      "InferenceHubFeeTooLow",
      [models.onchain, required, PRICE],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: required - 1n, account: wallets.user.account, gasPrice: GAS_PRICE }),
      hub,
      "InferenceHubFeeTooLow",
      [models.onchain, required, required - 1n],
    );
    // the quote is exact: the budget is escrowed, the rest is the fee
    await hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: required, account: wallets.user.account, gasPrice: GAS_PRICE });
    const r = await hub.read.getRequest([1n]);
    assert.equal(r.fee, PRICE);
    assert.equal(r.callbackBudget, budgetOf());
  });

  it("refuses a payment its record cannot hold (fee and budget are 88-bit fields), and keeps the largest it can", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const max = 2n ** 88n - 1n;
    await networkHelpers.setBalance(f.wallets.user.account.address, 2n ** 90n);
    const send = (value: bigint) =>
      f.hub.write.requestInference([f.models.onchain, INPUT, DEFAULT_OPTIONS], { value, account: f.wallets.user.account, gasPrice: GAS_PRICE });
    await viem.assertions.revertWithCustomErrorWithArgs(send(max + 1n), f.hub, "InferenceHubFeeTooHigh", [max, max + 1n]);
    await send(max);
    const r = await f.hub.read.getRequest([1n]);
    assert.equal(r.fee + r.callbackBudget, max, "every wei of it recorded, none truncated");
    await f.assertBooksBalance();
  });

  it("rejects an inactive model and an unknown model", async () => {
    const { hub, models, modelRegistry, wallets } = await networkHelpers.loadFixture(fixture);
    await modelRegistry.write.setActive([models.onchain, false]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: paymentOf(), account: wallets.user.account, gasPrice: GAS_PRICE }),
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

  it("admits only inputs inside the model's domain, element by element (the domain is far inside the field range)", async () => {
    const { hub, models, wallets } = await networkHelpers.loadFixture(fixture);
    const send = (input: bigint[], modelId = models.onchain) =>
      hub.write.requestInference([modelId, input, DEFAULT_OPTIONS], { value: paymentOf(), account: wallets.user.account, gasPrice: GAS_PRICE });
    await viem.assertions.revertWithCustomErrorWithArgs(send([1n, 2n, -VALUE_BOUND, 4n]), hub, "InferenceHubInputOutOfDomain", [
      2n,
      -VALUE_BOUND,
      -1024n,
      1023n,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(send([1024n, 0n, 0n, 0n]), hub, "InferenceHubInputOutOfDomain", [0n, 1024n, -1024n, 1023n]);
    await viem.assertions.revertWithCustomErrorWithArgs(send([0n, 0n, 0n, -1025n]), hub, "InferenceHubInputOutOfDomain", [3n, -1025n, -1024n, 1023n]);
    // every corner of the domain is admitted
    await send([1023n, -1024n, 1023n, -1024n]);
    await send([-1024n, 1023n, -1024n, 1023n]);
  });

  it("a domain can give each element its own bounds or one pair for all; the registry refuses a malformed one", async () => {
    const { hub, modelRegistry, verifier, wallets } = await networkHelpers.loadFixture(fixture);
    const perElement = { lower: [0n, -10n, 5n, -1n], upper: [10n, 0n, 5n, 1n] };
    const a = (await modelRegistry.simulate.registerModel([modelSpec(Mode.ZKML_ONCHAIN, verifier.address, 0n, PRICE, perElement)])).result;
    await modelRegistry.write.registerModel([modelSpec(Mode.ZKML_ONCHAIN, verifier.address, 0n, PRICE, perElement)]);
    const uniform = { lower: [-3n], upper: [3n] };
    const b = (await modelRegistry.simulate.registerModel([modelSpec(Mode.ZKML_ONCHAIN, verifier.address, 0n, PRICE, uniform)])).result;
    await modelRegistry.write.registerModel([modelSpec(Mode.ZKML_ONCHAIN, verifier.address, 0n, PRICE, uniform)]);
    assert.deepEqual((await modelRegistry.read.getModel([a])).spec.inputLower, perElement.lower);
    assert.deepEqual((await modelRegistry.read.getModel([b])).spec.inputUpper, uniform.upper);
    const send = (modelId: bigint, input: bigint[]) =>
      hub.write.requestInference([modelId, input, DEFAULT_OPTIONS], { value: paymentOf(), account: wallets.user.account, gasPrice: GAS_PRICE });
    await send(a, [10n, -10n, 5n, 1n]);
    await viem.assertions.revertWithCustomErrorWithArgs(send(a, [10n, -10n, 4n, 1n]), hub, "InferenceHubInputOutOfDomain", [2n, 4n, 5n, 5n]);
    await send(b, [3n, -3n, 0n, 3n]);
    await viem.assertions.revertWithCustomErrorWithArgs(send(b, [3n, -3n, 0n, 4n]), hub, "InferenceHubInputOutOfDomain", [3n, 4n, -3n, 3n]);
    for (const bad of [
      { lower: [], upper: [] },
      { lower: [0n, 0n], upper: [1n, 1n] },
      { lower: [0n], upper: [1n, 1n] },
    ]) {
      await viem.assertions.revertWithCustomError(
        modelRegistry.write.registerModel([modelSpec(Mode.ZKML_ONCHAIN, verifier.address, 0n, PRICE, bad)]),
        modelRegistry,
        "ModelRegistryInvalidDomain",
      );
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      modelRegistry.write.registerModel([modelSpec(Mode.ZKML_ONCHAIN, verifier.address, 0n, PRICE, { lower: [0n, 0n, 2n, 0n], upper: [1n, 1n, 1n, 1n] })]),
      modelRegistry,
      "ModelRegistryInvalidDomain",
      [2n],
    );
  });

  it("checks options against the protocol bounds, zero meaning default", async () => {
    const { hub, models, wallets } = await networkHelpers.loadFixture(fixture);
    const send = (o: Partial<typeof DEFAULT_OPTIONS>) =>
      hub.write.requestInference([models.onchain, INPUT, { ...DEFAULT_OPTIONS, ...o }], {
        value: paymentOf({ callbackGasLimit: 50_000, ...o }),
        account: wallets.user.account,
        gasPrice: GAS_PRICE,
      });
    await viem.assertions.revertWithCustomErrorWithArgs(send({ callbackGasLimit: 2_000_001 }), hub, "InferenceHubInvalidOptions", ["callbackGasLimit"]);
    await viem.assertions.revertWithCustomErrorWithArgs(send({ resultTimeout: 5 }), hub, "InferenceHubInvalidOptions", ["resultTimeout"]);
    await viem.assertions.revertWithCustomErrorWithArgs(send({ resultTimeout: 86_401 }), hub, "InferenceHubInvalidOptions", ["resultTimeout"]);
    await viem.assertions.revertWithCustomErrorWithArgs(send({ proofTimeout: 59 }), hub, "InferenceHubInvalidOptions", ["proofTimeout"]);
    await hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: paymentOf(), account: wallets.user.account, gasPrice: GAS_PRICE });
    const r = await hub.read.getRequest([1n]);
    assert.equal(r.callbackGasLimit, 200_000);
    assert.equal(r.resultDeadline - r.requestedAt, 300n);
    await send({ callbackGasLimit: 50_000, resultTimeout: 20, proofTimeout: 90 });
    const r2 = await hub.read.getRequest([2n]);
    assert.equal(r2.callbackGasLimit, 50_000);
    assert.equal(r2.resultDeadline - r2.requestedAt, 20n);
  });

  it("needs at least one eligible executor and assigns one of them", async () => {
    const { hub, models, nodeRegistry, wallets } = await networkHelpers.loadFixture(fixture);
    const seen = new Set<`0x${string}`>();
    for (let i = 0; i < 8; i++) {
      await hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: paymentOf(), account: wallets.user.account, gasPrice: GAS_PRICE });
      seen.add(getAddress((await hub.read.getRequest([BigInt(i + 1)])).executor));
    }
    const executors = [wallets.exec1, wallets.exec2].map((w) => getAddress(w.account.address));
    for (const e of seen) assert.ok(executors.includes(e), `${e} is an eligible executor`);
    for (const w of [wallets.exec1, wallets.exec2]) await nodeRegistry.write.beginUnbonding([Role.Executor, MIN_STAKE], { account: w.account });
    await viem.assertions.revertWithCustomError(
      hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: paymentOf(), account: wallets.user.account, gasPrice: GAS_PRICE }),
      hub,
      "InferenceHubNoExecutors",
    );
  });

  it("serves an EOA consumer without callbacks, and gives it back the callback budget it did not use", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub, models, wallets } = f;
    await hub.write.requestInference([models.onchain, INPUT, DEFAULT_OPTIONS], { value: paymentOf(), account: wallets.user.account, gasPrice: GAS_PRICE });
    await f.deliver(1n);
    assert.equal(await hub.read.status([1n]), Status.Executed);
    assert.equal((await hub.getEvents.CallbackDelivered({}, { fromBlock: 0n })).length, 0);
    assert.equal(await hub.read.releasable([wallets.user.account.address]), budgetOf() / 2n);
    await f.prove(1n);
    assert.equal(await hub.read.releasable([wallets.user.account.address]), budgetOf());
    await f.assertBooksBalance();
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
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.selfSubmitResult([1n, OUTPUT], { account: f.wallets.outsider.account }),
      f.hub,
      "InferenceHubOnlySelf",
      [getAddress(f.wallets.outsider.account.address)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.selfSubmitProof([1n, INPUT, OUTPUT, "0x"], { account: f.wallets.outsider.account }),
      f.hub,
      "InferenceHubOnlySelf",
      [getAddress(f.wallets.outsider.account.address)],
    );
    const a = { requestId: 1n, proofHash: `0x${"00".repeat(32)}` as const, instancesHash: `0x${"00".repeat(32)}` as const, valid: true };
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.quorum.write.selfRecord([a, "0x"], { account: f.wallets.outsider.account }),
      f.quorum,
      "AttestationQuorumOnlySelf",
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
