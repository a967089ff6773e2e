/**
 * The fast path end to end: a Hardhat node, our own redis-server (AOF, so it can be restarted), the protocol
 * deployed with Ignition, and the worker roles as separate processes (listener, 2 executors, sender holding 2
 * executor keys), with a pausable TCP proxy between the workers and the RPC. One stack for the whole file, the
 * scenarios run in order.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { keccak256 } from "viem";
import { exampleInputs } from "../../models/index.js";
import { committedBundleDir } from "../../models/bundle.js";
import { genWitness } from "../../compiler/engine/engine.js";
import { getRequestStatus } from "../../workers/chain/getRequest.js";
import { quotePayment, requestIdsFromReceipt } from "../../workers/chain/requestInference.js";
import { demoFastPathModel, registerFastPathModel } from "../../devnet/model.js";
import { createSignerClient } from "../../workers/chain/client.js";
import { devKey } from "../../devnet/hardhatNode.js";
import { NODE_BIN } from "../../devnet/processes.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { startStack, type Stack } from "../../devnet/stack.js";
import { openQueue } from "../../workers/queues/connection.js";
import { listDeadLetters } from "../../workers/queues/deadLetters.js";
import { jobId } from "../../workers/queues/jobs.js";
import { QueueName } from "../../workers/queues/names.js";
import { RequestStatus } from "../../protocol/enums.js";
import { dequantize, quantize } from "../../protocol/fixedPoint.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fast path end to end (separate processes, real Redis, real chain)", { timeout: 240_000 }, () => {
  let stack: Stack;
  // The executor answers with the registered circuit's forward pass (EZKL's witness): the numbers a proof carries.
  const compiled = new Uint8Array(readFileSync(join(committedBundleDir("iris-mlp"), "model.compiled")));
  const expectedOutput = async (input: readonly bigint[]) => genWitness(compiled, dequantize([...input], 7)).outputs;
  const submitted = async (ids: bigint[]) => {
    const ev = await stack.resultEvents();
    for (const id of ids) assert.equal(ev.submitted.get(id)?.length, 1, `request ${id}: exactly one ResultSubmitted`);
    assert.deepEqual(ev.rejected.filter((id) => ids.includes(id)), [], "no duplicate attempt was rejected by the hub");
    return ev;
  };

  before(async () => {
    stack = await startStack({
      persistentRedis: true,
      rpcProxy: true,
      executorNodes: 2,
      executorProcesses: 2,
      env: {
        executor: { EXECUTOR_LOCK_DURATION_MS: "2000", EXECUTOR_STALLED_INTERVAL_MS: "1000", JOB_BACKOFF_MS: "200" },
        sender: { SENDER_LOCK_DURATION_MS: "3000", SENDER_STALLED_INTERVAL_MS: "1000", JOB_BACKOFF_MS: "200" },
        listener: { LISTENER_POLL_INTERVAL_MS: "50", JOB_BACKOFF_MS: "200" },
      },
    });
  });
  after(async () => {
    await stack?.stop();
  });

  it("delivers each request's result once, equal to the registered circuit's forward pass (what a proof carries)", async () => {
    const sent = await stack.request(exampleInputs("iris-mlp", 6), { concurrency: 6 });
    const results = await stack.waitForResults(sent.map((s) => s.requestId), 60_000);
    const ev = await submitted(sent.map((s) => s.requestId));
    const inputs = exampleInputs("iris-mlp", 6).map((row) => quantize(row, 7).join(","));
    for (const s of sent) {
      assert.ok(inputs.includes(s.input.join(",")), "the hub emitted one of the inputs we sent");
      const expected = await expectedOutput(s.input);
      assert.deepEqual(ev.submitted.get(s.requestId)![0].output, expected, `request ${s.requestId} output`);
      assert.deepEqual(results.get(s.requestId)!.job.output, expected.map(String));
      assert.equal(await getRequestStatus(stack.client, { hub: stack.deployment.inferenceHub, requestId: s.requestId }), RequestStatus.Executed);
    }
    // The proving job is queued with what a prover needs.
    const prove = openQueue(stack.queues, QueueName.prove);
    try {
      const job = await prove.getJob(jobId(QueueName.prove, stack.node.chainId, sent[0].requestId));
      assert.ok(job, "prove job enqueued");
      assert.deepEqual(job.data.output, results.get(sent[0].requestId)!.job.output);
      assert.equal(job.data.input.length, 4);
      assert.match(job.data.resultTxHash, /^0x[0-9a-f]{64}$/);
    } finally {
      await prove.close();
    }
  });

  it("recovers a job whose executor was SIGKILLed mid-job (stalled-job recovery) and delivers once", async () => {
    const executors = stack.workers.filter((w) => w.role === "executor");
    await Promise.all(executors.map((w) => w.stop()));
    for (const w of executors) assert.equal((await w.exited).code, 0, `${w.name} shut down gracefully`);
    const victim = stack.startWorker("executor", "victim", { EXECUTOR_FAULT_DELAY_MS: "5000" });
    await victim.waitForLog((l) => l.msg === "executor started");
    const [req] = await stack.request(exampleInputs("iris-mlp", 1));
    await victim.waitForLog((l) => l.msg === "executing request" && l.requestId === String(req.requestId));
    victim.kill("SIGKILL");
    assert.equal((await victim.exited).signal, "SIGKILL");
    const rescuer = stack.startWorker("executor", "rescuer");
    await stack.waitForResults([req.requestId], 30_000);
    await rescuer.waitForLog((l) => l.msg === "executing request" && l.requestId === String(req.requestId), 1000);
    await submitted([req.requestId]);
  });

  it("finishes the in-flight job on SIGTERM before exiting (graceful shutdown)", async () => {
    const rescuer = stack.workers.find((w) => w.name === "rescuer")!;
    const graceful = stack.startWorker("executor", "graceful", { EXECUTOR_FAULT_DELAY_MS: "2000" });
    await graceful.waitForLog((l) => l.msg === "executor started");
    await rescuer.stop();
    const [req] = await stack.request(exampleInputs("iris-mlp", 1));
    await graceful.waitForLog((l) => l.msg === "executing request" && l.requestId === String(req.requestId));
    const stopping = graceful.stop(15_000); // SIGTERM while the job sleeps in its fault delay
    assert.equal((await graceful.exited).code, 0);
    await stopping;
    assert.ok(graceful.logs.some((l) => l.msg === "shut down cleanly"));
    // The job was finished by the stopping process (nobody else was running), not handed back.
    const execute = openQueue(stack.queues, QueueName.execute);
    stack.startWorker("executor", "executor-2");
    try {
      const job = await execute.getJob(jobId(QueueName.execute, stack.node.chainId, req.requestId));
      assert.equal(await job?.getState(), "completed");
      assert.equal(job?.attemptsMade, 1);
    } finally {
      await execute.close();
    }
    await stack.waitForResults([req.requestId], 30_000);
    await submitted([req.requestId]);
  });

  it("serves /health and Prometheus /metrics from every role", async () => {
    for (const w of stack.workers.filter((x) => x.child.exitCode === null && x.child.signalCode === null)) {
      const started = await w.waitForLog((l) => /started$/.test(String(l.msg)));
      const port = Number(started.metricsPort);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 200, `${w.name} healthy`);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /twinpath_queue_depth/);
      if (w.role === "sender") assert.match(metrics, /twinpath_tx_gas_used_bucket\{[^}]*action="submitResult/);
    }
  });

  it("does not send twice when the sender crashes between sending and recording", async () => {
    const sender = stack.workers.find((w) => w.role === "sender" && w.child.exitCode === null)!;
    await sender.stop();
    const crashing = stack.startWorker("sender", "crashing-sender", { SENDER_FAULT_CRASH_AFTER_SEND: "true" });
    await crashing.waitForLog((l) => l.msg === "sender started");
    const [req] = await stack.request(exampleInputs("iris-mlp", 1));
    assert.equal((await crashing.exited).signal, "SIGKILL");
    assert.ok(crashing.logs.some((l) => l.msg === "fault injection: crashing after send"));
    stack.startWorker("sender", "sender-2");
    const results = await stack.waitForResults([req.requestId], 30_000);
    assert.match(results.get(req.requestId)!.result.skipped ?? "", /recovered/);
    await submitted([req.requestId]);
    const prove = openQueue(stack.queues, QueueName.prove);
    assert.ok(await prove.getJob(jobId(QueueName.prove, stack.node.chainId, req.requestId)), "prove job enqueued after recovery");
    await prove.close();
  });

  it("catches up after the RPC was unreachable for a while", async () => {
    stack.proxy!.pause();
    const sent = await stack.request(exampleInputs("iris-mlp", 5)); // straight to the node
    await sleep(3000);
    const ev = await stack.resultEvents();
    assert.ok(sent.every((s) => !ev.submitted.has(s.requestId)), "nothing delivered while the RPC is down");
    stack.proxy!.resume();
    await stack.waitForResults(sent.map((s) => s.requestId), 60_000);
    await submitted(sent.map((s) => s.requestId));
  });

  it("resumes from the stored block after a Redis restart, losing nothing", async () => {
    const listener = stack.workers.find((w) => w.role === "listener")!;
    await listener.stop();
    const before = stack.deployment.deployBlock;
    await stack.redis.local!.stop();
    const sent = await stack.request(exampleInputs("iris-mlp", 5));
    await stack.redis.local!.start();
    const restarted = stack.startWorker("listener", "listener-2");
    await stack.waitForResults(sent.map((s) => s.requestId), 60_000);
    await submitted(sent.map((s) => s.requestId));
    const enqueued = await restarted.waitForLog((l) => l.msg === "requests enqueued", 1000);
    assert.ok(BigInt(String(enqueued.from)) > before + 10n, `resumed from its checkpoint (first page from ${enqueued.from}), not from the start block ${before}`);
    assert.ok(BigInt(String(enqueued.from)) <= sent[0].blockNumber);
  });

  it("refuses a corrupt circuit file with a clear reason, dead-letters the job and refunds the request after its deadline", async () => {
    const deep = await demoFastPathModel("iris-deep");
    const deployer = createSignerClient({ rpcUrl: stack.node.url, chainId: stack.node.chainId }, devKey(0));
    const registered = await registerFastPathModel(deployer, stack.client, stack.deployment.modelRegistry, deep);
    const bytes = new Uint8Array(readFileSync(join(deep.bundleDir, "model.compiled")));
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(join(stack.modelStoreDir, `${registered.circuitHash.toLowerCase()}.compiled`), bytes);

    const hub = stack.deployment.inferenceHub;
    const requester = stack.requester;
    const options = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 10, proofTimeout: 0 };
    const hash = await requester.writeContract({
      address: hub,
      abi: (await import("../../protocol/abi/generated.js")).inferenceHubAbi,
      functionName: "requestInference",
      args: [registered.modelId, quantize(exampleInputs("iris-deep", 1)[0], 7), options],
      value: await quotePayment(stack.client, hub, registered.modelId, options),
    });
    const receipt = await stack.client.waitForTransactionReceipt({ hash });
    const [requestId] = requestIdsFromReceipt(receipt, hub);

    const execute = openQueue(stack.queues, QueueName.execute);
    const refund = openQueue(stack.queues, QueueName.refund);
    try {
      const id = jobId(QueueName.execute, stack.node.chainId, requestId);
      let failed;
      for (let i = 0; i < 100 && !failed; i++) {
        const job = await execute.getJob(id);
        if (job && (await job.getState()) === "failed") failed = job;
        else await sleep(100);
      }
      assert.ok(failed, "execute job failed");
      assert.match(failed.failedReason, /does not match its registered hash/);
      assert.ok(failed.failedReason.includes(registered.circuitHash) && failed.failedReason.includes(keccak256(bytes)));
      assert.equal(failed.attemptsMade, 1, "permanent: not retried");
      const letters = await listDeadLetters(stack.queues, [QueueName.execute]);
      assert.ok(letters.some((l) => l.jobId === id && l.permanent && /registered hash/.test(l.reason)));
      // The dead-letter CLI prints it too.
      const cli = execFileSync(NODE_BIN, ["--import", "tsx", "workers/queues/cli.ts", "execute"], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, REDIS_URL: stack.redis.url, QUEUE_PREFIX: stack.queues.prefix },
        encoding: "utf8",
      });
      assert.match(cli, new RegExp(`${id}\\s+1\\s+permanent .*does not match its registered hash`));

      // After the deadline the refund job refunds the consumer on chain.
      await stack.client.request({ method: "evm_increaseTime" as never, params: [20] as never });
      await stack.client.request({ method: "evm_mine" as never, params: [] as never });
      const refundJob = await refund.getJob(jobId(QueueName.refund, stack.node.chainId, requestId));
      assert.ok(refundJob, "refund scheduled");
      if ((await refundJob.getState()) === "delayed") await refundJob.promote();
      let status: number = RequestStatus.Requested;
      for (let i = 0; i < 100 && status !== RequestStatus.Refunded; i++) {
        await sleep(100);
        status = await getRequestStatus(stack.client, { hub, requestId });
      }
      assert.equal(status, RequestStatus.Refunded);
    } finally {
      await execute.close();
      await refund.close();
    }
  });

  it("follows a reorg: a request replaced on the new fork (same id, other input) gets the new input's result", async () => {
    const rpc = (method: string, params: unknown[] = []) => stack.client.request({ method: method as never, params: params as never });
    const [rowA, rowB] = [exampleInputs("iris-mlp", 30)[0], exampleInputs("iris-mlp", 30)[29]];
    const snapshot = await rpc("evm_snapshot");
    const [a] = await stack.request([rowA]);
    await stack.waitForResults([a.requestId], 30_000); // delivered on the old fork
    await rpc("evm_revert", [snapshot]);
    const [b] = await stack.request([rowB]);
    assert.equal(b.requestId, a.requestId, "the new fork reuses the request id");
    assert.notDeepEqual(b.input, a.input);
    const expected = await expectedOutput(b.input);
    let delivered: readonly bigint[] | undefined;
    for (let i = 0; i < 300 && !delivered; i++) {
      await sleep(100);
      delivered = (await stack.resultEvents()).submitted.get(b.requestId)?.[0]?.output;
    }
    assert.deepEqual(delivered, expected, "the result on the new fork is computed from the new fork's input");
    await submitted([b.requestId]);
    const listener = stack.workers.find((w) => w.role === "listener" && w.child.exitCode === null)!;
    assert.ok(listener.logs.some((l) => l.msg === "reorg detected: rewound"), "the listener saw the reorg");
    // The proving job carries the new fork's input and output (the old fork's job was replaced).
    const prove = openQueue(stack.queues, QueueName.prove);
    try {
      let job;
      for (let i = 0; i < 50; i++) {
        job = await prove.getJob(jobId(QueueName.prove, stack.node.chainId, b.requestId));
        if (job?.data.input.join(",") === b.input.join(",")) break;
        await sleep(100);
      }
      assert.deepEqual(job?.data.input, b.input.map(String));
      assert.deepEqual(job?.data.output, expected.map(String));
    } finally {
      await prove.close();
    }
  });

  it("delivers a burst of 200 requests, each exactly once, with no wasted transaction", async () => {
    const sent = await stack.request(exampleInputs("iris-mlp", 200), { concurrency: 200 });
    assert.equal(new Set(sent.map((s) => s.requestId)).size, 200);
    await stack.waitForResults(sent.map((s) => s.requestId), 120_000);
    const ev = await submitted(sent.map((s) => s.requestId));

    // Every transaction the executor keys ever sent is accounted for: stake registration, result transactions
    // (distinct hashes; batches carry several results) and refunds. A double submission would show up here.
    const resultTxs = new Set([...ev.submitted.values()].flat().map((r) => r.txHash));
    const refunds = await stack.client.getContractEvents({
      address: stack.deployment.inferenceHub,
      abi: (await import("../../protocol/abi/generated.js")).inferenceHubAbi,
      eventName: "RequestRefunded",
      fromBlock: stack.deployment.deployBlock,
    });
    let nonces = 0;
    for (const key of stack.executorKeys) nonces += await stack.client.getTransactionCount({ address: createSignerClient({ rpcUrl: stack.node.url, chainId: stack.node.chainId }, key).account.address });
    assert.equal(nonces, stack.executorKeys.length + resultTxs.size + refunds.length);
    assert.ok(resultTxs.size < 200 + 20, "results were batched");
  });
});
