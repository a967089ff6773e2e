/**
 * The sender's result batches against a real hub on a `hardhat node` (no worker processes): one simulation per
 * batch, a bad item isolated with its own reason while the rest is delivered, batches above the gas bound or the
 * block gas limit split, and several batches of one key on their way at once, in nonce order.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEventLogs, type Hash } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { createSignerClient, type TwinpathPublicClient } from "../../workers/chain/client.js";
import { ResultBatcher, type BatchOutcome } from "../../workers/chain/sender/resultBatcher.js";
import { TxSender } from "../../workers/chain/sender/txSender.js";
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

  before(async () => {
    stack = await startStack({ executorNodes: 1, startWorkers: false });
    client = stack.client;
    outputLength = stack.model.model.outputShape.reduce((a, b) => a * b, 1);
  });
  after(async () => stack?.stop());

  it("delivers a batch in one transaction with one simulation and one gas estimate, whatever its size", async () => {
    const ids = await requests(12);
    const calls = new Map<string, number>();
    const { sender, publicClient } = executorSender(calls);
    const batcher = new ResultBatcher({ hub: stack.deployment.inferenceHub, sender, publicClient, maxBatchSize: 12, maxWaitMs: 50 });
    const outcomes = await Promise.all(ids.map((requestId, k) => batcher.submit({ requestId, output: output(k) })));
    const txs = new Set(outcomes.map((o) => delivered(o).txHash));
    assert.equal(txs.size, 1, "one transaction for the whole batch");
    assert.equal(delivered(outcomes[0]).batchSize, 12);
    assert.equal(calls.get("simulate"), 1, "the batch is simulated once (not again by the TxSender)");
    assert.equal(calls.get("estimate"), 1);
    assert.equal(calls.get("read") ?? 0, 0, "no per-item status reads on the happy path");
    const events = await stack.resultEvents();
    for (const [k, id] of ids.entries()) assert.deepEqual(events.submitted.get(id)?.[0].output, output(k));
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
    const maxBatchGas = 400_000n; // about 4 results with the sender's margin
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
