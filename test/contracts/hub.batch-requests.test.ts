import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, encodeErrorResult, getAddress, type Hex } from "viem";

import {
  budgetOf,
  DEFAULT_OPTIONS,
  deployHub,
  GAS_PRICE,
  INPUT,
  OUTPUT,
  paymentOf,
  PRICE,
  proofFor,
  Role,
  Status,
} from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);

type Options = typeof DEFAULT_OPTIONS;

/** requestInferences from the user's account: each item [modelId, input, options, payment]. */
function requestMany(f: Awaited<ReturnType<typeof fixture>>, items: [bigint, bigint[], Options, bigint][], value?: bigint) {
  const sum = items.reduce((s, i) => s + i[3], 0n);
  return f.hub.write.requestInferences(
    [items.map((i) => i[0]), items.map((i) => i[1]), items.map((i) => i[2]), items.map((i) => i[3])],
    { value: value ?? sum, account: f.wallets.user.account, gasPrice: GAS_PRICE },
  );
}

describe("InferenceHub.requestInferences (many requests in one transaction)", () => {
  it("records each item as requestInference would, with consecutive ids, its own fee and its own options", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const noCallback = { ...DEFAULT_OPTIONS, resultCallback: false, callbackGasLimit: 50_000 };
    const tip = 7n;
    await requestMany(f, [
      [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf()],
      [f.models.attested, [1n, 2n, 3n, 4n], noCallback, paymentOf(noCallback) + tip],
      [f.models.optimistic, INPUT, DEFAULT_OPTIONS, paymentOf()],
    ]);
    assert.equal(await f.hub.read.requestCount(), 3n);
    const events = await f.hub.getEvents.InferenceRequested({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(events.map((e) => e.args.requestId), [1n, 2n, 3n]);
    assert.deepEqual(events.map((e) => e.args.modelId), [f.models.onchain, f.models.attested, f.models.optimistic]);
    assert.deepEqual(events[1].args.input, [1n, 2n, 3n, 4n]);
    for (const e of events) assert.equal(getAddress(e.args.consumer!), getAddress(f.wallets.user.account.address));
    const second = await f.hub.read.getRequest([2n]);
    assert.equal(second.fee, PRICE + tip, "an item's overpayment is its own tip, nobody else's");
    assert.equal(second.callbackBudget, budgetOf(noCallback));
    assert.equal(second.callbackGasLimit, 50_000);
    assert.equal(second.resultCallback, false);
    assert.equal((await f.hub.read.getRequest([1n])).fee, PRICE);
    // each runs on its own from here: deliver the first
    await f.deliver(1n);
    assert.equal(await f.hub.read.status([1n]), Status.Executed);
    assert.equal(await f.hub.read.status([2n]), Status.Requested);
    await f.assertBooksBalance();
  });

  it("refuses a batch with one invalid item, naming the item's index and its own error, and records nothing", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const ok: [bigint, bigint[], Options, bigint] = [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf()];
    const cases: { items: [bigint, bigint[], Options, bigint][]; index: bigint; reason: Hex }[] = [
      {
        // unknown model (the registry's error)
        items: [ok, [999n, INPUT, DEFAULT_OPTIONS, paymentOf()], ok],
        index: 1n,
        reason: encodeErrorResult({ abi: f.modelRegistry.abi, errorName: "ModelRegistryUnknownModel", args: [999n] }),
      },
      {
        // input element 3 outside the admitted domain [-1024, 1023]
        items: [ok, ok, [f.models.onchain, [1n, 2n, 3n, 1024n], DEFAULT_OPTIONS, paymentOf()]],
        index: 2n,
        reason: encodeErrorResult({ abi: f.hub.abi, errorName: "InferenceHubInputOutOfDomain", args: [3n, 1024n, -1024n, 1023n] }),
      },
      {
        // fee one wei below the quote
        items: [[f.models.attested, INPUT, DEFAULT_OPTIONS, paymentOf() - 1n], ok],
        index: 0n,
        reason: encodeErrorResult({ abi: f.hub.abi, errorName: "InferenceHubFeeTooLow", args: [f.models.attested, paymentOf(), paymentOf() - 1n] }),
      },
    ];
    const before = await f.publicClient.getBalance({ address: f.hub.address });
    for (const c of cases) {
      await viem.assertions.revertWithCustomErrorWithArgs(requestMany(f, c.items), f.hub, "InferenceHubRequestItemInvalid", [c.index, c.reason]);
    }
    assert.equal(await f.hub.read.requestCount(), 0n);
    assert.equal(await f.publicClient.getBalance({ address: f.hub.address }), before);
    await viem.assertions.revertWithCustomError(
      f.hub.write.requestInferences([[], [], [], []], { account: f.wallets.user.account }),
      f.hub,
      "InferenceHubBatchLengthMismatch",
    );
  });

  it("adversarial: one item's overpayment cannot cover another item's underpayment", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const short = 10n ** 15n;
    // the total is exactly two quotes, but item 1 pays less than its quote and item 0 the difference more
    await viem.assertions.revertWithCustomErrorWithArgs(
      requestMany(f, [
        [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf() + short],
        [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf() - short],
      ]),
      f.hub,
      "InferenceHubRequestItemInvalid",
      [1n, encodeErrorResult({ abi: f.hub.abi, errorName: "InferenceHubFeeTooLow", args: [f.models.onchain, paymentOf(), paymentOf() - short] })],
    );
    // msg.value above the payments (unattributed wei) or below them (items paid from nothing) is refused
    const items: [bigint, bigint[], Options, bigint][] = [
      [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf()],
      [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf()],
    ];
    for (const value of [2n * paymentOf() + 1n, 2n * paymentOf() - 1n, paymentOf()]) {
      await viem.assertions.revertWithCustomErrorWithArgs(requestMany(f, items, value), f.hub, "InferenceHubBatchPaymentMismatch", [
        value,
        2n * paymentOf(),
      ]);
    }
    assert.equal(await f.hub.read.requestCount(), 0n);
    await f.assertBooksBalance();
  });

  it("adversarial: a refunded batch pays each item back once, to the account that paid, and no more", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    await requestMany(f, [
      [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf()],
      [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf() + 5n],
    ]);
    const [r1, r2] = [await f.hub.read.getRequest([1n]), await f.hub.read.getRequest([2n])];
    await networkHelpers.time.increaseTo(r2.resultDeadline + 1n);
    for (const id of [1n, 2n]) await f.hub.write.refundExpired([id]);
    for (const id of [1n, 2n]) {
      await viem.assertions.revertWithCustomError(f.hub.write.refundExpired([id]), f.hub, "InferenceHubUnexpectedStatus");
    }
    assert.equal(await f.hub.read.releasable([f.wallets.user.account.address]), r1.fee + r1.callbackBudget + r2.fee + r2.callbackBudget);
    assert.equal(r1.fee + r1.callbackBudget + r2.fee + r2.callbackBudget, 2n * paymentOf() + 5n);
    await f.assertBooksBalance();
  });
});

