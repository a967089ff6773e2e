/**
 * The proof path with PROVER_BACKEND=native, end to end (real processes, Hardhat node, Redis, proofs of iris-mlp):
 * requests settle with native proofs exactly as with WASM ones — attested by verification nodes running the WASM
 * engine and the TypeScript verifier, or verified on chain by the project's Halo2 verifier — and a native EZKL
 * process killed mid-proof is replaced, its job retried, and exactly one proof lands on chain (a prover configured
 * for native EZKL without it refusing to start is in native.test.ts). Skips (with the install command) where the
 * `ezkl` Python package is not installed; fails instead under TWINPATH_REQUIRE_NATIVE=1 (CI).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keccak256, type Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi } from "../../protocol/abi/generated.js";
import { RequestStatus } from "../../protocol/enums.js";
import { quantize } from "../../protocol/fixedPoint.js";
import { valuesHash } from "../../protocol/instances.js";
import { deployBundleVerifier, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import type { WorkerProcess } from "../../devnet/processes.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { NATIVE_PYTHON, nativeSkipReason } from "../helpers/native.js";
import { fetchProof } from "../../protocol/proofStore.js";

const skip = await nativeSkipReason();
const FEE = 10n ** 15n;
const MODEL = "iris-mlp";
const NATIVE = { PROVER_BACKEND: "native", PROVER_PYTHON: NATIVE_PYTHON, PROVER_THREADS: "1" };
const rows = exampleInputs(MODEL, 30).map((r) => quantize(r, 7));
let nextRow = 5;
const nextInput = () => rows[nextRow++ % rows.length];

type EventName = "InferenceRequested" | "ProofSubmitted" | "RequestSettled";
async function events(ps: ProofStack, eventName: EventName, requestId: bigint) {
  const logs = await ps.stack.client.getContractEvents({ address: ps.hub, abi: inferenceHubAbi, eventName, fromBlock: ps.stack.deployment.deployBlock, strict: true });
  return (logs as unknown as { args: Record<string, unknown> & { requestId?: bigint } }[]).filter((l) => l.args.requestId === requestId);
}
/** Votes counted by the hub's AttestationQuorum. */
async function votes(ps: ProofStack, requestId: bigint) {
  const quorum = await ps.stack.client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName: "attestationQuorum" });
  const logs = await ps.stack.client.getContractEvents({ address: quorum, abi: attestationQuorumAbi, eventName: "AttestationRecorded", args: { requestId }, fromBlock: ps.stack.deployment.deployBlock, strict: true });
  return logs.map((l) => ({ verifier: l.args.verifier.toLowerCase(), valid: l.args.valid }));
}
const logFor = (w: WorkerProcess, id: bigint, msg: RegExp) => w.logs.filter((l) => l.requestId === id.toString() && msg.test(String(l.msg)));

