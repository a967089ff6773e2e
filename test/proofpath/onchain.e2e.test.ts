/**
 * The proof path with on-chain verification (the project's Halo2 verifier from halo2/solidity, deployed for the
 * iris-mlp bundle): ZKML_ONCHAIN settles in the prover's own transaction, bad proofs are refused by the hub, and an
 * OPTIMISTIC result is challenged with a real proof when the executor lied, or settles unchallenged after its
 * window when it did not. Real processes, chain, Redis and proofs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Address } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { createSignerClient } from "../../workers/chain/client.js";
import { TxSender } from "../../workers/chain/sender/txSender.js";
import { TxRejectedError } from "../../workers/shared/errors.js";
import { devKey } from "../../devnet/hardhatNode.js";
import { PROOF_KEYS, deployBundleVerifier, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import type { WorkerProcess } from "../../devnet/processes.js";
import { submitProofCall } from "../../workers/proofs/chain.js";
import { fromField, valuesHash } from "../../protocol/instances.js";
import { parseEngineProof, proofInstances, rawProofBytes } from "../../workers/proofs/proofJson.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { loadBundle } from "../../compiler/bundle.js";
import { genWitness, prove } from "../../compiler/engine/engine.js";
import { RequestStatus } from "../../protocol/enums.js";
import { quantize } from "../../protocol/fixedPoint.js";

const FEE = 10n ** 15n;
let ps: ProofStack;
let prover: WorkerProcess;
let bundleDir: string;
let adapter: Address;
const rows = exampleInputs("iris-mlp", 30).map((r) => quantize(r, 7));
let nextRow = 3;
const nextInput = () => rows[nextRow++ % rows.length];

const events = async (eventName: "InferenceRequested" | "ProofSubmitted" | "RequestSettled" | "ExecutorMismatch" | "SlashCredited" | "Challenged" | "ResultSubmitted", requestId: bigint) => {
  const logs = await ps.stack.client.getContractEvents({ address: ps.hub, abi: inferenceHubAbi, eventName, fromBlock: ps.stack.deployment.deployBlock, strict: true });
  return (logs as unknown as { args: Record<string, unknown> }[]).filter((l) => !("requestId" in l.args) || l.args.requestId === requestId);
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
    ps = await startProofStack({
      bundleDir,
      mode: "ZKML_ONCHAIN",
      verifier: async (rpcUrl, chainId) => (adapter = await deployBundleVerifier(rpcUrl, chainId, bundleDir)),
      verifierNodes: 0,
      proverNodes: 2,
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
});
