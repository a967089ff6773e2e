/**
 * The client library's pure parts, without a chain: tensors at a model's shape and scale, class labels, the
 * decoding of hub logs into lifecycle events, gas shared by batched transactions, bundle paths checked without
 * node:path, and bundles checked against a registered model.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { encodeAbiParameters, encodeEventTopics, keccak256, pad, type Hex, type Log } from "viem";
import { isInsidePath } from "../../compiler/manifestFormat.js";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { decodeOutput, decodeRequestLogs, encodeTensor, gasByRequest, isFinalEvent, loadRegisteredBundle, memoryBundle, requestEventAbi, TensorError, type RequestEvent, type TwinpathModel } from "../../client/index.js";

const spec = { shape: [1, 4], scale: 7 };

describe("tensors", () => {
  it("encodes nested or flat real values at the scale (round half away from zero of f32(x) * 2^scale)", () => {
    assert.deepEqual(encodeTensor(spec, [[5.1, 3.5, -1.4, 0.2]]), [653n, 448n, -179n, 26n]);
    assert.deepEqual(encodeTensor(spec, [5.1, 3.5, -1.4, 0.2]), [653n, 448n, -179n, 26n]);
    assert.deepEqual(encodeTensor({ shape: [2], scale: 1 }, [0.25, -0.25]), [1n, -1n], "halves round away from zero");
  });

  it("refuses a wrong count or a value without an encoding, naming the shape", () => {
    assert.throws(() => encodeTensor(spec, [1, 2, 3]), (e: unknown) => e instanceof TensorError && /got 3 values for a tensor of shape \[1,4\] \(4 values\) at scale 7/.test(e.message));
    assert.throws(() => encodeTensor(spec, [1, 2, 3, NaN]), (e: unknown) => e instanceof TensorError && /input\[3\] = NaN is not a finite number/.test(e.message));
    assert.throws(() => encodeTensor(spec, [1, 2, 3, 1e39]), TensorError);
  });

  it("decodes to real values and to the label of the largest score (first on a tie)", () => {
    const out = { shape: [1, 3], scale: 7 };
    const d = decodeOutput(out, [-128n, 320n, 64n], { labels: ["setosa", "versicolor", "virginica"] });
    assert.deepEqual(d.values, [-1, 2.5, 0.5]);
    assert.equal(d.classIndex, 1);
    assert.equal(d.label, "versicolor");
    assert.equal(decodeOutput(out, [5n, 5n, 1n], { labels: ["a", "b", "c"] }).label, "a");
    assert.equal(decodeOutput(out, [1n, 2n, 3n]).label, undefined, "no labels, no class");
    assert.throws(() => decodeOutput(out, [1n, 2n, 3n], { labels: ["a", "b"] }), /2 labels for an output of 3 values/);
    assert.throws(() => decodeOutput(out, [1n, 2n]), /got 2 values for a tensor of shape \[1,3\]/);
  });
});

/** A hub log as a node returns it. */
function hubLog(eventName: string, args: Record<string, unknown>, tx: Hex, logIndex: number, blockNumber = 10n): Log {
  const item = inferenceHubAbi.find((x) => x.type === "event" && x.name === eventName)! as Extract<(typeof inferenceHubAbi)[number], { type: "event" }>;
  const topics = encodeEventTopics({ abi: [item], eventName, args } as never);
  const data = encodeAbiParameters(item.inputs.filter((i) => !i.indexed), item.inputs.filter((i) => !i.indexed).map((i) => args[i.name!]) as never);
  return { address: "0x0000000000000000000000000000000000000009", topics: topics as [Hex], data, blockNumber, blockHash: pad("0x01"), transactionHash: tx, transactionIndex: 0, logIndex, removed: false };
}