describe("a batch's items share their head (consumer, model, callback gas limit) where it is the same", () => {
  it("adversarial: each item keeps its own consumer, model and callback gas limit, through its callbacks too", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    // every callback burns all the gas it is given: what it gets is the limit the hub read for that request
    const burner = await f.viem.deployContract("GasBurningConsumer", [f.hub.address]);
    const big = { ...DEFAULT_OPTIONS, callbackGasLimit: 300_000 };
    const small = { ...DEFAULT_OPTIONS, callbackGasLimit: 60_000 };
    const items: [bigint, Options][] = [
      [f.models.onchain, big], // 1: own head
      [f.models.onchain, big], // 2: shares 1's
      [f.models.onchain, small], // 3: another gas limit, own head
      [f.models.onchainTolerant, small], // 4: another model, own head
      [f.models.onchainTolerant, small], // 5: shares 4's
      [f.models.onchain, big], // 6: same as 1, but only the previous item is looked at: own head
    ];
    await burner.write.requestMany(
      [items.map((i) => i[0]), items.map(() => INPUT), items.map((i) => i[1]), items.map((i) => paymentOf(i[1]))],
      { value: items.reduce((t, i) => t + paymentOf(i[1]), 0n), account: f.wallets.user.account, gasPrice: GAS_PRICE },
    );
    // right after: a lone request of the same model and options from an account, and another consumer's batch
    await f.hub.write.requestInference([f.models.onchain, INPUT, big], { value: paymentOf(big), account: f.wallets.user.account, gasPrice: GAS_PRICE });
    await requestMany(f, [[f.models.onchain, INPUT, big, paymentOf(big)], [f.models.onchain, INPUT, big, paymentOf(big)]]);
    const expected: [Hex, bigint, number][] = [
      ...items.map((i): [Hex, bigint, number] => [burner.address, i[0], i[1].callbackGasLimit]),
      [f.wallets.user.account.address, f.models.onchain, 300_000],
      [f.wallets.user.account.address, f.models.onchain, 300_000],
      [f.wallets.user.account.address, f.models.onchain, 300_000],
    ];
    const views = await f.hub.read.getRequests([expected.map((_, i) => BigInt(i + 1))]);
    assert.deepEqual(
      views.map((v) => [getAddress(v.consumer), v.modelId, v.callbackGasLimit]),
      expected.map(([c, m, g]) => [getAddress(c), m, g]),
    );
    for (let id = 1n; id <= 6n; id++) await f.deliver(id);
    const delivered = await f.hub.getEvents.CallbackDelivered({}, { fromBlock: 0n, strict: true });
    assert.equal(delivered.length, 6);
    for (const { args } of delivered) {
      const limit = BigInt(items[Number(args.requestId) - 1][1].callbackGasLimit);
      const used = args.gasUsed ?? 0n;
      assert.equal(args.success, false, "the burner runs out of gas");
      // gasUsed counts the call itself too (a few hundred gas above the limit)
      assert.ok(used < limit + 2_000n && used > (limit * 9n) / 10n, `request ${args.requestId}: ${used} gas of ${limit}`);
    }
    // each settles under its own model: the tolerant model accepts a proof within 5 of the result, the other does not
    const near = OUTPUT.map((x, i) => (i === 0 ? x + 3n : x));
    for (const id of [2n, 5n]) await f.prove(id, near, proofFor(INPUT, near));
    assert.equal((await f.hub.getEvents.ExecutorMismatch({}, { fromBlock: 0n, strict: true })).map((e) => e.args.requestId).join(), "2");
    assert.equal(await f.hub.read.status([5n]), Status.Settled);
    await f.assertBooksBalance([burner.address]);
  });

  it("adversarial: an item with another proof timeout or callback choice keeps its own (a head is shared only when every term is equal)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const shortProof = { ...DEFAULT_OPTIONS, proofTimeout: 120 };
    const noFast = { ...DEFAULT_OPTIONS, resultCallback: false };
    const items: Options[] = [DEFAULT_OPTIONS, shortProof, DEFAULT_OPTIONS, noFast, DEFAULT_OPTIONS];
    await f.consumer.write.requestMany(
      [items.map(() => f.models.onchain), items.map(() => INPUT), items, items.map((o) => paymentOf(o))],
      { value: items.reduce((t, o) => t + paymentOf(o), 0n), account: f.wallets.user.account, gasPrice: GAS_PRICE },
    );
    const params = await f.hub.read.parameters();
    for (const [k, o] of items.entries()) {
      const id = BigInt(k + 1);
      await f.deliver(id);
      const { timestamp } = await f.publicClient.getBlock();
      const { proofDeadline } = await f.hub.read.getRequest([id]);
      assert.equal(proofDeadline - timestamp, BigInt(o.proofTimeout || params.defaultProofTimeout), `request ${id}'s own proof timeout`);
    }
    const fast = (await f.hub.getEvents.CallbackDelivered({}, { fromBlock: 0n, strict: true })).filter((e) => !e.args.settled);
    assert.deepEqual(fast.map((e) => e.args.requestId), [1n, 2n, 3n, 5n], "onResult for every request that asked for it, and only those");
    assert.deepEqual(await f.consumer.read.fastOutput([4n]), []);
  });

  it("adversarial: one executor per head; a node that delivers some items after the assignment window is paid and blamed for those only", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    await requestMany(f, [1, 2, 3, 4].map((): [bigint, bigint[], Options, bigint] => [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf()]));
    const requested = await f.hub.getEvents.InferenceRequested({}, { fromBlock: 0n, strict: true });
    const assigned = f.walletOf(requested[0].args.executor!);
    const other = assigned === f.wallets.exec1 ? f.wallets.exec2 : f.wallets.exec1;
    // the items share one head, so one draw: every item is assigned to the same executor, which owes all four
    assert.deepEqual(requested.map((e) => getAddress(e.args.executor!)), requested.map(() => getAddress(assigned.account.address)));
    const duties = async () =>
      Promise.all([assigned, other].map((w) => f.nodeRegistry.read.dutiesOf([w.account.address, Role.Executor])));
    assert.deepEqual(await duties(), [4n, 0n]);
    for (const id of [1n, 2n]) await f.hub.write.submitResult([id, OUTPUT], { account: assigned.account });
    // another executor may not take item 3 inside the window, and may after it
    await viem.assertions.revertWithCustomError(f.hub.write.submitResult([3n, OUTPUT], { account: other.account }), f.hub, "InferenceHubNotAssigned");
    await networkHelpers.time.increaseTo((await f.hub.read.getRequest([3n])).requestedAt + 30n);
    await f.hub.write.submitResult([3n, OUTPUT], { account: other.account });
    assert.deepEqual(await duties(), [3n, 1n], "item 3's duty moved to the node that delivered it, the others stayed");
    const views = await f.hub.read.getRequests([[1n, 2n, 3n, 4n]]);
    assert.deepEqual(
      views.map((v) => [getAddress(v.executor), getAddress(v.deliveredBy)]),
      [
        [assigned.account.address, assigned.account.address],
        [assigned.account.address, assigned.account.address],
        [other.account.address, other.account.address],
        [assigned.account.address, "0x0000000000000000000000000000000000000000"],
      ].map(([a, b]) => [getAddress(a), getAddress(b)]),
    );
    // each settled item pays its executor share to the node that delivered it
    const before = await Promise.all([assigned, other].map((w) => f.hub.read.releasable([w.account.address])));
    for (const id of [1n, 2n, 3n]) await f.prove(id);
    const paid = (await f.hub.getEvents.RequestSettled({}, { fromBlock: 0n, strict: true })).map((e) => e.args.executorReward!);
    const after = await Promise.all([assigned, other].map((w) => f.hub.read.releasable([w.account.address])));
    assert.deepEqual([after[0] - before[0], after[1] - before[1]], [paid[0] + paid[1], paid[2]]);
    // item 4 was never delivered: its assigned executor alone is slashed, once
    await networkHelpers.time.increaseTo((await f.hub.read.getRequest([4n])).resultDeadline + 1n);
    await f.hub.write.refundExpired([4n]);
    const slashes = await f.hub.getEvents.SlashCredited({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(slashes.map((e) => getAddress(e.args.node!)), [getAddress(assigned.account.address)]);
    assert.deepEqual(await duties(), [0n, 0n]);
    await f.assertBooksBalance();
  });

  it("adversarial: at most 32 requests share a head (one executor draw): a larger batch draws again", async () => {
    const gasOf = async (n: number) => {
      const f = await networkHelpers.loadFixture(fixture);
      const hash = await requestMany(f, Array.from({ length: n }, (): [bigint, bigint[], Options, bigint] => [f.models.onchain, INPUT, DEFAULT_OPTIONS, paymentOf()]));
      return (await f.publicClient.waitForTransactionReceipt({ hash })).gasUsed;
    };
    const [g31, g32, g33] = [await gasOf(31), await gasOf(32), await gasOf(33)];
    // the 32nd item still shares the first one's head; the 33rd writes its own and draws its executor
    assert.ok(g33 - g32 - (g32 - g31) > 40_000n, `item 32: ${g32 - g31} gas, item 33: ${g33 - g32}`);
  });

  it("a later item with the same terms writes two storage slots fewer than one with its own, and draws no executor", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const other = { ...DEFAULT_OPTIONS, callbackGasLimit: 50_000 };
    const gasOf = async (opts: Options[]) => {
      const hash = await requestMany(f, opts.map((o): [bigint, bigint[], Options, bigint] => [f.models.onchain, INPUT, o, paymentOf(o)]));
      return (await f.publicClient.waitForTransactionReceipt({ hash })).gasUsed;
    };
    // warm the model cache and the duty counters first, so both batches pay the same for everything but their heads
    await gasOf([DEFAULT_OPTIONS]);
    const alike = await gasOf([DEFAULT_OPTIONS, DEFAULT_OPTIONS, DEFAULT_OPTIONS, DEFAULT_OPTIONS]);
    const alternating = await gasOf([DEFAULT_OPTIONS, other, DEFAULT_OPTIONS, other]);
    // three items share the first one's head: two zero-to-nonzero slot writes (22,100 gas each) and a draw saved per
    // item, less the reads (a head of one slot would save half)
    assert.ok(alternating - alike > 3n * 44_000n, `alike ${alike}, alternating ${alternating}`);
  });
});

