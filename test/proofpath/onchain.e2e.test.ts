/**
 * The proof path with on-chain verification (the project's Halo2 verifier from halo2/solidity, deployed for the
 * iris-mlp bundle): ZKML_ONCHAIN settles in the prover's own transaction, bad proofs are refused by the hub, and an
 * OPTIMISTIC result is challenged with a real proof when the executor lied, or settles unchallenged after its
 * window when it did not. A batch version (iris-mlp compiled with batch 2, models/iris-mlp/bundle-b2) proves two
 * requests with one proof and one submitBatchProof, and a partial batch (one request, the hub's zero padding in the
 * other slot) after the prover's batch wait. Real processes, chain, Redis and proofs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeEventLog, decodeFunctionData, type Address, type Hex } from "viem";
import { inferenceHubAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { createSignerClient } from "../../workers/chain/client.js";
import { TxSender } from "../../workers/chain/sender/txSender.js";
import { TxRejectedError } from "../../workers/shared/errors.js";
import { devKey } from "../../devnet/hardhatNode.js";
import { PROOF_KEYS, deployBundleVerifier, registerNodes, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import type { WorkerProcess } from "../../devnet/processes.js";
import { submitProofCall } from "../../workers/proofs/chain.js";
import { fromField, valuesHash } from "../../protocol/instances.js";
import { parseEngineProof, proofInstances, rawProofBytes } from "../../workers/proofs/proofJson.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { loadBundle } from "../../compiler/bundle.js";
import { genWitness, prove } from "../../compiler/engine/engine.js";
import { NodeRole, RequestStatus } from "../../protocol/enums.js";
import { ensureBatchBundle } from "../../models/batchBundle.js";
import { quantize } from "../../protocol/fixedPoint.js";

const FEE = 10n ** 15n;
/** The batch version's N: two slots (models/iris-mlp/bundle-b2, committed minus its proving key; ~2 s per proof). */
const BATCH = 2;
let ps: ProofStack;
let prover: WorkerProcess;
let bundleDir: string;
let batchDir: string;
let adapter: Address;
const rows = exampleInputs("iris-mlp", 30).map((r) => quantize(r, 7));
let nextRow = 3;
const nextInput = () => rows[nextRow++ % rows.length];

const events = async (eventName: "InferenceRequested" | "ProofSubmitted" | "RequestSettled" | "ExecutorMismatch" | "SlashCredited" | "Challenged" | "ResultSubmitted" | "BatchProofVerified", requestId?: bigint) => {
  const logs = await ps.stack.client.getContractEvents({ address: ps.hub, abi: inferenceHubAbi, eventName, fromBlock: ps.stack.deployment.deployBlock, strict: true });
  return (logs as unknown as { args: Record<string, unknown>; transactionHash: Hex }[]).filter((l) => requestId === undefined || !("requestId" in l.args) || l.args.requestId === requestId);
};

function proveHere(input: readonly bigint[]) {
  const b = loadBundle(bundleDir, { requirePk: true });
  const w = genWitness(b.read("compiled"), input.map((v) => Number(v) / 128));
  const p = parseEngineProof(prove(w.bytes, b.read("pk"), b.read("compiled"), b.read("srs")));
  return { proof: rawProofBytes(p), output: proofInstances(p).slice(input.length).map(fromField) };
}

