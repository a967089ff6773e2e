/**
 * The sender's result batches against a real hub on a `hardhat node` (no worker processes): one simulation per
 * batch (and no gas estimate once mined batches vouch for its gas), a bad item isolated with its own reason while the
 * rest is delivered, batches above the gas bound or the block gas limit split, and several batches of one key on
 * their way at once, in nonce order. And the workers' coalesced request reads (chain/requestReader).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { encodeFunctionData, parseEventLogs, type Abi, type Address, type Hash, type Hex } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { createSignerClient, type TwinpathPublicClient } from "../../workers/chain/client.js";
import { ResultBatcher, type BatchOutcome } from "../../workers/chain/sender/resultBatcher.js";
import { TX_GAS_CAP, TxSender } from "../../workers/chain/sender/txSender.js";
import { submitResultsCall } from "../../workers/chain/submitResults.js";
import { RequestReader } from "../../workers/chain/requestReader.js";
import { quotePayment } from "../../workers/chain/requestInference.js";
import { RequestStatus } from "../../protocol/enums.js";
import { TxRejectedError } from "../../workers/shared/errors.js";
import { quantize } from "../../protocol/fixedPoint.js";
import { startStack, type Stack } from "../../devnet/stack.js";
import { exampleInputs } from "../../models/index.js";

describe("ResultBatcher (hub on a hardhat node)", { timeout: 180_000 }, () => {
  let stack: Stack;
  let client: TwinpathPublicClient;
  let outputLength: number;
  const rpc = (method: string, params: unknown[] = []) => client.request({ method: method as never, params: params as never });

  /** A sender for the stack's executor key, counting the node calls it makes per kind. */
  function executorSender(calls?: Map<string, number>) {
    const chain = { rpcUrl: stack.node.url, chainId: stack.node.chainId, pollingIntervalMs: 10 };
    const wallet = createSignerClient(chain, stack.executorKeys[0]);
    const counted = calls
      ? ({
          ...client,
          simulateContract: (a: never) => (calls.set("simulate", (calls.get("simulate") ?? 0) + 1), client.simulateContract(a)),
          estimateGas: (a: never) => (calls.set("estimate", (calls.get("estimate") ?? 0) + 1), client.estimateGas(a)),
          readContract: (a: never) => (calls.set("read", (calls.get("read") ?? 0) + 1), client.readContract(a)),
        } as TwinpathPublicClient)
      : client;
    return { sender: new TxSender({ publicClient: counted, walletClient: wallet, pollIntervalMs: 10 }), publicClient: counted };
  }

  async function requests(n: number): Promise<bigint[]> {
    const sent = await stack.request(exampleInputs("iris-mlp", n), { concurrency: 1 });
    return sent.map((s) => s.requestId);
  }
  const output = (k: number) => Array.from({ length: outputLength }, (_, j) => BigInt(k * 10 + j));
  const delivered = (o: BatchOutcome) => (o.kind === "delivered" ? o : assert.fail(`expected delivered, got ${JSON.stringify(o, (_, v) => (typeof v === "bigint" ? String(v) : v))}`));

  /** Requests through a consumer whose callbacks burn every gas they get (250,000 for its result callback). */
  async function burningRequests(n: number): Promise<bigint[]> {
    const hub = stack.deployment.inferenceHub;
    const artifact = JSON.parse(readFileSync("artifacts/contracts/test/GasBurningConsumer.sol/GasBurningConsumer.json", "utf8")) as { abi: Abi; bytecode: Hex };
    const deployHash = await stack.requester.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [hub] } as never);
    const burner = (await client.waitForTransactionReceipt({ hash: deployHash })).contractAddress as Address;
    const options = { callbackGasLimit: 250_000, resultCallback: true, resultTimeout: 3600, proofTimeout: 0 };
    const value = await quotePayment(client, hub, stack.model.modelId, options);
    const ids: bigint[] = [];
    for (const row of exampleInputs("iris-mlp", n)) {
      const hash = await stack.requester.writeContract({ address: burner, abi: artifact.abi, functionName: "request", args: [stack.model.modelId, quantize(row, stack.model.model.inputScale), options], value } as never);
      const r = await client.waitForTransactionReceipt({ hash });
      ids.push(parseEventLogs({ abi: inferenceHubAbi, eventName: "InferenceRequested", logs: r.logs })[0].args.requestId);
    }
    return ids;
  }

  before(async () => {
    stack = await startStack({ executorNodes: 1, startWorkers: false });
    client = stack.client;
    outputLength = stack.model.model.outputShape.reduce((a, b) => a * b, 1);
  });
  after(async () => stack?.stop());

  it("delivers a batch in one transaction with one simulation and no gas estimate, whatever its size", async () => {
    const ids = await requests(12);
    const calls = new Map<string, number>();
    const { sender, publicClient } = executorSender(calls);
    const batcher = new ResultBatcher({ hub: stack.deployment.inferenceHub, sender, publicClient, maxBatchSize: 12, maxWaitMs: 50 });
    const outcomes = await Promise.all(ids.map((requestId, k) => batcher.submit({ requestId, output: output(k) })));
    const txs = new Set(outcomes.map((o) => delivered(o).txHash));
    assert.equal(txs.size, 1, "one transaction for the whole batch");
    assert.equal(delivered(outcomes[0]).batchSize, 12);
    assert.equal(calls.get("simulate"), 1, "the batch is simulated once (not again by the TxSender)");
    assert.equal(calls.get("estimate") ?? 0, 0, "its gas limit is the one it was simulated with");
    assert.equal(calls.get("read") ?? 0, 0, "no per-item status reads on the happy path");
    const events = await stack.resultEvents();
    for (const [k, id] of ids.entries()) assert.deepEqual(events.submitted.get(id)?.[0].output, output(k));
  });

  it("once a batch is mined, the next is simulated and sent at the gas it vouches for; items that need more get more, never starved", async () => {
    const calls = new Map<string, number>();
    const { sender, publicClient } = executorSender(calls);
    const hub = stack.deployment.inferenceHub;
    const batcher = new ResultBatcher({ hub, sender, publicClient, maxBatchSize: 4, maxWaitMs: 50 });
    const deliverAll = async (ids: bigint[]) => (await Promise.all(ids.map((requestId, k) => batcher.submit({ requestId, output: output(k) })))).map(delivered);

    await deliverAll(await requests(4)); // the first batch: simulated at a first guess
    calls.clear();
    const second = await deliverAll(await requests(4));
    assert.deepEqual(Object.fromEntries(calls), { simulate: 1 }, "one simulation at the learned gas");
    const tx = await client.getTransaction({ hash: second[0].txHash });
    const receipt = await client.getTransactionReceipt({ hash: second[0].txHash });
    assert.ok(tx.gas > receipt.gasUsed && tx.gas < receipt.gasUsed * 2n, `a limit near what it used (${tx.gas} for ${receipt.gasUsed})`);

    // Two requests whose consumer burns a 250,000-gas result callback: far above what the learned limit gives an item.
    const burning = await burningRequests(2);
    calls.clear();
    const third = await deliverAll([...(await requests(2)), ...burning]);
    assert.equal(new Set(third.map((o) => o.txHash)).size, 1, "still one transaction for the four");
    // Refused at the learned gas (the hub reverts rather than starve a callback), taken at the block's: the limit
    // doubles until taken. (eth_estimateGas would fail here: Hardhat refuses to estimate a call whose inner call runs
    // out of gas, as the burning callback does at any limit.)
    assert.equal(calls.get("estimate") ?? 0, 0);
    assert.ok((calls.get("simulate") ?? 0) >= 3, `simulated ${calls.get("simulate")} times`);
    const burnTx = await client.getTransaction({ hash: third[0].txHash });
    assert.ok(burnTx.gas < (await client.getBlock()).gasLimit, "sent with a limit below the block's");
    const statuses = await new RequestReader(client).getMany(hub, burning);
    assert.deepEqual(statuses.map((r) => r.status), [RequestStatus.Executed, RequestStatus.Executed]);
    const events = await stack.resultEvents();
    for (const id of burning) assert.ok(events.submitted.get(id), "the burning consumers' results were delivered");
  });

  it("TxSender.estimate: a call whose consumer callback burns all its gas (the node refuses eth_estimateGas) gets a limit from simulations and goes through", async () => {
    const [id] = await burningRequests(1);
    const { sender } = executorSender();
    const call = submitResultsCall(stack.deployment.inferenceHub, [{ requestId: id, output: output(0) }]);
    await assert.rejects(client.estimateGas({ account: sender.address, to: call.address, data: encodeFunctionData(call as never) }), /internal call runs out of gas/i, "Hardhat refuses the estimate");
    const gas = await sender.estimate(call, "submitResult");
    assert.ok(gas >= 1_000_000n && gas <= TX_GAS_CAP, `a limit from the simulations: ${gas}`);
    const sent = await sender.send({ call, label: "submitResult", gas });
    assert.equal(sent.receipt.status, "success");
    assert.equal(await client.readContract({ address: stack.deployment.inferenceHub, abi: inferenceHubAbi, functionName: "status", args: [id] }), RequestStatus.Executed);
  });

  it("RequestReader: reads made at about the same time share one getRequests call, each gets its own record", async () => {
    const ids = await requests(3);
    let reads = 0;
    const counted = { ...client, readContract: (a: never) => (reads++, client.readContract(a)) } as TwinpathPublicClient;
    const reader = new RequestReader(counted);
    const hub = stack.deployment.inferenceHub;
    const unknown = 10n ** 9n;
    const records = await Promise.all([...ids, unknown].map((id) => reader.get(hub, id)));
    assert.equal(reads, 1, "one call for four concurrent reads");
    for (const [k, id] of ids.entries()) assert.deepEqual(records[k], await client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "getRequest", args: [id] }));
    assert.equal(records[3].status, RequestStatus.None, "an unknown id reads as an empty record");
    // A failed call fails the reads it carried, and only those.
    const broken = new RequestReader({ ...client, readContract: () => Promise.reject(new Error("node down")) } as unknown as TwinpathPublicClient);
    await assert.rejects(broken.get(hub, ids[0]), /node down/);
  });

  it("one bad item in a batch: the others are delivered together, the bad one is named with the hub's reason and nothing is sent for it", async () => {
    const ids = await requests(6);
    const { sender, publicClient } = executorSender();
    // Request ids[5] is delivered beforehand: in the batch it is no longer needed (e.g. a retried job after a crash).
    const first = new ResultBatcher({ hub: stack.deployment.inferenceHub, sender, publicClient, maxWaitMs: 0 });
    delivered(await first.submit({ requestId: ids[5], output: output(5) }));
    const batcher = new ResultBatcher({ hub: stack.deployment.inferenceHub, sender, publicClient, maxBatchSize: 6, maxWaitMs: 50 });
    const items = ids.map((requestId, k) => ({ requestId, output: k === 2 ? output(k).slice(1) : output(k) })); // ids[2]: an output of the wrong length
    const before = await stack.resultEvents();
    const outcomes = await Promise.all(items.map((i) => batcher.submit(i)));

    const bad = outcomes[2];
    assert.equal(bad.kind, "rejected");
    assert.match(bad.kind === "rejected" ? `${bad.error?.errorName} ${bad.reason}` : "", /InferenceHub\w*Output/, "the hub's own error for that item");
    assert.deepEqual(outcomes[5], { kind: "not-needed", status: 2 }, "already executed: not sent again");
    const good = [0, 1, 3, 4].map((k) => delivered(outcomes[k]));
    assert.equal(new Set(good.map((g) => g.txHash)).size, 1, "the good items go together in one transaction");
    assert.equal(good[0].batchSize, 4);
    const after = await stack.resultEvents();
    assert.equal(after.rejected.length, before.rejected.length, "no ItemRejected: the bad items never reached the chain");
    assert.equal((await client.readContract({ address: stack.deployment.inferenceHub, abi: inferenceHubAbi, functionName: "status", args: [ids[2]] })) as number, 1, "the bad item's request still waits (nothing lost)");
    // Its corrected result goes through.
    delivered(await batcher.submit({ requestId: ids[2], output: output(2) }));
  });

  it("a batch above the gas bound is split into transactions that each fit", async () => {
    const ids = await requests(10);
    const { sender, publicClient } = executorSender();
    const maxBatchGas = 250_000n; // about 3 results with the sender's margin (results of one batch share a prover draw)
    const batcher = new ResultBatcher({ hub: stack.deployment.inferenceHub, sender, publicClient, maxBatchSize: 10, maxWaitMs: 50, maxBatchGas });
    const outcomes = (await Promise.all(ids.map((requestId, k) => batcher.submit({ requestId, output: output(k) })))).map(delivered);
    const txs = [...new Set(outcomes.map((o) => o.txHash))];
    assert.ok(txs.length >= 3, `split into ${txs.length} transactions`);
    for (const hash of txs) assert.ok((await client.getTransaction({ hash })).gas <= maxBatchGas, "each transaction's gas limit is within the bound");
    assert.equal(outcomes.reduce((n, o) => n + (o.batchSize > 0 ? 1 : 0), 0), 10, "every result delivered");
  });

  it("a batch that would exceed the block gas limit is split by the sender", async () => {
    const ids = await requests(16);
    const { sender, publicClient } = executorSender();
    const limit = (await client.getBlock()).gasLimit;
    await rpc("evm_setBlockGasLimit", ["0x" + (700_000).toString(16)]);
    try {
      // No configured bound: the block's own limit is the bound (16 results need about 1.2M gas).
      const batcher = new ResultBatcher({ hub: stack.deployment.inferenceHub, sender, publicClient, maxBatchSize: 16, maxWaitMs: 50 });
      const outcomes = (await Promise.all(ids.map((requestId, k) => batcher.submit({ requestId, output: output(k) })))).map(delivered);
      const txs = [...new Set(outcomes.map((o) => o.txHash))];
      assert.ok(txs.length >= 2, `split into ${txs.length} transactions`);
      for (const hash of txs) assert.ok((await client.getTransaction({ hash })).gas <= 700_000n);
    } finally {
      await rpc("evm_setBlockGasLimit", ["0x" + limit.toString(16)]);
    }
  });

  it("TxSender.estimate refuses a call that needs more gas than a transaction may carry, naming it (never a clipped limit)", async () => {
    const ids = await requests(16);
    const { sender } = executorSender();
    const limit = (await client.getBlock()).gasLimit;
    await rpc("evm_setBlockGasLimit", ["0x" + (700_000).toString(16)]);
    try {
      // 16 results need about 1.2M gas; this sender's ceiling is the 700k block
      const call = submitResultsCall(stack.deployment.inferenceHub, ids.map((requestId, k) => ({ requestId, output: output(k) })));
      await assert.rejects(sender.estimate(call, "submitResults"), (e: Error) => e instanceof TxRejectedError && /more than a transaction may carry/.test(e.message));
    } finally {
      await rpc("evm_setBlockGasLimit", ["0x" + limit.toString(16)]);
    }
  });

  it("keeps several batches of one key on their way at once, in nonce order, and gathers the rest meanwhile", async () => {
    const ids = await requests(5);
    const { sender, publicClient } = executorSender();
    const batcher = new ResultBatcher({ hub: stack.deployment.inferenceHub, sender, publicClient, maxBatchSize: 16, maxWaitMs: 0, maxInFlight: 2 });
    await rpc("evm_setAutomine", [false]);
    const pending: Promise<BatchOutcome>[] = [];
    try {
      const latest = await client.getTransactionCount({ address: sender.address, blockTag: "latest" });
      pending.push(batcher.submit({ requestId: ids[0], output: output(0) }));
      await waitFor(async () => (await client.getTransactionCount({ address: sender.address, blockTag: "pending" })) === latest + 1);
      pending.push(batcher.submit({ requestId: ids[1], output: output(1) }));
      await waitFor(async () => (await client.getTransactionCount({ address: sender.address, blockTag: "pending" })) === latest + 2);
      // Two on their way: the next ones wait for a receipt and go together.
      for (const k of [2, 3, 4]) pending.push(batcher.submit({ requestId: ids[k], output: output(k) }));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await client.getTransactionCount({ address: sender.address, blockTag: "pending" }), latest + 2, "at most two batches on their way");
      assert.deepEqual(batcher.depth, { waiting: 3, sending: 2 });
      await rpc("evm_mine");
      await waitFor(async () => (await client.getTransactionCount({ address: sender.address, blockTag: "pending" })) === latest + 3);
      await rpc("evm_mine");
      const outcomes = (await Promise.all(pending)).map(delivered);
      const nonces = await Promise.all(outcomes.map(async (o) => (await client.getTransaction({ hash: o.txHash as Hash })).nonce));
      assert.deepEqual(nonces, [latest, latest + 1, latest + 2, latest + 2, latest + 2]);
      const receipt = await client.getTransactionReceipt({ hash: outcomes[4].txHash });
      const events = parseEventLogs({ abi: inferenceHubAbi, eventName: "ResultSubmitted", logs: receipt.logs });
      assert.deepEqual(
        events.map((e) => e.args.requestId),
        ids.slice(2),
      );
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