// One stack (start-up is the expensive part): the bundle registered ZKML_ATTESTED (the stack's model) and again
// ZKML_ONCHAIN with its on-chain verifier.
describe("native prover end to end: ZKML_ATTESTED, ZKML_ONCHAIN, and a native process killed mid-proof", { skip, timeout: 420_000 }, () => {
  let ps: ProofStack;
  let prover: WorkerProcess;
  let onchainModel: bigint;

  before(async () => {
    const bundleDir = (await ensureDemoBundle(MODEL)).dir;
    ps = await startProofStack({ bundleDir, verifierNodes: 2, proverNodes: 1, logLevel: "info" });
    const registerOnchain = async () => {
      const verifier = await deployBundleVerifier(ps.stack.node.url, ps.stack.node.chainId, bundleDir);
      onchainModel = await ps.registerModel({ mode: "ZKML_ONCHAIN", verifier });
    };
    [prover] = await Promise.all([
      ps.start("prover", 0, NATIVE),
      ps.start("verifier-node", 0, { VERIFIER_BACKEND: "engine" }),
      ps.start("verifier-node", 1, { VERIFIER_BACKEND: "ts" }),
      registerOnchain(),
    ]);
  });
  after(async () => {
    await ps?.stack.stop();
  });

  it("settles requests with native proofs; nodes verifying with the WASM engine and the TS verifier attest them valid", async () => {
    const started = prover.logs.find((l) => l.msg === "prover started")!;
    assert.equal(started.backend, "native");
    assert.match(String(started.engine), /ezkl==21\.0\.0/);
    const sent = await Promise.all([ps.request(nextInput(), { fee: FEE }), ps.request(nextInput(), { fee: FEE })]);
    for (const s of sent) {
      await ps.waitForStatus(s.requestId, [RequestStatus.Settled], 120_000);
      const [proof] = await events(ps, "ProofSubmitted", s.requestId);
      // ZKML_ATTESTED: the hub holds the hash; the bytes come from the prover's store, hash-checked
      const bytes = await fetchProof([proof.args.proofStore as string], proof.args.proofHash as Hex);
      assert.equal(keccak256(bytes), proof.args.proofHash);
      const atts = await votes(ps, s.requestId);
      assert.equal(new Set(atts.map((a) => a.verifier)).size, 2, "both verification nodes attested");
      assert.ok(atts.every((a) => a.valid === true), "engine and TS verifier both accept the native proof");
      const [settled] = await events(ps, "RequestSettled", s.requestId);
      assert.equal(settled.args.outputHash, valuesHash(proof.args.output as bigint[]));
      assert.ok(logFor(prover, s.requestId, /^proving$/).every((l) => l.backend === "native"));
    }
  });

  it("ZKML_ONCHAIN: the hub's on-chain Halo2 verifier accepts the native proof and settles in the prover's transaction", async () => {
    const sent = await ps.request(nextInput(), { fee: FEE, modelId: onchainModel });
    await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 90_000);
    const [proof] = await events(ps, "ProofSubmitted", sent.requestId);
    assert.equal(proof.args.proofStore, "", "the hub verified the bytes itself: no store to fetch them from");
    const [settled] = await events(ps, "RequestSettled", sent.requestId);
    assert.equal(settled.args.outputHash, valuesHash(proof.args.output as bigint[]));
    assert.equal(settled.args.verifierReward, 0n);
    // the fee: what was paid above the callback budget (FEE plus the headroom of the quoted gas price)
    const fee = (await events(ps, "InferenceRequested", sent.requestId))[0].args.fee as bigint;
    assert.ok(fee >= FEE);
    assert.equal(settled.args.proverReward, (fee * 5000n) / 10000n, "no verifier pool in ZKML_ONCHAIN: its share goes to the prover");
    assert.ok(logFor(prover, sent.requestId, /^proving$/).every((l) => l.backend === "native"));
    // (the request can be seen settled before the prover has logged its own receipt)
    await prover.waitForLog((l) => l.requestId === sent.requestId.toString() && /proof submitted/.test(String(l.msg)), 30_000);
    assert.equal(logFor(prover, sent.requestId, /proof submitted/).length, 1);
  });

  it("a native EZKL process killed mid-proof: the attempt fails, the process is replaced, the job retries, one proof lands", async () => {
    await prover.stop();
    // Each native process pauses 3 s inside every proof: the window in which the test kills it.
    prover = await ps.start("prover", 0, { ...NATIVE, PROVER_FAULT_NATIVE_PAUSE_MS: "3000", PROVER_BACKOFF_MS: "500" }, "prover-native-fragile");
    const [pid] = prover.logs.find((l) => l.msg === "prover started")!.pids as number[];
    const sent = await ps.request(nextInput(), { fee: FEE });
    await prover.waitForLog((l) => l.requestId === sent.requestId.toString() && l.msg === "proving", 60_000);
    await new Promise((r) => setTimeout(r, 500));
    process.kill(pid, "SIGKILL");

    await prover.waitForLog((l) => l.msg === "native EZKL process died; starting another" && l.pid === pid, 30_000);
    await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 120_000);
    assert.equal((await events(ps, "ProofSubmitted", sent.requestId)).length, 1, "exactly one ProofSubmitted");
    const failed = logFor(prover, sent.requestId, /prove failed; will retry/);
    assert.equal(failed.length, 1, "the attempt whose process died failed and was retried");
    assert.match(String(failed[0].err), /SIGKILL/);
    const submitted = logFor(prover, sent.requestId, /proof submitted/);
    assert.equal(submitted.length, 1);
    assert.equal(submitted[0].attempt, 2, "the retry proved it");
    assert.ok(prover.logs.every((l) => l.msg !== "prover failed to start"), "the prover process itself kept running");
  });
});