describe("proof path with the on-chain Halo2 verifier (ZKML_ONCHAIN, OPTIMISTIC)", { timeout: 600_000 }, () => {
  before(async () => {
    bundleDir = (await ensureDemoBundle("iris-mlp")).dir;
    batchDir = (await ensureBatchBundle("iris-mlp", BATCH, { logrows: "compiler" })).dir;
    ps = await startProofStack({
      bundleDir,
      extraBundleDirs: [batchDir],
      // a partial batch goes after 1.5 s (waiting while the full one proves); the prover holds both batches' jobs at once
      proofEnv: { prover: { PROVER_BATCH_WAIT_MS: "1500", PROVER_CONCURRENCY: String(2 * BATCH) } },
      mode: "ZKML_ONCHAIN",
      verifier: async (rpcUrl, chainId) => (adapter = await deployBundleVerifier(rpcUrl, chainId, bundleDir)),
      verifierNodes: 0,
      // one staked prover (the one running) until the outsider joins in the second test: a request drawn for a
      // staked prover that is not running would wait out its window first
      proverNodes: 1,
    });
    prover = await ps.start("prover", 0);
  });
  after(async () => {
    await ps?.stack.stop();
  });

  it("ZKML_ONCHAIN: the prover's submitProof is verified by the hub and settles in the same transaction", async () => {
    const sent = await ps.request(nextInput(), { fee: FEE });
    await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 180_000);
    const [proofEv] = await events("ProofSubmitted", sent.requestId);
    const [settled] = await events("RequestSettled", sent.requestId);
    assert.equal(proofEv.args.proofStore, "", "the hub verified the bytes itself: no store to fetch them from");
    assert.equal(settled.args.outputHash, valuesHash(proofEv.args.output as bigint[]));
    assert.equal(settled.args.verifierReward, 0n);
    // the fee: what was paid above the callback budget (FEE plus the headroom of the quoted gas price)
    const fee = (await events("InferenceRequested", sent.requestId))[0].args.fee as bigint;
    assert.equal(settled.args.proverReward, (fee * 5000n) / 10000n, "no verification nodes: their share goes to the prover");
  });

  it("ZKML_ONCHAIN: a tampered proof and a proof of another input are refused; an outsider's valid proof settles", async () => {
    await prover.stop();
    await registerNodes(ps.stack.client, ps.stack.node.url, ps.stack.deployment.nodeRegistry, [devKey(PROOF_KEYS.provers[1])], NodeRole.Prover);
    const input = nextInput();
    const sent = await ps.request(input, { fee: FEE });
    await ps.waitForStatus(sent.requestId, [RequestStatus.Executed], 30_000);
    const outsider = new TxSender({
      publicClient: ps.stack.client,
      walletClient: createSignerClient({ rpcUrl: ps.stack.node.url, chainId: ps.stack.node.chainId }, devKey(PROOF_KEYS.provers[1])),
      pollIntervalMs: 20,
    });
    const good = proveHere(input);
    const tampered = good.proof.slice();
    tampered[900] ^= 0x04;
    const other = proveHere(nextInput());
    const outsiderAddress = ps.address(devKey(PROOF_KEYS.provers[1]));
    for (const [what, proof, output] of [["tampered", tampered, good.output], ["another input", other.proof, other.output]] as const) {
      // a prover may submit only in its own window (the hub draws one per window): the outsider waits for its turn
      await ps.waitForProverWindow(sent.requestId, outsiderAddress);
      // (an RPC timeout on a loaded machine is not a verdict: ask again)
      let err: unknown;
      for (let attempt = 0; attempt < 3; attempt++) {
        err = await outsider.send({ call: submitProofCall(ps.hub, sent.requestId, input, output, proof), label: "submitProof" }).then(
          (r) => new Error(`${what}: accepted in ${r.hash}`),
          (e: unknown) => e,
        );
        if (err instanceof TxRejectedError || !/simulating|timed out|took too long/i.test(String((err as Error).message))) break;
      }
      assert.ok(err instanceof TxRejectedError && /InferenceHubInvalidProof/.test(err.message), `${what}: ${String((err as Error).message)}`);
    }
    assert.equal((await ps.stack.client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName: "status", args: [sent.requestId] })) as number, RequestStatus.Executed);
    await ps.waitForProverWindow(sent.requestId, outsiderAddress);
    const ok = await outsider.send({ call: submitProofCall(ps.hub, sent.requestId, input, good.output, good.proof), label: "submitProof" });
    assert.equal(ok.receipt.status, "success");
    assert.equal(await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 5_000).then((s) => s.status), RequestStatus.Settled);
    console.log(`submitProof with on-chain verification: ${ok.receipt.gasUsed} gas`);
    prover = await ps.start("prover", 0, {}, "prover-0b");
  });

  it("OPTIMISTIC: a dishonest executor's result is challenged with a real proof; the executor is slashed, the proven output settles", async () => {
    const optimistic = await ps.registerModel({ mode: "OPTIMISTIC", verifier: adapter });
    const honest = ps.stack.workers.find((w) => w.name === "executor-0")!;
    await honest.stop();
    const dishonest = ps.stack.startWorker("executor", "executor-dishonest", { EXECUTOR_FAULT_OUTPUT_OFFSET: "-40" });
    await dishonest.waitForLog((l) => /started$/.test(String(l.msg)), 60_000);
    try {
      const sent = await ps.request(nextInput(), { fee: FEE, modelId: optimistic, proofTimeout: 600 });
      await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 180_000);
      const [challenged] = await events("Challenged", sent.requestId);
      assert.ok(challenged, "Challenged emitted");
      assert.equal((challenged.args.challenger as string).toLowerCase(), ps.address(ps.proverKeys[0]).toLowerCase());
      const [mismatch] = await events("ExecutorMismatch", sent.requestId);
      assert.ok(mismatch);
      const [settled] = await events("RequestSettled", sent.requestId);
      assert.equal(settled.args.outputHash, challenged.args.provenOutputHash, "the proven output settled");
      const slashed = (await events("SlashCredited", sent.requestId)).filter((s) => (s.args.node as string).toLowerCase() === ps.address(ps.stack.executorKeys[0]).toLowerCase());
      assert.equal(slashed.length, 1, "executor slashed");
      assert.equal((slashed[0].args.beneficiary as string).toLowerCase(), ps.address(ps.proverKeys[0]).toLowerCase(), "the challenger gets the beneficiary share");
    } finally {
      await dishonest.stop();
      await ps.stack.startWorker("executor", "executor-0b").waitForLog((l) => /started$/.test(String(l.msg)), 60_000);
    }

    // An honest result: the prover's proof agrees, nothing is challenged, and it settles when the window closes.
    ps.startBlockTicker(500); // a dev chain's clock moves only with blocks
    const sent = await ps.request(nextInput(), { fee: FEE, modelId: optimistic, proofTimeout: 10 });
    await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 180_000);
    assert.equal((await events("Challenged", sent.requestId)).length, 0);
    const [result] = await events("ResultSubmitted", sent.requestId);
    const [settled] = await events("RequestSettled", sent.requestId);
    assert.equal(settled.args.outputHash, result.args.outputHash, "the fast-path output settled unchallenged");
    assert.ok(prover.logs.some((l) => l.requestId === sent.requestId.toString() && /agrees with the optimistic result/.test(String(l.msg))));
  });

  it("batch proofs: a full batch and a partial one, each one proof and one submitBatchProof; every request settles with its own proven output and fee split, the padded slot settles nothing", async () => {
    // Every window is prover-0's from here on: the other staked prover (the outsider above) leaves, so the hub draws
    // no request of the batch for it and the three requests wait in one prover's batcher.
    const outsider = createSignerClient({ rpcUrl: ps.stack.node.url, chainId: ps.stack.node.chainId, pollingIntervalMs: 20 }, devKey(PROOF_KEYS.provers[1]));
    const stake = await ps.stack.client.readContract({ address: ps.stack.deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "stakeOf", args: [outsider.account.address, NodeRole.Prover] });
    await ps.stack.client.waitForTransactionReceipt({
      hash: await outsider.writeContract({ address: ps.stack.deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "beginUnbonding", args: [NodeRole.Prover, stake] }),
      pollingInterval: 20,
    });
    const batchAdapter = await deployBundleVerifier(ps.stack.node.url, ps.stack.node.chainId, batchDir);
    const modelId = await ps.registerModel({ mode: "ZKML_ONCHAIN", bundleDir: batchDir, verifier: batchAdapter });
    const proverAddress = ps.address(ps.proverKeys[0]);
    const hubRead = <T>(functionName: "requestCount" | "releasable", args: readonly unknown[] = []) =>
      ps.stack.client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName, args } as never) as Promise<T>;
    const countBefore = await hubRead<bigint>("requestCount");
    const releasableBefore = await hubRead<bigint>("releasable", [proverAddress]);

    // N requests in one transaction, then one more: a batch of N, and a partial batch closed by the prover's wait
    const full = await ps.requestMany(Array.from({ length: BATCH }, nextInput), { fee: FEE, modelId });
    const partial = await ps.request(nextInput(), { fee: FEE, modelId });
    const ids = [...full.map((r) => r.requestId), partial.requestId];
    for (const id of ids) await ps.waitForStatus(id, [RequestStatus.Settled], 120_000);
    assert.equal(await hubRead<bigint>("requestCount"), countBefore + BigInt(ids.length), "no request appeared for a padded slot");

    // One submitBatchProof per batch, from the prover, each with N outputs (the padding's carried too)
    const proofs = (await events("ProofSubmitted")).filter((e) => ids.includes(e.args.requestId as bigint));
    assert.equal(proofs.length, ids.length, "one ProofSubmitted per request");
    const txs = [...new Set(proofs.map((e) => e.transactionHash))];
    assert.equal(txs.length, 2, "two batches, two transactions");
    const sizes: number[] = [];
    let proverReward = 0n;
    for (const hash of txs) {
      const tx = await ps.stack.client.getTransaction({ hash });
      assert.equal(tx.from.toLowerCase(), proverAddress.toLowerCase());
      const call = decodeFunctionData({ abi: inferenceHubAbi, data: tx.input });
      assert.equal(call.functionName, "submitBatchProof");
      const [callIds, , outputs] = call.args as unknown as [bigint[], bigint[][], bigint[][], Hex];
      assert.equal(outputs.length, BATCH, "every slot's output, padding included");
      sizes.push(callIds.length);
      const receipt = await ps.stack.client.getTransactionReceipt({ hash });
      const inTx = <N extends "ProofSubmitted" | "RequestSettled" | "BatchProofVerified" | "InferenceRequested">(name: N) =>
        receipt.logs.filter((l) => l.address.toLowerCase() === ps.hub.toLowerCase()).flatMap((l) => {
          try {
            const d = decodeEventLog({ abi: inferenceHubAbi, data: l.data, topics: l.topics });
            return d.eventName === name ? [d.args as Record<string, unknown>] : [];
          } catch {
            return [];
          }
        });
      const [verified, ...more] = inTx("BatchProofVerified");
      assert.equal(more.length, 0, "one verification per batch");
      assert.equal(verified.requests, BigInt(callIds.length));
      assert.equal(verified.modelId, modelId);
      assert.deepEqual(inTx("RequestSettled").map((e) => e.requestId), callIds, "only the batch's requests settle: a padded slot settles nothing");
      assert.deepEqual(inTx("ProofSubmitted").map((e) => e.requestId), callIds);
      assert.equal(inTx("InferenceRequested").length, 0);
      for (const [slot, id] of callIds.entries()) {
        // each request: its own slot's proven output, equal to the fast-path result; the fee split as for a single proof
        const [result] = await events("ResultSubmitted", id);
        const [proof] = await events("ProofSubmitted", id);
        const [settled] = await events("RequestSettled", id);
        assert.deepEqual(proof.args.output, outputs[slot]);
        assert.equal(valuesHash(outputs[slot]), result.args.outputHash, `request ${id}: the proven output is the fast result`);
        assert.equal(settled.args.outputHash, result.args.outputHash);
        const fee = (await events("InferenceRequested", id))[0].args.fee as bigint;
        assert.equal(settled.args.executorReward, (fee * 4000n) / 10000n);
        assert.equal(settled.args.proverReward, (fee * 5000n) / 10000n, "no verification nodes: their share goes to the prover");
        assert.equal(settled.args.protocolFee, (fee * 1000n) / 10000n);
        proverReward += settled.args.proverReward as bigint;
        assert.equal((await events("ExecutorMismatch", id)).length, 0);
      }
    }
    assert.deepEqual(sizes.sort((a, b) => a - b), [1, BATCH], "a full batch and a partial one");
    assert.equal(await hubRead<bigint>("releasable", [proverAddress]), releasableBefore + proverReward, "the prover is credited each request's share once");
    // the prover's own account: one line per request (logged after the hub settled it), two transactions
    const isSubmitted = (l: Record<string, unknown>) => /batch proof submitted/.test(String(l.msg)) && ids.map(String).includes(String(l.requestId));
    for (const id of ids) await prover.waitForLog((l) => isSubmitted(l) && l.requestId === String(id), 10_000);
    const submitted = prover.logs.filter(isSubmitted);
    assert.equal(submitted.length, ids.length);
    assert.deepEqual(new Set(submitted.map((l) => l.txHash)), new Set(txs), "the prover sent two transactions for the three requests");
  });
});
