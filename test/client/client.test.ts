/**
 * The client library against a real local stack (Hardhat node, Redis, workers as processes, real EZKL proofs of
 * iris-mlp, ZKML_ATTESTED with three verification nodes): read models and nodes, send a request, follow it to
 * Settled, decode its answer, verify it offline in Node and in headless Chromium (the browser entry bundled by
 * esbuild), and refuse what does not match (another bundle, a changed file, another circuit, an unmet quorum,
 * unknown or unsettled requests, bad tensors).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devKey } from "../../devnet/hardhatNode.js";
import { deployBundleVerifier, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import { ensureDemoBundle, demoDataset } from "../../models/index.js";
import { ensureBatchBundle } from "../../models/batchBundle.js";
import { quantize } from "../../protocol/fixedPoint.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { RequestStatus } from "../../protocol/enums.js";
import { buildInstances } from "../../protocol/instances.js";
import { fetchProof } from "../../protocol/proofStore.js";
import {
  checkProof,
  createTwinpathClient,
  deriveCircuit,
  directoryBundle,
  encodeTensor,
  loadRegisteredBundle,
  memoryBundle,
  RequestNotFoundError,
  TensorError,
  type RegisteredBundle,
  type RequestEvent,
  type TwinpathClient,
} from "../../client/node.js";
import type { CircuitDescription } from "../../halo2/circuit/types.js";
import { bundleForBrowser, launchChromium, SKIP_CHROMIUM } from "../helpers/chromium.js";
import type { BrowserRun } from "./browser/entry.js";

const MODEL = "iris-mlp";
const { classes: LABELS, test: ROWS } = demoDataset(MODEL);

let ps: ProofStack;
let tp: TwinpathClient;
let bundleDir: string;
let batchDir: string;
let registered: RegisteredBundle;
let circuit: CircuitDescription;
let settledId: bigint;
let events: RequestEvent[] = [];

describe("client library against a local stack (ZKML_ATTESTED, real proofs)", { timeout: 240_000 }, () => {
  before(async () => {
    bundleDir = (await ensureDemoBundle(MODEL)).dir;
    batchDir = (await ensureBatchBundle(MODEL, 2, { logrows: "compiler" })).dir;
    ps = await startProofStack({ bundleDir, extraBundleDirs: [batchDir], verifierNodes: 3, proverNodes: 1 });
    // three verifiers staked, two running: every round is decided by exactly two of three equal stakes (a third
    // node's vote could otherwise land before the settlement and make it unanimous)
    await Promise.all([ps.start("prover", 0, { PROVER_THREADS: "1" }), ...[0, 1].map((i) => ps.start("verifier-node", i, { VERIFIER_BACKEND: "engine" }))]);
    const s = ps.stack;
    const transport = http(s.node.url);
    tp = createTwinpathClient({
      publicClient: createPublicClient({ transport, pollingInterval: 100 }),
      walletClient: createWalletClient({ account: privateKeyToAccount(devKey(14)), transport }),
      addresses: { hub: s.deployment.inferenceHub, modelRegistry: s.deployment.modelRegistry, nodeRegistry: s.deployment.nodeRegistry },
      fromBlock: s.deployment.deployBlock,
    });
  });

  after(async () => {
    await ps?.stack.stop();
  });

  it("reads the registered model and the staked nodes", async () => {
    const models = await tp.listModels();
    assert.equal(models.length, 1);
    const [m] = models;
    assert.equal(m.modeName, "ZKML_ATTESTED");
    assert.deepEqual(m.input, { shape: [1, 4], scale: 7 });
    assert.equal(m.output.shape.join(","), "1,3");
    assert.equal(m.hashes.manifestHash, (await ensureDemoBundle(MODEL)).manifestHash);
    const { nodes, roles } = await tp.getNodes();
    const count = (role: string) => nodes.filter((n) => n.roleName === role && n.eligible && n.stake > 0n).length;
    assert.deepEqual([count("Executor"), count("Prover"), count("Verifier")], [1, 1, 3]);
    assert.equal(roles.Verifier.eligibleCount, 3n);
    assert.equal(roles.Verifier.totalEligibleStake, nodes.filter((n) => n.roleName === "Verifier").reduce((s, n) => s + n.stake, 0n));
    assert.ok(nodes.every((n) => n.slashed === 0n && n.slashes.length === 0));
  });

  it("sends a request and follows it: requested -> result -> proof -> attestations -> settled, with times and tx hashes", async () => {
    const row = ROWS[0];
    const sent = await tp.requestInference({ modelId: 1n, input: row.x });
    assert.equal(sent.event.args.input.join(","), encodeTensor({ shape: [1, 4], scale: 7 }, row.x).join(","));
    settledId = sent.requestId;
    for await (const e of tp.watchRequest(sent.requestId, { fromBlock: sent.blockNumber, pollingInterval: 100, timeoutMs: 120_000 })) events.push(e);
    const names = events.map((e) => e.eventName);
    assert.equal(names[0], "InferenceRequested");
    assert.ok(names.indexOf("ResultSubmitted") > 0, names.join(","));
    assert.ok(names.indexOf("ProofSubmitted") > names.indexOf("ResultSubmitted"), names.join(","));
    assert.ok(names.filter((n) => n === "AttestationRecorded").length >= 2, names.join(","));
    assert.equal(names.filter((n) => n === "RequestSettled").length, 1);
    for (const e of events) {
      assert.match(e.transactionHash, /^0x[0-9a-f]{64}$/);
      assert.equal(typeof e.timestamp, "number");
    }
    for (let i = 1; i < events.length; i++) assert.ok(events[i].timestamp! >= events[i - 1].timestamp!, "block times never go back");

    const t = await tp.getRequestTimeline(sent.requestId);
    assert.equal(t.status, RequestStatus.Settled);
    assert.equal(t.statusName, "Settled");
    // the timeline holds what the watcher saw, then what came after settlement (e.g. a late vote in the round)
    assert.deepEqual(t.events.map((e) => e.eventName).slice(0, names.length), names);
    assert.ok(t.events.slice(names.length).every((e) => e.blockNumber > events.at(-1)!.blockNumber), "the watcher stops at the settlement's block");
    assert.ok(t.result && t.proof && t.settled && t.attestations.length >= 2);
    assert.deepEqual(t.settled.output, t.proof.output, "ZKML modes settle the proven output");
    assert.ok(t.fastSeconds! >= 0 && t.finalSeconds! >= t.fastSeconds!);
    const answer = await tp.decodeOutput(1n, t.settled.output!, { labels: LABELS });
    assert.equal(answer.label, LABELS[row.y], `row 0 is a ${LABELS[row.y]}`);
    assert.equal(answer.values.length, 3);
  });

  it("verifies the settled result offline in Node: model binding, circuit, instances, proof, attestations", async () => {
    const model = await tp.getModel(1n);
    const loaded = await loadRegisteredBundle(directoryBundle(bundleDir), model);
    assert.equal(loaded.check.status, "pass", loaded.check.detail);
    registered = loaded.bundle!;
    circuit = await deriveCircuit(registered);
    const report = await tp.verifySettledResult(settledId, { bundle: directoryBundle(bundleDir), circuit, labels: LABELS });
    assert.ok(report.ok, JSON.stringify(report.checks, null, 1));
    assert.deepEqual(report.checks.map((c) => [c.name, c.status]), [["status", "pass"], ["bundle", "pass"], ["circuit", "pass"], ["instances", "pass"], ["proof", "pass"], ["attestations", "pass"]]);
    assert.equal(report.output?.label, LABELS[ROWS[0].y]);
    assert.equal(report.modeName, "ZKML_ATTESTED");
  });

  it("verifies a ZKML_ONCHAIN settlement, whose proof is only in the prover's calldata", async () => {
    const s = ps.stack;
    const verifier = await deployBundleVerifier(s.node.url, s.node.chainId, bundleDir);
    const modelId = await ps.registerModel({ mode: "ZKML_ONCHAIN", verifier });
    const row = ROWS[2];
    const sent = await tp.requestInference({ modelId, input: row.x });
    const seen: RequestEvent[] = [];
    for await (const e of tp.watchRequest(sent.requestId, { fromBlock: sent.blockNumber, pollingInterval: 100, timeoutMs: 120_000 })) seen.push(e);
    const proofEvent = seen.find((e) => e.eventName === "ProofSubmitted");
    assert.ok(proofEvent?.eventName === "ProofSubmitted" && proofEvent.args.proofStore === "", "on-chain verification names no proof store in the event");
    assert.equal(seen.at(-1)?.eventName === "RequestSettled" || seen.some((e) => e.eventName === "RequestSettled"), true);
    const report = await tp.verifySettledResult(sent.requestId, { bundle: directoryBundle(bundleDir), circuit, labels: LABELS });
    assert.ok(report.ok, JSON.stringify(report.checks, null, 1));
    assert.equal(report.modeName, "ZKML_ONCHAIN");
    assert.deepEqual(report.checks.map((c) => c.name), ["status", "bundle", "circuit", "instances", "proof"], "no attestations in this mode");
    assert.equal(report.output?.label, LABELS[row.y]);
  });

  it("refuses what does not match: another model's bundle, a changed file, another circuit, a quorum not met, a bad proof", async () => {
    // another model's (committed) bundle: its manifest is not the registered one
    const other = await tp.verifySettledResult(settledId, { bundle: directoryBundle(join(REPO_ROOT, "models", "iris-deep", "bundle")), circuit });
    assert.equal(other.ok, false);
    assert.match(other.checks.find((c) => c.name === "bundle")!.detail, /manifestHash registry 0x[0-9a-f]+, bundle 0x/);

    // the registered manifest, but a verifying key changed by one byte
    const files: Record<string, Uint8Array> = {};
    for (const name of ["manifest.json", "vk.key", "kzg.srs", "settings.json", "model.compiled", "model.onnx"]) files[name] = new Uint8Array(await directoryBundle(bundleDir).read(name));
    files["vk.key"][100] ^= 1;
    const changed = await tp.verifySettledResult(settledId, { bundle: memoryBundle(files), circuit });
    assert.equal(changed.ok, false);
    assert.match(changed.checks.find((c) => c.name === "bundle")!.detail, /vk\.key: keccak256 0x[0-9a-f]+, the manifest says/);

    // a circuit description whose commitments are not the registered verifying key's
    const swapped: CircuitDescription = { ...circuit, fixedCommitments: [circuit.permutationCommitments[0], ...circuit.fixedCommitments.slice(1)] };
    const wrongCircuit = await tp.verifySettledResult(settledId, { bundle: directoryBundle(bundleDir), circuit: swapped });
    assert.equal(wrongCircuit.ok, false);
    assert.match(wrongCircuit.checks.find((c) => c.name === "circuit")!.detail, /fixed commitments differ between the VK and the description/);
    assert.equal(wrongCircuit.checks.find((c) => c.name === "proof")!.status, "fail");

    // two of three equal stakes settled it: a unanimous quorum is not met
    const unanimous = await tp.verifySettledResult(settledId, { bundle: directoryBundle(bundleDir), circuit, quorumBps: 10_000 });
    assert.equal(unanimous.ok, false);
    assert.match(unanimous.checks.find((c) => c.name === "attestations")!.detail, /below the quorum/);

    // the proof check itself: one flipped bit of the proof fails
    const t = await tp.getRequestTimeline(settledId);
    const proofEvent = t.events.find((e) => e.eventName === "ProofSubmitted")!;
    assert.equal(proofEvent.eventName, "ProofSubmitted");
    // ZKML_ATTESTED: only the hash is on chain; the bytes come from the prover's store (hash-checked)
    const proof = Buffer.from(await fetchProof([proofEvent.args.proofStore as string], proofEvent.args.proofHash as Hex));
    const instances = buildInstances(t.input!, t.proof!.output);
    assert.equal(checkProof(circuit, registered.files.srs, proof, instances).status, "pass");
    proof[200] ^= 1;
    assert.equal(checkProof(circuit, registered.files.srs, proof, instances).status, "fail");
  });

  it("says plainly what is wrong with a request or a tensor", async () => {
    await assert.rejects(tp.getRequestTimeline(999n), (e: unknown) => e instanceof RequestNotFoundError && /request 999 not found/.test(e.message) && /status None/.test(e.message));
    await assert.rejects(tp.requestInference({ modelId: 1n, input: [1, 2, 3] }), (e: unknown) => e instanceof TensorError && /got 3 values for a tensor of shape \[1,4\]/.test(e.message));
    await assert.rejects(tp.decodeOutput(1n, [1n, 2n, 3n], { labels: ["a", "b"] }), TensorError);
    // the hub refuses a wrong input length before anything is sent: its custom error comes back decoded
    await assert.rejects(tp.requestInference({ modelId: 1n, input: { fixedPoint: [1n] } }), (e: unknown) => {
      const revert = e instanceof BaseError ? e.walk((x) => x instanceof ContractFunctionRevertedError) : null;
      return revert instanceof ContractFunctionRevertedError && revert.data?.errorName === "InferenceHubWrongInputLength";
    });
    // a request still open is not reported as verified
    const open = await ps.request(encodeTensor({ shape: [1, 4], scale: 7 }, ROWS[1].x), { fee: 0n });
    const early = await tp.verifySettledResult(open.requestId, { bundle: directoryBundle(bundleDir), circuit });
    if (early.statusName !== "Settled") {
      assert.equal(early.ok, false);
      assert.match(early.checks[0].detail, /is (Requested|Executed|ProofSubmitted), not Settled/);
    }
  });

  it("follows a request to its refund, and shows the executor's slash with its reason", async () => {
    // no sender: the result never goes on chain; past the deadline anyone refunds it and the executor is slashed
    await ps.stack.workers.find((w) => w.role === "sender")!.stop();
    const sent = await tp.requestInference({ modelId: 1n, input: ROWS[3].x, options: { resultTimeout: 10 } });
    const seen: RequestEvent[] = [];
    const watching = (async () => {
      for await (const e of tp.watchRequest(sent.requestId, { fromBlock: sent.blockNumber, pollingInterval: 100, timeoutMs: 60_000 })) seen.push(e);
    })();
    const chain = ps.stack.client;
    await chain.request({ method: "evm_increaseTime", params: [30] } as never);
    await chain.request({ method: "evm_mine" } as never);
    const wallet = createWalletClient({ account: privateKeyToAccount(devKey(14)), transport: http(ps.stack.node.url) });
    const hash = await wallet.writeContract({ address: tp.addresses.hub, abi: inferenceHubAbi, functionName: "refundExpired", args: [sent.requestId], chain: null });
    await chain.waitForTransactionReceipt({ hash });
    await watching;
    assert.deepEqual(seen.map((e) => e.eventName).filter((n) => n !== "CallbackDelivered"), ["InferenceRequested", "RequestRefunded"]);
    const t = await tp.getRequestTimeline(sent.requestId);
    assert.equal(t.statusName, "Refunded");
    assert.equal(t.refunded?.transactionHash, hash);
    const executor = (await tp.getNodes()).nodes.find((n) => n.roleName === "Executor")!;
    assert.equal(executor.slashes.length, 1);
    assert.equal(executor.slashes[0].reason, "RESULT_TIMEOUT");
    assert.ok(executor.slashed > 0n && executor.slashes[0].transactionHash === hash);
    const report = await tp.verifySettledResult(sent.requestId, { bundle: directoryBundle(bundleDir), circuit });
    assert.equal(report.ok, false);
    assert.match(report.checks[0].detail, /is Refunded, not Settled/);
  });

  it("runs in headless Chromium: the browser entry decodes the answer and verifies the real proof offline", { skip: SKIP_CHROMIUM }, async () => {
    const js = await bundleForBrowser(join(REPO_ROOT, "test", "client", "browser", "entry.ts"));
    assert.doesNotMatch(js, /from\s*["']node:/, "the browser bundle imports no Node module");
    const circuitJson = JSON.stringify({ description: circuit });
    const server: Server = createServer(async (req, res) => {
      const url = req.url ?? "/";
      if (url === "/") return void res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><title>twinpath client</title><script type="module" src="/app.js"></script>');
      if (url === "/app.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(js);
      if (url === "/bundle/circuit.json") return void res.writeHead(200, { "content-type": "application/json" }).end(circuitJson);
      const name = url.replace(/^\/bundle\//, "");
      if (url.startsWith("/bundle/") && /^[\w.]+$/.test(name) && name !== "pk.key") {
        try {
          return void res.writeHead(200).end(await directoryBundle(bundleDir).read(name));
        } catch {
          /* fall through: 404 */
        }
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchChromium();
    try {
      await browser.page.goto(`${base}/`);
      await browser.page.waitForFunction(() => typeof (globalThis as { twinpathRun?: unknown }).twinpathRun === "function");
      const cfg: BrowserRun = { rpcUrl: ps.stack.node.url, addresses: tp.addresses, requestId: settledId.toString(), bundleUrl: `${base}/bundle/`, labels: [...LABELS] };
      const run = (c: BrowserRun) => browser.page.evaluate((c) => (globalThis as unknown as { twinpathRun: (c: BrowserRun) => Promise<Record<string, unknown>> }).twinpathRun(c), c);
      const out = (await run(cfg)) as { ok: boolean; status: string; label: string; fastLabel: string; checks: { name: string; status: string; detail: string }[]; userAgent: string; verifyMs: number };
      assert.match(out.userAgent, /HeadlessChrome|Chrome/);
      assert.equal(out.status, "Settled");
      assert.equal(out.fastLabel, LABELS[ROWS[0].y]);
      assert.ok(out.ok, `${JSON.stringify(out.checks, null, 1)}\n${browser.console.join("\n")}`);
      assert.equal(out.label, LABELS[ROWS[0].y]);
      assert.deepEqual(out.checks.map((c) => c.status), ["pass", "pass", "pass", "pass", "pass", "pass"]);
      // the same page refuses an unmet quorum: the checks really run in the browser
      const strict = (await run({ ...cfg, quorumBps: 10_000 })) as { ok: boolean; checks: { name: string; status: string }[] };
      assert.equal(strict.ok, false);
      assert.equal(strict.checks.find((c) => c.name === "attestations")!.status, "fail");
      console.log(`browser: verified request ${settledId} offline in ${Math.round(out.verifyMs)} ms`);
    } finally {
      await browser.close();
      await new Promise((r) => server.close(r));
    }
  });

  it("verifies every request of a batch proof (batch-2 versions): ZKML_ATTESTED, whose round is keyed by the batch's first request, and ZKML_ONCHAIN", async () => {
    const s = ps.stack;
    // one prover holding both jobs of a batch (its default concurrency is its one thread), in place of the running one
    // (last in the file: the first request's proof bytes are served by the stopped prover's store); a sender again
    // (the refund test stopped it)
    await s.workers.find((w) => w.name === "prover-0")!.stop();
    await s.startWorker("sender", "sender-b").waitForLog((l) => /started$/.test(String(l.msg)), 60_000);
    const batchProver = await ps.start("prover", 0, { PROVER_THREADS: "1", PROVER_CONCURRENCY: "2" }, "prover-batch");
    try {
      const verifier = await deployBundleVerifier(s.node.url, s.node.chainId, batchDir);
      const models = { ZKML_ATTESTED: await ps.registerModel({ mode: "ZKML_ATTESTED", bundleDir: batchDir }), ZKML_ONCHAIN: await ps.registerModel({ mode: "ZKML_ONCHAIN", bundleDir: batchDir, verifier }) };
      const batchCircuit = await deriveCircuit((await loadRegisteredBundle(directoryBundle(batchDir), await tp.getModel(models.ZKML_ATTESTED))).bundle!);
      for (const [mode, modelId] of Object.entries(models)) {
        const rows = [ROWS[3], ROWS[4]];
        const sent = await ps.requestMany(rows.map((r) => quantize(r.x, 7)), { fee: 10n ** 15n, modelId });
        for (const r of sent) await ps.waitForStatus(r.requestId, [RequestStatus.Settled], 120_000);
        for (const [i, r] of sent.entries()) {
          const report = await tp.verifySettledResult(r.requestId, { bundle: directoryBundle(batchDir), circuit: batchCircuit, labels: LABELS });
          assert.ok(report.ok, `${mode} request ${r.requestId}: ${JSON.stringify(report.checks, null, 1)}`);
          assert.match(report.checks.find((c) => c.name === "instances")!.detail, new RegExp(`in slot ${i} of a batch of 2 requests`));
          assert.equal(report.output?.label, LABELS[rows[i].y]);
        }
      }
      // the batch's circuit is not the single model's: verified against it, the proof fails
      const [first] = (await ps.requestMany([quantize(ROWS[5].x, 7)], { fee: 10n ** 15n, modelId: models.ZKML_ATTESTED }));
      await ps.waitForStatus(first.requestId, [RequestStatus.Settled], 120_000);
      const wrong = await tp.verifySettledResult(first.requestId, { bundle: directoryBundle(batchDir), circuit, labels: LABELS });
      assert.equal(wrong.ok, false);
    } finally {
      await batchProver.stop();
    }
  });
});
