/**
 * The proof path end to end, with real processes, a real Hardhat node, a real Redis and real EZKL proofs of the
 * iris-mlp demo model (ZKML_ATTESTED): request -> fast result -> proof -> attestations of verification nodes ->
 * settlement, plus the failure paths (a node offline, a tampered proof, a proof of another input, proof bytes
 * withheld, forged or served to one node only, a dishonest executor, a prover killed mid-proof), fast-path latency
 * under heavy proving, and batch proofs (a batch-2 version of iris-mlp, models/iris-mlp/bundle-b2: one proof committed
 * for two requests, one for a partial batch, each verified once per node and settled request by request).
 *
 * One stack for the whole file (start-up is the expensive part); the tests run in order and build on each other.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it, type TestContext } from "node:test";
import { decodeFunctionData, keccak256, toHex, type Address, type Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { batchCommitmentFromLogs } from "../../protocol/batchCommitment.js";
import { ensureBatchBundle } from "../../models/batchBundle.js";
import { until } from "../helpers/until.js";
import { createSignerClient } from "../../workers/chain/client.js";
import { TxSender } from "../../workers/chain/sender/txSender.js";
import { devKey } from "../../devnet/hardhatNode.js";
import { PROOF_KEYS, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import type { WorkerProcess } from "../../devnet/processes.js";
import { commitProofCall } from "../../workers/proofs/chain.js";
import { protocolErrorOf } from "../../workers/chain/protocolError.js";
import { fetchProof } from "../../protocol/proofStore.js";
import { valuesHash, fromField } from "../../protocol/instances.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { loadBundle } from "../../compiler/bundle.js";
import { genWitness, prove } from "../../compiler/engine/engine.js";
import { parseEngineProof, proofInstances, rawProofBytes } from "../../workers/proofs/proofJson.js";
import { NodeRole, RequestStatus } from "../../protocol/enums.js";
import { proofKey } from "../../protocol/attestation.js";
import { quantize } from "../../protocol/fixedPoint.js";

const FEE = 10n ** 15n;
const BACKENDS = ["engine", "ts", "both"] as const;
const MODEL = "iris-mlp";

let ps: ProofStack;
let prover: WorkerProcess;
let verifiers: WorkerProcess[] = [];
let bundleDir: string;
let batchDir: string;
const rows = exampleInputs(MODEL, 30).map((r) => quantize(r, 7));
let nextRow = 0;
const nextInput = () => rows[nextRow++ % rows.length];

const hubEvents = async (eventName: "InferenceRequested" | "ProofSubmitted" | "RequestSettled" | "ProofRejected" | "ExecutorMismatch" | "SlashCredited" | "VerifierRewardClaimed" | "ResultSubmitted", requestId?: bigint) => {
  const logs = await ps.stack.client.getContractEvents({ address: ps.hub, abi: inferenceHubAbi, eventName, fromBlock: ps.stack.deployment.deployBlock, strict: true });
  return (logs as unknown as { args: Record<string, unknown> & { requestId?: bigint }; transactionHash: Hex }[]).filter((l) => requestId === undefined || l.args.requestId === requestId);
};
/** ProofRejected events of the proofs of `requestId` with hash `proofHash` (the event names the proof's round key). */
const rejectionsOf = async (requestId: bigint, proofHash: Hex) => {
  const keys = new Set(
    (await hubEvents("ProofSubmitted", requestId)).filter((e) => e.args.proofHash === proofHash).map((e) => proofKey(requestId, proofHash, e.args.instancesHash as Hex)),
  );
  return (await hubEvents("ProofRejected", requestId)).filter((e) => keys.has(e.args.round as Hex));
};
/** Votes counted by the hub's AttestationQuorum (verifier, valid, tallies). */
const votes = async (requestId: bigint) => {
  const quorum = await ps.stack.client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName: "attestationQuorum" });
  const logs = await ps.stack.client.getContractEvents({ address: quorum, abi: attestationQuorumAbi, eventName: "AttestationRecorded", args: { requestId }, fromBlock: ps.stack.deployment.deployBlock, strict: true });
  return logs.map((l) => ({ verifier: l.args.verifier.toLowerCase(), valid: l.args.valid }));
};
/** A node's log line saying it skipped a proof it need not vote on (round closed, or never opened). */
const NOT_VOTING = /round (closed|never opened)|proof's round/;
const releasable = (a: Address) => ps.stack.client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName: "releasable", args: [a] }) as Promise<bigint>;
const record = (id: bigint) => ps.stack.client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName: "getRequest", args: [id] });
const logFor = (w: WorkerProcess, id: bigint, msg: RegExp) => w.logs.find((l) => l.requestId === id.toString() && msg.test(String(l.msg)));