describe("results for a batch of requests (submitResults, item by item)", () => {
  it("one transaction delivers the batch's results; a stale item (past its deadline, or already delivered) is skipped, the rest go through", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const short = { ...DEFAULT_OPTIONS, resultTimeout: 60 };
    const long = { ...DEFAULT_OPTIONS, resultTimeout: 3600 };
    await requestMany(f, [
      [f.models.onchain, INPUT, long, paymentOf(long)],
      [f.models.onchain, INPUT, short, paymentOf(short)],
      [f.models.onchain, INPUT, long, paymentOf(long)],
    ]);
    await f.deliver(3n); // already delivered when the batch lands
    await networkHelpers.time.increase(120); // request 2's deadline passed
    // after the assignment window any eligible executor may deliver: exec1 sends all three
    const { result } = await f.hub.simulate.submitResults([[1n, 2n, 3n], [OUTPUT, OUTPUT, OUTPUT]], { account: f.wallets.exec1.account.address });
    assert.deepEqual(result, [true, false, false]);
    await f.hub.write.submitResults([[1n, 2n, 3n], [OUTPUT, OUTPUT, OUTPUT]], { account: f.wallets.exec1.account });
    assert.equal(await f.hub.read.status([1n]), Status.Executed);
    assert.equal(await f.hub.read.status([2n]), Status.Requested);
    const refused = await f.hub.getEvents.ItemRejected({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(
      refused.map((e) => [e.args.requestId, decodeErrorResult({ abi: f.hub.abi, data: e.args.reason! }).errorName]),
      [
        [2n, "InferenceHubDeadlinePassed"],
        [3n, "InferenceHubUnexpectedStatus"],
      ],
    );
    await f.assertBooksBalance();
  });
});

describe("IrisClassifierConsumer.classifyBatch", () => {
  async function irisFixture() {
    const f = await fixture();
    const iris = await f.viem.deployContract("IrisClassifierConsumer", [f.hub.address, f.models.onchain]);
    const quote = await f.hub.read.quoteFee([f.models.onchain, await iris.read.requestOptions(), GAS_PRICE]);
    return { ...f, iris, quote };
  }

  it("classifies many flowers in one transaction, each paying its own quote; results arrive per request", async () => {
    const f = await networkHelpers.loadFixture(irisFixture);
    const features = [
      [653n, 448n, 179n, 26n],
      [700n, 410n, 600n, 180n],
      [800n, 380n, 850n, 290n],
    ] as const;
    await f.iris.write.classifyBatch([features.map((x) => [...x]) as never, features.map(() => f.quote)], {
      value: 3n * f.quote,
      account: f.wallets.user.account,
      gasPrice: GAS_PRICE,
    });
    const requested = await f.iris.getEvents.ClassificationRequested({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(requested.map((e) => e.args.requestId), [1n, 2n, 3n]);
    assert.deepEqual(requested.map((e) => e.args.features), features.map((x) => [...x]));
    const hubEvents = await f.hub.getEvents.InferenceRequested({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(hubEvents.map((e) => e.args.input), features.map((x) => [...x]));
    for (const id of [1n, 2n, 3n]) {
      assert.equal(getAddress((await f.iris.read.classification([id])).requester), getAddress(f.wallets.user.account.address));
      assert.equal(getAddress((await f.hub.read.getRequest([id])).consumer), getAddress(f.iris.address));
    }
    await f.deliver(2n, [1n, 2n, 300n]);
    const c = await f.iris.read.classification([2n]);
    assert.equal(c.fast, true);
    assert.equal(c.fastClass, 2);
    assert.equal((await f.iris.read.classification([1n])).fast, false);
  });

  it("refuses the whole batch when one flower is outside the model's domain, naming it", async () => {
    const f = await networkHelpers.loadFixture(irisFixture);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.iris.write.classifyBatch([[[1n, 2n, 3n, 4n], [1n, -5000n, 3n, 4n]], [f.quote, f.quote]], {
        value: 2n * f.quote,
        account: f.wallets.user.account,
        gasPrice: GAS_PRICE,
      }),
      f.hub,
      "InferenceHubRequestItemInvalid",
      [1n, encodeErrorResult({ abi: f.hub.abi, errorName: "InferenceHubInputOutOfDomain", args: [1n, -5000n, -1024n, 1023n] })],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.iris.write.classifyBatch([[[1n, 2n, 3n, 4n]], [f.quote, f.quote]], { value: 2n * f.quote, account: f.wallets.user.account }),
      f.iris,
      "IrisClassifierConsumerBatchLengthMismatch",
      [1n, 2n],
    );
    assert.equal(await f.hub.read.requestCount(), 0n);
  });

  it("adversarial: a batch's refunds go to the users who paid, each once; nobody collects a second refund", async () => {
    const f = await networkHelpers.loadFixture(irisFixture);
    const [alice, bob] = [f.wallets.user, f.wallets.outsider];
    await f.iris.write.classifyBatch([[[1n, 2n, 3n, 4n], [5n, 6n, 7n, 8n]], [f.quote, f.quote + 3n]], {
      value: 2n * f.quote + 3n,
      account: alice.account,
      gasPrice: GAS_PRICE,
    });
    await f.iris.write.classifyBatch([[[9n, 9n, 9n, 9n]], [f.quote]], { value: f.quote, account: bob.account, gasPrice: GAS_PRICE });
    const deadline = (await f.hub.read.getRequest([3n])).resultDeadline;
    await networkHelpers.time.increaseTo(deadline + 1n);
    for (const id of [1n, 2n, 3n]) await f.hub.write.refundExpired([id]);

    const balance = (a: Hex) => f.publicClient.getBalance({ address: a });
    const aliceBefore = await balance(alice.account.address);
    const bobBefore = await balance(bob.account.address);
    // a third party triggers every claim, then tries each again
    for (const id of [1n, 2n, 3n]) await f.iris.write.claimRefund([id], { account: f.wallets.challenger.account });
    for (const id of [1n, 2n, 3n]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.iris.write.claimRefund([id], { account: f.wallets.challenger.account }),
        f.iris,
        "IrisClassifierConsumerAlreadyRefunded",
        [id],
      );
    }
    assert.equal((await balance(alice.account.address)) - aliceBefore, 2n * f.quote + 3n);
    assert.equal((await balance(bob.account.address)) - bobBefore, f.quote);
    // nothing left behind at the consumer, and the hub owes it nothing more
    assert.equal(await balance(f.iris.address), 0n);
    assert.equal(await f.hub.read.releasable([f.iris.address]), 0n);
    await f.assertBooksBalance([f.iris.address]);
  });

  it("settles batched requests one by one with the settled class recorded (OUTPUT's class)", async () => {
    const f = await networkHelpers.loadFixture(irisFixture);
    await f.iris.write.classifyBatch([[INPUT, INPUT] as never, [f.quote, f.quote]], { value: 2n * f.quote, account: f.wallets.user.account, gasPrice: GAS_PRICE });
    for (const id of [1n, 2n]) {
      await f.deliver(id);
      await f.prove(id);
      const c = await f.iris.read.classification([id]);
      assert.equal(c.settled, true);
      assert.equal(c.settledClass, 0);
    }
    await f.assertBooksBalance([f.iris.address]);
  });
});
