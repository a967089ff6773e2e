import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, encodeFunctionData, getAddress, keccak256 } from "viem";

import { budgetOf, CALLBACK_OVERHEAD, DEFAULT_OPTIONS, deployHub, DOMAIN, GAS_PRICE, INPUT, instancesHash, OUTPUT, paymentOf, PRICE, proofFor, Status, provenOutput, provenOutputs } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();

async function fixture() {
  const f = await deployHub(viem);
  const reverting = await viem.deployContract("RevertingConsumer", [f.hub.address]);
  const burning = await viem.deployContract("GasBurningConsumer", [f.hub.address]);
  const reentrant = await viem.deployContract("ReentrantConsumer", [f.hub.address]);
  return { ...f, reverting, burning, reentrant };
}
type F = Awaited<ReturnType<typeof fixture>>;

async function requestVia(f: F, target: { address: `0x${string}` }, modelId: bigint, opts = {}) {
  const id = (await f.hub.read.requestCount()) + 1n;
  const c = await viem.getContractAt("TestOnlyConsumer", target.address); // same request() on every test consumer
  await c.write.request([modelId, INPUT, { ...DEFAULT_OPTIONS, ...opts }], { value: paymentOf(opts), account: f.wallets.user.account, gasPrice: GAS_PRICE });
  return id;
}