/**
 * The outside prover's proof store: GET /proofs/<hash> answers what `serve` says for that hash and the n-th request
 * for it (bytes, or 404).
 */
async function outsideStore(serve: (hash: string, n: number) => Uint8Array | null) {
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const hash = /^\/proofs\/(0x[0-9a-f]{64})$/.exec(req.url ?? "")?.[1];
    const n = (counts.get(hash ?? "") ?? 0) + 1;
    counts.set(hash ?? "", n);
    const bytes = hash ? serve(hash, n) : null;
    if (!bytes) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "application/octet-stream" }).end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Proves `input` in this process (the test acting as an outside prover). */
function proveHere(input: readonly bigint[]) {
  const b = loadBundle(bundleDir, { requirePk: true });
  const w = genWitness(b.read("compiled"), input.map((v) => Number(v) / 128));
  const p = parseEngineProof(prove(w.bytes, b.read("pk")!, b.read("compiled"), b.read("srs")));
  const inst = proofInstances(p);
  return { proof: rawProofBytes(p), output: inst.slice(input.length).map(fromField) };
}

describe("proof path (ZKML_ATTESTED, real proofs)", { timeout: 900_000 }, () => {
  before(async () => {
    bundleDir = (await ensureDemoBundle(MODEL)).dir;
    batchDir = (await ensureBatchBundle(MODEL, 2, { logrows: "compiler" })).dir;
    ps = await startProofStack({ bundleDir, extraBundleDirs: [batchDir], verifierNodes: 3, proverNodes: 2, logLevel: "info" });
    [prover, ...verifiers] = await Promise.all([
      ps.start("prover", 0, { PROVER_THREADS: "1" }),
      // three independent nodes, one per verifier backend: the engine, the project's TS verifier, and both
      // (bytes an outside prover withholds: three fetch rounds, ~1.5 s, then an invalid vote)
      ...BACKENDS.map((backend, i) => ps.start("verifier-node", i, { VERIFIER_BACKEND: backend, VERIFIER_FETCH_ATTEMPTS: "3", VERIFIER_FETCH_BACKOFF_MS: "500" })),
    ]);
  });

  after(async () => {
    await ps?.stack.stop();
  });

  let firstProof: { requestId: bigint; proof: Hex; output: readonly bigint[]; input: readonly bigint[]; verifierReward: bigint };
  let baselineFastMs: number[] = [];

  it("settles a request: fast result, proof, quorum of verification nodes, fees paid out", async () => {
    const input = nextInput();
    const sent = await ps.request(input, { fee: FEE });
    const fast = await ps.waitForStatus(sent.requestId, [RequestStatus.Executed, RequestStatus.ProofSubmitted, RequestStatus.Settled], 30_000);
    baselineFastMs.push(fast.seenAt - sent.minedAt);
    await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 90_000);

    const [proofEv] = await hubEvents("ProofSubmitted", sent.requestId);
    assert.ok(proofEv, "a ProofSubmitted event");
    // only the commitment is on chain; the bytes come from the store the event names (the prover's), by hash
    const startedLine = prover.logs.find((l) => l.msg === "prover started") as { metricsPort: number };
    assert.equal(proofEv.args.proofStore, `http://127.0.0.1:${startedLine.metricsPort}`, "the prover's own store");
    const proof = toHex(await fetchProof([proofEv.args.proofStore as string], proofEv.args.proofHash as Hex));
    assert.equal((proofEv.args.prover as string).toLowerCase(), ps.address(ps.proverKeys[0]).toLowerCase());
    const atts = await votes(sent.requestId);
    const attesters = new Set(atts.map((a) => a.verifier));
    assert.ok(attesters.size >= 2, `a quorum of distinct verification nodes attested (${attesters.size})`);
    assert.ok(atts.every((a) => a.valid === true), "every recorded attestation says valid");
    // each node used its configured backend(s)
    for (const [i, v] of verifiers.entries()) {
      const line = await v.waitForLog((l) => l.requestId === sent.requestId.toString() && Array.isArray(l.checks), 30_000).catch(() => null);
      if (line) assert.deepEqual((line.checks as string[]).map((c) => c.split(":")[0]), BACKENDS[i] === "both" ? ["engine", "ts"] : [BACKENDS[i]]);
    }

    // The fee is what was paid above the callback budget (FEE, plus the headroom of the gas price quoted for it).
    const [requested] = await hubEvents("InferenceRequested", sent.requestId);
    const fee = requested.args.fee as bigint;
    assert.ok(fee >= FEE);
    const [settled] = await hubEvents("RequestSettled", sent.requestId);
    assert.equal(settled.args.executorReward, (fee * 4000n) / 10000n);
    assert.equal(settled.args.proverReward, (fee * 3000n) / 10000n);
    assert.equal(settled.args.verifierReward, (fee * 2000n) / 10000n);
    assert.equal(settled.args.protocolFee, fee - (fee * 4000n) / 10000n - (fee * 3000n) / 10000n - (fee * 2000n) / 10000n);
    // The proven output is what settles; here it agrees with the fast result within the model's tolerance.
    assert.equal(settled.args.outputHash, valuesHash(proofEv.args.output as readonly bigint[]), "the proven output settled");
    assert.equal((await hubEvents("ExecutorMismatch", sent.requestId)).length, 0, "no mismatch for an honest executor");
    assert.equal(await releasable(ps.address(ps.proverKeys[0])), (fee * 3000n) / 10000n, "prover's share is withdrawable");
    assert.equal(await releasable(ps.address(ps.stack.executorKeys[0])), (fee * 4000n) / 10000n, "executor's share is withdrawable");

    // Anyone can fetch the proof from the prover's HTTP endpoint, content-addressed.
    const started = prover.logs.find((l) => l.msg === "prover started") as { metricsPort: number };
    const res = await fetch(`http://127.0.0.1:${started.metricsPort}/proofs/${proofEv.args.proofHash}`);
    assert.equal(res.status, 200);
    const served = new Uint8Array(await res.arrayBuffer());
    assert.equal(keccak256(served), proofEv.args.proofHash);
    assert.equal(toHex(served), proof);
    assert.equal((await fetch(`http://127.0.0.1:${started.metricsPort}/proofs/0x${"ab".repeat(32)}`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${started.metricsPort}/proofs/not-a-hash`)).status, 400);
    firstProof = { requestId: sent.requestId, proof, output: proofEv.args.output as readonly bigint[], input, verifierReward: settled.args.verifierReward as bigint };
  });

  it("settles with one verification node offline (2 of 3 equal stakes reach the 66.66% quorum)", async () => {
    await verifiers[2].stop();
    const sent = await ps.request(nextInput(), { fee: FEE });
    await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 90_000);
    const attesters = new Set((await votes(sent.requestId)).map((a) => a.verifier));
    assert.deepEqual(attesters, new Set([ps.address(ps.verifierKeys[0]).toLowerCase(), ps.address(ps.verifierKeys[1]).toLowerCase()]));
    verifiers[2] = await ps.start("verifier-node", 2, { VERIFIER_BACKEND: BACKENDS[2] }, "verifier-node-2b");
    // Back online, the node resumes from its checkpoint: it catches up on the proof it missed (a late vote while the
    // round is open, which also shows it is not silent; nothing once it closed) and does not replay what it had
    // processed before going down.
    await verifiers[2].waitForLog((l) => l.requestId === sent.requestId.toString() && (NOT_VOTING.test(String(l.msg)) || l.msg === "attestation recorded"), 30_000);
    // (its claim of the first request's verifier reward, queued before it went down, is not a replay)
    const replayed = verifiers[2].logs.filter((l) => l.requestId === firstProof.requestId.toString() && l.msg !== "verifier reward claimed");
    assert.deepEqual(replayed, [], "no replay of proofs before the checkpoint");
  });

  /**
   * An outside prover (a staked prover key this test holds) commits `proofHash` for `requestId` in its own window
   * (the hub draws one prover per window) with its proof store at `storeUrl`, then waits for the quorum to reject it.
   */
  async function commitAndAwaitRejection(evil: TxSender, evilAddress: Address, c: { what: string; requestId: bigint; input: readonly bigint[]; output: readonly bigint[]; proofHash: Hex; storeUrl: string }) {
    for (;;) {
      await ps.waitForProverWindow(c.requestId, evilAddress);
      try {
        await evil.send({ call: commitProofCall(ps.hub, c.requestId, c.input, c.output, c.proofHash, c.storeUrl), label: "commitProof" });
        break;
      } catch (err) {
        // the window moved on between the check and the transaction (a busy machine): wait for the next one
        if (protocolErrorOf(err)?.errorName !== "InferenceHubNotAssigned") throw err;
      }
    }
    const deadline = Date.now() + 120_000;
    let rejected = await rejectionsOf(c.requestId, c.proofHash);
    while (!rejected.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      rejected = await rejectionsOf(c.requestId, c.proofHash);
    }
    assert.equal(rejected.length, 1, `${c.what}: ProofRejected`);
  }
  /** Each node's verdict line on `proofHash` for `requestId` (or its line saying it need not vote). */
  const verdictLines = (requestId: bigint, proofHash: Hex) =>
    Promise.all(verifiers.map((v) => v.waitForLog((l) => l.requestId === requestId.toString() && l.proofHash === proofHash && (l.valid !== undefined || NOT_VOTING.test(String(l.msg))), 30_000)));
  /**
   * Stops the honest prover while an outside prover acts; the returned function starts it again (as `name`), and so
   * does the end of the test if it failed first, so one failure does not leave the later tests without a prover.
   */
  async function stopProverFor(t: TestContext, name: string): Promise<() => Promise<void>> {
    await prover.stop();
    let back = false;
    const restart = async () => {
      if (back) return;
      back = true;
      prover = await ps.start("prover", 0, { PROVER_THREADS: "1" }, name);
    };
    t.after(restart);
    return restart;
  }
  const outsideProver = () => {
    const evilKey = devKey(PROOF_KEYS.provers[1]);
    const evil = new TxSender({ publicClient: ps.stack.client, walletClient: createSignerClient({ rpcUrl: ps.stack.node.url, chainId: ps.stack.node.chainId }, evilKey), pollIntervalMs: 20 });
    return { evil, evilAddress: ps.address(evilKey) };
  };

  it("rejects a tampered proof and a proof of another input at every honest node; neither settles; the honest proof then does", async (t) => {
    const restartProver = await stopProverFor(t, "prover-0b"); // the outside submissions below come first
    // Two requests of one input, one attack each, run side by side (each request has its own prover draw).
    const input = nextInput();
    const sent = await Promise.all([ps.request(input, { fee: FEE }), ps.request(input, { fee: FEE })]);
    await Promise.all(sent.map((s) => ps.waitForStatus(s.requestId, [RequestStatus.Executed], 30_000)));
    const { evil, evilAddress } = outsideProver();

    // (a) a real proof of this input, one byte flipped
    const honest = proveHere(input);
    const tampered = honest.proof.slice();
    tampered[700] ^= 0x01;
    // (b) a valid proof of another request's input (request 1), claimed for this one with that proof's output
    const foreign = { proof: Uint8Array.from(Buffer.from(firstProof.proof.slice(2), "hex")), output: firstProof.output };
    assert.notDeepEqual(firstProof.input, input);

    const served = new Map<string, Uint8Array>([[keccak256(tampered), tampered], [keccak256(foreign.proof), foreign.proof]]);
    const evilStore = await outsideStore((hash) => served.get(hash) ?? null);
    ps.stack.onCleanup(evilStore.close);
    const cases = [
      { what: "tampered", requestId: sent[0].requestId, proof: tampered, output: honest.output },
      { what: "another input", requestId: sent[1].requestId, proof: foreign.proof, output: foreign.output },
    ];
    await Promise.all(
      cases.map(async (c) => {
        const proofHash = keccak256(c.proof);
        await commitAndAwaitRejection(evil, evilAddress, { ...c, input, proofHash, storeUrl: evilStore.url });
        // the request went back to Executed, open for another proof; nobody attested valid
        assert.equal((await record(c.requestId)).status, RequestStatus.Executed, `${c.what}: not settled, open for another proof`);
        assert.equal((await votes(c.requestId)).filter((a) => a.valid === true).length, 0, `${c.what}: no node attested valid`);
        // Every honest node that looked at it said "invalid"; at least the two that decided the quorum did (the
        // third may find the quorum already decided and skip the work).
        const lines = await verdictLines(c.requestId, proofHash);
        for (const [i, line] of lines.entries()) assert.notEqual(line.valid, true, `${verifiers[i].name} must not say valid for the ${c.what} proof`);
        const invalid = lines.filter((l) => l.valid === false).length;
        assert.ok(invalid >= 2, `${c.what}: ${invalid} node(s) said invalid`);
      }),
    );
    const slashes = (await hubEvents("SlashCredited")).filter((s) => (s.args.node as string).toLowerCase() === evilAddress.toLowerCase());
    assert.equal(slashes.length, 2, "the submitting prover was slashed for each rejected proof");

    // the honest prover comes back, proves its queued jobs, and the proven output settles
    await restartProver();
    for (const s of sent) {
      await ps.waitForStatus(s.requestId, [RequestStatus.Settled], 90_000);
      const [settled] = await hubEvents("RequestSettled", s.requestId);
      assert.equal(settled.args.outputHash, valuesHash(honest.output));
    }
  });

  it("proof bytes withheld, forged or served to one node only: the nodes vote invalid, the committing prover pays, the honest proof then settles", async (t) => {
    const restartProver = await stopProverFor(t, "prover-0c"); // the outside commitments below come first
    // Three requests of one input, one attack each, side by side.
    const input = nextInput();
    const sent = await Promise.all([0, 1, 2].map(() => ps.request(input, { fee: FEE })));
    await Promise.all(sent.map((s) => ps.waitForStatus(s.requestId, [RequestStatus.Executed], 30_000)));
    const { evil, evilAddress } = outsideProver();
    // Valid proofs of this very input (proving is randomised: three different proofs): what is at stake here is
    // only whether the nodes get the bytes.
    const proofs = [proveHere(input), proveHere(input), proveHere(input)];
    assert.equal(new Set(proofs.map((p) => keccak256(p.proof))).size, 3);
    const [withheld, forged, selective] = proofs.map((p) => keccak256(p.proof));
    const other = proofs[0].proof.slice();
    other[700] ^= 0x01;
    const evilStore = await outsideStore((hash, n) => {
      if (hash === forged) return other; // bytes of another hash under this one
      if (hash === selective && n === 1) return proofs[2].proof; // the first node that asks, nobody else
      return null; // withheld
    });
    ps.stack.onCleanup(evilStore.close);
    // (proving above held this process's event loop for a while: the first read may meet a dropped keep-alive socket)
    const slashEvents = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await hubEvents("SlashCredited");
        } catch (err) {
          if (attempt >= 3) throw err;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    };
    const slashesBefore = (await slashEvents()).filter((s) => (s.args.node as string).toLowerCase() === evilAddress.toLowerCase()).length;
    const cases = [
      { what: "withheld", requestId: sent[0].requestId, proofHash: withheld, output: proofs[0].output },
      { what: "forged", requestId: sent[1].requestId, proofHash: forged, output: proofs[1].output },
      { what: "served to one node", requestId: sent[2].requestId, proofHash: selective, output: proofs[2].output },
    ];
    await Promise.all(
      cases.map(async (c) => {
        await commitAndAwaitRejection(evil, evilAddress, { ...c, input, storeUrl: evilStore.url });
        // each node that could not fetch matching bytes said why and voted invalid
        const unavailable = (await verdictLines(c.requestId, c.proofHash)).filter((l) => l.valid === false && l.unavailable).length;
        assert.ok(unavailable >= (c.what === "served to one node" ? 1 : 2), `${c.what}: ${unavailable} node(s) found the bytes unavailable`);
      }),
    );
    const slashes = (await hubEvents("SlashCredited")).filter((s) => (s.args.node as string).toLowerCase() === evilAddress.toLowerCase());
    assert.equal(slashes.length - slashesBefore, 3, "the committing prover was slashed each time");
    const executorSlashes = (await hubEvents("SlashCredited")).filter((s) => (s.args.node as string).toLowerCase() === ps.address(ps.stack.executorKeys[0]).toLowerCase());
    assert.equal(executorSlashes.length, 0, "the executor never paid for the prover's bytes");

    await restartProver();
    await Promise.all(sent.map((s) => ps.waitForStatus(s.requestId, [RequestStatus.Settled], 90_000)));
  });

  it("catches a dishonest executor with the proof: it is slashed and the proven output settles", async () => {
    const honestExecutor = ps.stack.workers.find((w) => w.name === "executor-0")!;
    await honestExecutor.stop();
    const dishonest = ps.stack.startWorker("executor", "executor-dishonest", { EXECUTOR_FAULT_OUTPUT_OFFSET: "50" });
    await dishonest.waitForLog((l) => /started$/.test(String(l.msg)), 60_000);
    try {
      const sent = await ps.request(nextInput(), { fee: FEE });
      await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 90_000);
      const [result] = await hubEvents("ResultSubmitted", sent.requestId);
      const [proofEv] = await hubEvents("ProofSubmitted", sent.requestId);
      const fastOut = result.args.output as readonly bigint[];
      const proven = proofEv.args.output as readonly bigint[];
      assert.ok(fastOut[0] - proven[0] > ps.tolerance, "the fast result is off by more than the tolerance");
      const [mismatch] = await hubEvents("ExecutorMismatch", sent.requestId);
      assert.ok(mismatch, "ExecutorMismatch emitted");
      const [settled] = await hubEvents("RequestSettled", sent.requestId);
      assert.equal(settled.args.outputHash, valuesHash(proven), "the proven output settled");
      const slashed = (await hubEvents("SlashCredited")).filter((s) => (s.args.node as string).toLowerCase() === ps.address(ps.stack.executorKeys[0]).toLowerCase());
      assert.equal(slashed.length, 1, "the executor was slashed once");
      assert.ok(logFor(prover, sent.requestId, /differs from the proof beyond tolerance/), "the prover reported the difference");
    } finally {
      await dishonest.stop();
      await ps.stack.startWorker("executor", "executor-0b").waitForLog((l) => /started$/.test(String(l.msg)), 60_000);
    }
  });

  it("retries the job of a prover killed mid-proof; exactly one proof lands", async () => {
    await prover.stop();
    const fragile = await ps.start("prover", 0, { PROVER_LOCK_DURATION_MS: "3000", PROVER_STALLED_INTERVAL_MS: "1000" }, "prover-fragile");
    const sent = await ps.request(nextInput(), { fee: FEE });
    await fragile.waitForLog((l) => l.requestId === sent.requestId.toString() && l.msg === "proving", 30_000);
    fragile.kill("SIGKILL");
    await fragile.exited;
    assert.equal((await record(sent.requestId)).status, RequestStatus.Executed, "no proof yet when the prover died");
    prover = await ps.start("prover", 1, { PROVER_THREADS: "2", PROVER_LOCK_DURATION_MS: "3000", PROVER_STALLED_INTERVAL_MS: "1000" }, "prover-1");
    await ps.waitForStatus(sent.requestId, [RequestStatus.Settled], 90_000);
    assert.equal((await hubEvents("ProofSubmitted", sent.requestId)).length, 1, "exactly one ProofSubmitted");
    assert.ok(logFor(prover, sent.requestId, /proof submitted/), "the second prover submitted it");
  });

  it("keeps fast-path latency while proofs are being generated", async () => {
    // Baseline: two more requests, one at a time, with the provers idle.
    for (let i = 0; i < 2; i++) {
      const s = await ps.request(nextInput(), { fee: FEE });
      const f = await ps.waitForStatus(s.requestId, [RequestStatus.Executed, RequestStatus.ProofSubmitted, RequestStatus.Settled], 30_000);
      baselineFastMs.push(f.seenAt - s.minedAt);
      await ps.waitForStatus(s.requestId, [RequestStatus.Settled], 90_000);
    }
    // Heavy proving: a burst whose proofs keep both prover threads busy for a while.
    const burst = await Promise.all(Array.from({ length: 4 }, () => ps.request(nextInput(), { fee: FEE })));
    await prover.waitForLog((l) => l.msg === "proving" && burst.some((b) => l.requestId === b.requestId.toString()), 30_000);
    const during: number[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await ps.request(nextInput(), { fee: FEE });
      const f = await ps.waitForStatus(s.requestId, [RequestStatus.Executed, RequestStatus.ProofSubmitted, RequestStatus.Settled], 30_000);
      during.push(f.seenAt - s.minedAt);
    }
    const burstProvenWhileProbing = prover.logs.filter((l) => l.msg === "proof submitted" && burst.some((b) => l.requestId === b.requestId.toString())).length;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const base = median(baselineFastMs);
    const loaded = median(during);
    console.log(`fast-path latency: idle median ${base} ms (${baselineFastMs.join(", ")}), while proving median ${loaded} ms (${during.join(", ")})`);
    assert.ok(loaded <= Math.max(3 * base, base + 1500), `fast path slowed by proving: ${loaded} ms vs ${base} ms idle`);
    assert.ok(burstProvenWhileProbing < burst.length, `the probes ran while the burst was still being proven (${burstProvenWhileProbing} of ${burst.length} done)`);
    // (not waiting for these eight to settle: the tests above check settlement; the wait cost ~30 s of the suite)
  });

  // Last, so the first request's attestation window (30 s of chain time) has long closed: nothing waits for it.
  it("pays the verifier pool of the first request to the nodes whose valid votes counted, once its window is over", async () => {
    // A node claims its share when the round's window is over (a late vote in the window shares it too; the node
    // restarted above claims from its queue): the claims add up to the pool exactly.
    const deadline = Date.now() + 60_000;
    const voters = async () => new Set((await votes(firstProof.requestId)).filter((v) => v.valid).map((v) => v.verifier));
    let claims = await hubEvents("VerifierRewardClaimed", firstProof.requestId);
    let valid = await voters();
    while (claims.length < valid.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      claims = await hubEvents("VerifierRewardClaimed", firstProof.requestId);
      valid = await voters();
    }
    assert.ok(valid.size >= 2);
    assert.equal(claims.length, valid.size, "each node that voted valid claimed");
    assert.deepEqual(new Set(claims.map((c) => (c.args.verifier as string).toLowerCase())), valid, "the claimants are the valid voters");
    assert.equal(claims.reduce((s, c) => s + (c.args.amount as bigint), 0n), firstProof.verifierReward);
  });

  it("batch proofs: one proof committed for a batch of two and one for a partial batch; each node rebuilds, verifies and votes once per batch; every request settles on its own", async () => {
    // Every window is the running prover's (prover-1) from here on: prover-0, killed above, leaves the draw.
    const gone = createSignerClient({ rpcUrl: ps.stack.node.url, chainId: ps.stack.node.chainId, pollingIntervalMs: 20 }, ps.proverKeys[0]);
    const stake = await ps.stack.client.readContract({ address: ps.stack.deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "stakeOf", args: [gone.account.address, NodeRole.Prover] });
    await ps.stack.client.waitForTransactionReceipt({
      hash: await gone.writeContract({ address: ps.stack.deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "beginUnbonding", args: [NodeRole.Prover, stake] }),
      pollingInterval: 20,
    });
    const modelId = await ps.registerModel({ mode: "ZKML_ATTESTED", bundleDir: batchDir });
    const full = await ps.requestMany([nextInput(), nextInput()], { fee: FEE, modelId });
    const partial = await ps.request(nextInput(), { fee: FEE, modelId });
    const ids = [...full.map((r) => r.requestId), partial.requestId];
    for (const id of ids) await ps.waitForStatus(id, [RequestStatus.Settled], 180_000);

    const proofs = (await hubEvents("ProofSubmitted")).filter((e) => ids.includes(e.args.requestId!));
    assert.equal(proofs.length, ids.length, "one commitment per request, none rejected");
    const txs = [...new Set(proofs.map((e) => e.transactionHash))];
    assert.equal(txs.length, 2, "two batches, two transactions");
    const sizes: number[] = [];
    const proofHashes = new Set<string>();
    for (const hash of txs) {
      const tx = await ps.stack.client.getTransaction({ hash });
      assert.equal(tx.from.toLowerCase(), ps.address(ps.proverKeys[1]).toLowerCase());
      const call = decodeFunctionData({ abi: inferenceHubAbi, data: tx.input });
      assert.equal(call.functionName, "commitBatchProof");
      const [callIds, , outputs, proofHash] = call.args as unknown as [bigint[], bigint[][], bigint[][], Hex, string];
      sizes.push(callIds.length);
      proofHashes.add(proofHash);
      // what each verification node rebuilt: the requests in slot order, every slot's output (padding's included)
      const receipt = await ps.stack.client.getTransactionReceipt({ hash });
      const inTx = proofs.filter((e) => e.transactionHash === hash);
      const batch = batchCommitmentFromLogs(receipt.logs, ps.hub, proofHash, inTx[0].args.instancesHash as Hex, callIds.at(-1)!);
      assert.ok(batch);
      assert.deepEqual(batch.requestIds, callIds);
      assert.deepEqual(batch.outputs, outputs);
      for (const id of callIds) {
        const [result] = await hubEvents("ResultSubmitted", id);
        const [settled] = await hubEvents("RequestSettled", id);
        assert.equal(settled.args.outputHash, result.args.outputHash, `request ${id}: the proven output is the fast result`);
      }
      // one round for the batch, keyed by its first request: each node voted once on it, never per request
      const ballots = await votes(callIds[0]);
      assert.ok(ballots.filter((v) => v.valid).length >= 2, `batch ${callIds.join(",")}: a quorum of valid votes`);
      assert.equal(new Set(ballots.map((v) => v.verifier)).size, ballots.length, "one vote per node");
      for (const id of callIds.slice(1)) assert.equal((await votes(id)).length, 0, `request ${id}: no round of its own`);
    }
    assert.deepEqual(sizes.sort(), [1, 2], "a full batch and a partial one");
    // each node verified each batch proof once, not once per request
    const rebuilt = (node: WorkerProcess) => node.logs.filter((l) => /instances rebuilt from its commitment/.test(String(l.msg)) && proofHashes.has(String(l.proofHash))).length;
    const voted = (node: WorkerProcess) => node.logs.filter((l) => l.msg === "attestation recorded" && ids.map(String).includes(String(l.requestId))).length;
    for (const node of verifiers) {
      await until(async () => voted(node) === ids.length, `${node.name} voted on every request`);
      assert.equal(rebuilt(node), 2, `${node.name}: one verification per batch, not per request`);
    }
  });
});