describe("lifecycle events", () => {
  const txA = pad("0xa1", { size: 32 });
  const txB = pad("0xb2", { size: 32 });
  const executor = "0x00000000000000000000000000000000000000e1";
  const prover = "0x00000000000000000000000000000000000000f1";
  const logs = [
    hubLog("ResultSubmitted", { requestId: 1n, executor, output: [1n, 2n, 3n], outputHash: keccak256("0x01"), proofDeadline: 99n, prover }, txA, 0),
    hubLog("ResultSubmitted", { requestId: 2n, executor, output: [4n, 5n, 6n], outputHash: keccak256("0x02"), proofDeadline: 99n, prover }, txA, 1),
    hubLog("CallbackDelivered", { requestId: 2n, settled: false, success: true, gasUsed: 100n, payment: 0n }, txA, 2),
    hubLog("RequestSettled", { requestId: 1n, outputHash: keccak256("0x01"), executorReward: 1n, proverReward: 1n, verifierReward: 0n, protocolFee: 0n }, txB, 0, 11n),
  ];

  it("takes every hub and AttestationQuorum event whose first parameter is an indexed requestId, from the generated ABIs", () => {
    const names = requestEventAbi.map((e) => e.name);
    for (const n of ["InferenceRequested", "ResultSubmitted", "ProofSubmitted", "AttestationRecorded", "RequestSettled", "RequestRefunded", "CallbackDelivered"]) assert.ok(names.includes(n as never), n);
    assert.ok(!names.includes("Withdrawn" as never) && !names.includes("SlashCredited" as never));
  });

  it("decodes logs into typed events in chain order and knows which end a request", () => {
    const events = decodeRequestLogs([...logs].reverse());
    assert.deepEqual(events.map((e) => `${e.eventName}:${e.args.requestId}`), ["ResultSubmitted:1", "ResultSubmitted:2", "CallbackDelivered:2", "RequestSettled:1"]);
    const first = events[0];
    assert.ok(first.eventName === "ResultSubmitted" && first.args.output.join(",") === "1,2,3");
    assert.deepEqual(events.map(isFinalEvent), [false, false, false, true]);
  });

  it("shares a batched transaction's gas equally among its requests, under each request's first event in it", () => {
    const events = decodeRequestLogs(logs) as RequestEvent[];
    const gas = gasByRequest(events, new Map([[txA, 300_000n], [txB, 50_000n]]));
    assert.deepEqual(gas.get(1n), { ResultSubmitted: 150_000, RequestSettled: 50_000 });
    assert.deepEqual(gas.get(2n), { ResultSubmitted: 150_000 }, "the callback is part of the result's step");
    assert.deepEqual(gasByRequest(events, new Map()).size, 0, "transactions without a receipt are left out");
  });
});

describe("bundles", () => {
  it("accepts relative paths only (POSIX and Windows), without node:path", () => {
    for (const ok of ["vk.key", "keys/vk.key", "a\\b.key"]) assert.equal(isInsidePath(ok), true, ok);
    for (const bad of ["", "/etc/passwd", "\\\\server\\share", "C:\\x", "c:/x", "../x", "a/../../x", "a\\..\\x"]) assert.equal(isInsidePath(bad), false, bad);
  });

  it("checks a bundle against the registered model: manifest hash, every file, shapes and scales", async () => {
    const dir = join(REPO_ROOT, "models", "iris-mlp", "bundle");
    const files: Record<string, Uint8Array> = {};
    for (const f of ["manifest.json", "vk.key", "kzg.srs", "settings.json", "model.compiled", "model.onnx"]) files[f] = new Uint8Array(readFileSync(join(dir, f)));
    const m = JSON.parse(new TextDecoder().decode(files["manifest.json"]));
    const model = {
      id: 1n,
      hashes: { onnxHash: m.files.onnx.keccak256, settingsHash: m.files.settings.keccak256, circuitHash: m.files.compiled.keccak256, vkHash: m.files.vk.keccak256, manifestHash: keccak256(files["manifest.json"]) },
      input: { shape: m.input.shape, scale: m.input.scale },
      output: { shape: m.output.shape, scale: m.output.scale },
    } as TwinpathModel;
    const good = await loadRegisteredBundle(memoryBundle(files), model);
    assert.equal(good.check.status, "pass", good.check.detail);
    assert.deepEqual(Object.keys(good.bundle!.files).sort(), ["compiled", "onnx", "settings", "srs", "vk"]);

    const otherScale = await loadRegisteredBundle(memoryBundle(files), { ...model, output: { ...model.output, scale: 8 } });
    assert.match(otherScale.check.detail, /outputScale registry 8, bundle 7/);
    const missing = await loadRegisteredBundle(memoryBundle({ ...files, "kzg.srs": undefined as never }), model);
    assert.match(missing.check.detail, /no file kzg\.srs/);
    const srs = files["kzg.srs"].slice();
    srs[10] ^= 1;
    const changed = await loadRegisteredBundle(memoryBundle({ ...files, "kzg.srs": srs }), model);
    assert.match(changed.check.detail, /kzg\.srs: keccak256 0x[0-9a-f]{64}, the manifest says/);
    const notJson = await loadRegisteredBundle(memoryBundle({ ...files, "manifest.json": new TextEncoder().encode("{") }), model);
    assert.match(notJson.check.detail, /not valid JSON/);
  });
});