describe("InferenceHub consumer callbacks", () => {
  it("a reverting consumer (64 KB revert payload) never blocks delivery or settlement", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const id = await requestVia(f, f.reverting, f.models.onchain);
    const executor = await f.deliver(id);
    const prover = await f.prove(id);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    const events = await f.hub.getEvents.CallbackDelivered({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.deepEqual(
      events.map((e) => [e.args.settled, e.args.success]),
      [
        [false, false],
        [true, false],
      ],
    );
    // the nodes that ran the (failing) callbacks were paid for the gas the consumer asked for
    const half = budgetOf() / 2n;
    assert.deepEqual(events.map((e) => e.args.payment), [half, budgetOf() - half]);
    assert.equal(await f.hub.read.releasable([executor.account.address]), (PRICE * 4000n) / 10000n + half);
    assert.equal(await f.hub.read.releasable([prover.account.address]), (PRICE * 5000n) / 10000n + budgetOf() - half);
    await f.assertBooksBalance([f.reverting.address]);
  });

  it("a gas-burning consumer only burns its own cap", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const cap = 100_000;
    const id = await requestVia(f, f.burning, f.models.onchain, { callbackGasLimit: cap });
    const executor = f.walletOf((await f.hub.read.getRequest([id])).executor);
    const hash = await f.hub.write.submitResult([id, OUTPUT], { account: executor.account });
    const receipt = await f.publicClient.getTransactionReceipt({ hash });
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    const [ev] = await f.hub.getEvents.CallbackDelivered({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.equal(ev.args.success, false);
    assert.ok(ev.args.gasUsed! >= BigInt(cap) && ev.args.gasUsed! < BigInt(cap) + 10_000n, `gasUsed ${ev.args.gasUsed}`);
    assert.ok(receipt.gasUsed < BigInt(cap) + 250_000n, `whole tx ${receipt.gasUsed}`);
  });

  it("a caller cannot starve the callback: too little gas reverts instead of failing the callback", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const cap = 1_000_000;
    const id = await requestVia(f, f.burning, f.models.onchain, { callbackGasLimit: cap });
    const executor = f.walletOf((await f.hub.read.getRequest([id])).executor);
    // Enough for the hub's own work but not for cap * 64/63 on top.
    await assert.rejects(
      f.hub.write.submitResult([id, OUTPUT], { account: executor.account, gas: 900_000n }),
      /InferenceHubInsufficientCallbackGas/,
    );
    assert.equal(await f.hub.read.status([id]), Status.Requested);
    // Same in a batch: the whole batch reverts (the sender's fault), so gas estimation stays honest.
    await networkHelpers.time.increase(31);
    await assert.rejects(
      f.hub.write.submitResults([[id], [OUTPUT]], { account: executor.account, gas: 900_000n }),
      /InferenceHubInsufficientCallbackGas/,
    );
    assert.equal(await f.hub.read.status([id]), Status.Requested);
    // With estimated gas it goes through; the consumer burns its full cap and the result is recorded.
    await f.hub.write.submitResults([[id], [OUTPUT]], { account: executor.account });
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    const [ev] = await f.hub.getEvents.CallbackDelivered({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.ok(ev.args.gasUsed! >= BigInt(cap));
  });

  for (const [name, attack] of [
    ["submitResult", (id: bigint) => ({ functionName: "submitResult", args: [id + 1n, OUTPUT] })],
    ["withdraw", () => ({ functionName: "withdraw", args: [] })],
    ["refundExpired", (id: bigint) => ({ functionName: "refundExpired", args: [id] })],
    ["submitProof", (id: bigint) => ({ functionName: "submitProof", args: [id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)] })],
    ["requestInference", () => ({ functionName: "requestInference", args: [1n, INPUT, DEFAULT_OPTIONS] })],
    ["settleUnchallenged", (id: bigint) => ({ functionName: "settleUnchallenged", args: [id] })],
    ["settle", (id: bigint) => ({ functionName: "settle", args: [id, OUTPUT] })],
    // empty arrays: the lock refuses before anything is read (a longer payload would exhaust the callback gas here)
    ["requestInferences", () => ({ functionName: "requestInferences", args: [[], [], [], []] })],
    ["claimVerifierReward", (id: bigint) => ({ functionName: "claimVerifierReward", args: [id] })],
  ] as const) {
    it(`a consumer re-entering ${name} from its callback is refused and changes nothing`, async () => {
      const f = await networkHelpers.loadFixture(fixture);
      const id = await requestVia(f, f.reentrant, f.models.onchain);
      await requestVia(f, f.reentrant, f.models.onchain); // id + 1, a target for submitResult
      const data = encodeFunctionData({ abi: f.hub.abi, ...(attack(id) as { functionName: "withdraw"; args: [] }) });
      await f.reentrant.write.setAttack([data]);
      await f.deliver(id);
      assert.equal(await f.reentrant.read.attempts(), 1n);
      assert.equal(await f.reentrant.read.lastSuccess(), false);
      const err = decodeErrorResult({ abi: f.hub.abi, data: await f.reentrant.read.lastReturn() });
      assert.equal(err.errorName, "ReentrancyGuardReentrantCall");
      // the consumer's own bookkeeping in the callback succeeded: the hub only refused the re-entry
      assert.deepEqual(await f.reentrant.read.fastOutput([id]), OUTPUT);
      assert.equal(await f.hub.read.status([id + 1n]), Status.Requested);
      assert.equal(await f.hub.read.requestCount(), id + 1n);
      // and on settlement
      await f.prove(id);
      assert.equal(await f.reentrant.read.attempts(), 2n);
      assert.equal(await f.reentrant.read.lastSuccess(), false);
      assert.equal(await f.hub.read.status([id]), Status.Settled);
      await f.assertBooksBalance([f.reentrant.address]);
    });
  }

  it("a verifier re-entering the hub during verification gets nowhere (read-only call + lock)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const rv = await viem.deployContract("ReentrantVerifier", [f.hub.address]);
    const spec = {
      onnxHash: keccak256("0x01"),
      settingsHash: keccak256("0x02"),
      circuitHash: keccak256("0x03"),
      vkHash: keccak256("0x04"),
      manifestHash: keccak256("0x99"),
      inputShape: [4],
      outputShape: [3],
      inputScale: 7,
      outputScale: 7,
      mode: 0,
      verifier: rv.address,
      price: PRICE,
      tolerance: 0n,
      inputLower: DOMAIN.lower,
      inputUpper: DOMAIN.upper,
      batch: 1,
    };
    const { result: modelId } = await f.modelRegistry.simulate.registerModel([spec]);
    await f.modelRegistry.write.registerModel([spec]);
    const id = await f.request(modelId);
    await f.request(modelId);
    await f.deliver(id);
    // the treasury has nothing, the prover nothing yet: try to make the hub pay or deliver during verification
    await rv.write.setAttack([encodeFunctionData({ abi: f.hub.abi, functionName: "submitResult", args: [id + 1n, OUTPUT] })]);
    await f.prove(id, OUTPUT, "0x");
    // the verifier accepts only if its re-entry failed: settlement proves it did, and request id+1 is untouched
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.equal(await f.hub.read.status([id + 1n]), Status.Requested);
    await f.assertBooksBalance();
  });
});

describe("IrisClassifierConsumer example", () => {
  it("requests a classification and stores the fast and settled classes", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const iris = await viem.deployContract("IrisClassifierConsumer", [f.hub.address, f.models.attested]);
    const features = [653n, 448n, 179n, 26n] as const;
    const payment = await f.hub.read.quoteFee([f.models.attested, await iris.read.requestOptions(), GAS_PRICE]);
    assert.equal(payment, PRICE + (300_000n + CALLBACK_OVERHEAD) * 2n * GAS_PRICE);
    await iris.write.classify([features], { value: payment, account: f.wallets.user.account, gasPrice: GAS_PRICE });
    const id = await f.hub.read.requestCount();
    await f.deliver(id, [10n, 300n, -5n]);
    let c = await iris.read.classification([id]);
    assert.equal(c.fast, true);
    assert.equal(c.fastClass, 1);
    assert.equal(c.settled, false);
    const proof = proofFor(INPUT, OUTPUT);
    await f.prove(id, OUTPUT, proof);
    const a = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true };
    await f.attest(a, [f.wallets.ver1, f.wallets.ver2]);
    await f.hub.write.settle([id, await provenOutput(f.hub, id)]);
    c = await iris.read.classification([id]);
    assert.equal(c.settled, true);
    assert.equal(c.settledClass, 0);
    // the scores are in the events, not in storage
    const [ev] = await iris.getEvents.SettledClassification({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.equal(ev.args.class, 0);
    assert.deepEqual(ev.args.scores, OUTPUT);
    const [fastEv] = await iris.getEvents.FastClassification({ requestId: id }, { fromBlock: 0n, strict: true });
    assert.deepEqual(fastEv.args.scores, [10n, 300n, -5n]);
    // only the hub may call the callbacks
    await viem.assertions.revertWithCustomErrorWithArgs(
      iris.write.onSettled([id, OUTPUT], { account: f.wallets.outsider.account }),
      iris,
      "TwinpathConsumerOnlyHub",
      [getAddress(f.wallets.outsider.account.address)],
    );
  });

  it("passes the refund of an expired request on to the user who paid, once, whoever triggers it", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const iris = await viem.deployContract("IrisClassifierConsumer", [f.hub.address, f.models.onchain]);
    const payment = await f.hub.read.quoteFee([f.models.onchain, await iris.read.requestOptions(), GAS_PRICE]);
    await iris.write.classify([[1n, 2n, 3n, 4n]], { value: payment, account: f.wallets.user.account, gasPrice: GAS_PRICE });
    const id = await f.hub.read.requestCount();
    await viem.assertions.revertWithCustomErrorWithArgs(iris.write.claimRefund([id]), iris, "IrisClassifierConsumerNotRefunded", [
      id,
      Status.Requested,
    ]);
    const r = await f.hub.read.getRequest([id]);
    await networkHelpers.time.increaseTo(r.resultDeadline + 1n);
    await f.hub.write.refundExpired([id]);
    assert.equal(await f.hub.read.releasable([iris.address]), payment); // fee and the whole unused budget
    await viem.assertions.balancesHaveChanged(iris.write.claimRefund([id], { account: f.wallets.outsider.account }), [
      { address: f.wallets.user.account.address, amount: payment },
      { address: f.wallets.outsider.account.address, amount: 0n },
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(iris.write.claimRefund([id]), iris, "IrisClassifierConsumerAlreadyRefunded", [id]);
    assert.equal(await f.publicClient.getBalance({ address: iris.address }), 0n);
    await f.assertBooksBalance([iris.address]);
  });
});
