// A circuit that uses EZKL's shuffle arguments (MaxPool and Softmax take a max through a sorted copy whose
// permutation is proven by a shuffle), built from ONNX by the project's compiler exactly as `build-model` does,
// proved by the engine (@ezkljs/engine 21.0.0) and described by halo2/circuit. Compiled circuit, keys and proofs are
// cached under .twinpath/halo2/ (gitignored), keyed by the ONNX bytes.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { compileModel } from "../../compiler/compile.js";
import { buildOnnxModel } from "../../compiler/onnx/write.js";
import { generateDevSrs } from "../../compiler/srs/srs.js";
import { describeCircuit } from "../../halo2/circuit/describe.js";
import { readSrsVerifierParams, type SrsVerifierParams } from "../../halo2/circuit/encoding.js";
import type { CircuitDescription } from "../../halo2/circuit/types.js";
import { instancesFromProofJson } from "../../halo2/verify/instances.js";
import { cachedEngineProof, getEngine, writeAtomic, type EngineKey } from "./engine.js";

const CACHE = path.resolve(".twinpath/halo2");

/** Deterministic weights in [-amp, amp] (mulberry32). */
function weights(seed: number, n: number, amp: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * amp;
  });
}

/** Conv 3×3 (2 channels) → MaxPool 2×2/2 → Flatten → Gemm → Softmax on a 1×1×4×4 input: 16 inputs, 3 outputs. */
export function poolSoftmaxOnnx(): Uint8Array {
  return buildOnnxModel({
    name: "halo2-pool-softmax",
    inputs: [{ name: "x", shape: [1, 1, 4, 4] }],
    outputs: [{ name: "y", shape: [1, 3] }],
    initializers: [
      { name: "K", dims: [2, 1, 3, 3], data: weights(61, 18, 0.5) },
      { name: "W", dims: [3, 8], data: weights(62, 24, 0.8) },
      { name: "b", dims: [3], data: weights(63, 3, 0.2) },
    ],
    nodes: [
      { op: "Conv", inputs: ["x", "K"], outputs: ["c"], attributes: { pads: [1, 1, 1, 1] } },
      { op: "MaxPool", inputs: ["c"], outputs: ["p"], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Flatten", inputs: ["p"], outputs: ["f"] },
      { op: "Gemm", inputs: ["f", "W", "b"], outputs: ["g"], attributes: { transB: 1 } },
      { op: "Softmax", inputs: ["g"], outputs: ["y"], attributes: { axis: 1 } },
    ],
  });
}

/**
 * Two MaxPool stages and a Softmax on a 1×1×8×8 input (conv–pool–conv–pool–fc–softmax, a LeNet-shaped net at
 * small size): 64 inputs, 10 outputs, logrows 13. Used by the benchmarks (compiling it takes a few minutes).
 */
export function cnnPool2Onnx(): Uint8Array {
  return buildOnnxModel({
    name: "halo2-cnn-pool2",
    inputs: [{ name: "x", shape: [1, 1, 8, 8] }],
    outputs: [{ name: "y", shape: [1, 10] }],
    initializers: [
      { name: "K1", dims: [4, 1, 3, 3], data: weights(71, 36, 0.5) },
      { name: "K2", dims: [4, 4, 3, 3], data: weights(72, 144, 0.3) },
      { name: "W", dims: [10, 16], data: weights(73, 160, 0.4) },
      { name: "b", dims: [10], data: weights(74, 10, 0.1) },
    ],
    nodes: [
      { op: "Conv", inputs: ["x", "K1"], outputs: ["c1"], attributes: { pads: [1, 1, 1, 1] } },
      { op: "Relu", inputs: ["c1"], outputs: ["r1"] },
      { op: "MaxPool", inputs: ["r1"], outputs: ["p1"], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Conv", inputs: ["p1", "K2"], outputs: ["c2"], attributes: { pads: [1, 1, 1, 1] } },
      { op: "Relu", inputs: ["c2"], outputs: ["r2"] },
      { op: "MaxPool", inputs: ["r2"], outputs: ["p2"], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Flatten", inputs: ["p2"], outputs: ["f"] },
      { op: "Gemm", inputs: ["f", "W", "b"], outputs: ["g"], attributes: { transB: 1 } },
      { op: "Softmax", inputs: ["g"], outputs: ["y"], attributes: { axis: 1 } },
    ],
  });
}

/** Calibration samples and proof inputs: smooth patterns in [-1.5, 1.5]. */
const patterns = (n: number) => [0, 1, 2, 3].map((s) => Array.from({ length: n }, (_, i) => Math.sin(i * (s + 1.7)) * 1.5));

const CIRCUITS = {
  "pool-softmax": { onnx: poolSoftmaxOnnx, inputLength: 16 },
  "cnn-pool2": { onnx: cnnPool2Onnx, inputLength: 64 },
} as const;
export type ShuffleCircuitName = keyof typeof CIRCUITS;
export const SHUFFLE_CIRCUIT_NAMES = Object.keys(CIRCUITS) as ShuffleCircuitName[];

export interface ShuffleCircuit {
  name: string;
  compiled: Uint8Array;
  settings: Uint8Array;
  settingsValue: { num_shuffles: number; total_shuffle_col_size: number; model_instance_shapes: number[][] };
  srsBytes: Uint8Array;
  srs: SrsVerifierParams;
  vk: Uint8Array;
  desc: CircuitDescription;
  proof: Uint8Array;
  instances: bigint[][];
  /** A proof of the same circuit for another input. */
  otherProof: Uint8Array;
  otherInstances: bigint[][];
  engineKey: EngineKey;
  /** Public values that are the model's input (the rest are its output). */
  inputLength: number;
}

const clamp = (b: Uint8Array) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength);
const memo = new Map<string, Promise<ShuffleCircuit>>();

/**
 * A shuffle circuit (default pool-softmax); `compressSelectors: false` gives the uncompressed-selector key of the same
 * circuit.
 */
export function loadShuffleCircuit(opts: { name?: ShuffleCircuitName; compressSelectors?: boolean } = {}): Promise<ShuffleCircuit> {
  const name = opts.name ?? "pool-softmax";
  const compress = opts.compressSelectors ?? true;
  const key = `${name}-${compress ? "c" : "u"}`;
  let p = memo.get(key);
  if (!p) memo.set(key, (p = build(name, compress)));
  return p;
}

async function build(name: ShuffleCircuitName, compress: boolean): Promise<ShuffleCircuit> {
  const { onnx: makeOnnx, inputLength } = CIRCUITS[name];
  const samples = patterns(inputLength);
  const onnx = makeOnnx();
  const tag = createHash("sha256").update(onnx).digest("hex").slice(0, 16);
  const dir = path.join(CACHE, `${name}-${tag}`);
  const file = (f: string) => path.join(dir, f);
  if (!fs.existsSync(file("settings.json"))) {
    const c = await compileModel(onnx, { samples, confirmWithProof: false });
    writeAtomic(file("model.compiled"), c.compiled);
    writeAtomic(file("settings.json"), c.settings); // written last: its presence marks a complete cache
  }
  const compiled = new Uint8Array(fs.readFileSync(file("model.compiled")));
  const settings = new Uint8Array(fs.readFileSync(file("settings.json")));
  const settingsValue = JSON.parse(Buffer.from(settings).toString("utf8"));
  const logrows: number = settingsValue.run_args.logrows;
  const srsFile = path.join(CACHE, `dev_k${logrows}_halo2-test.srs`);
  if (!fs.existsSync(srsFile)) writeAtomic(srsFile, await generateDevSrs(logrows, { seed: "halo2-test" }));
  const srsBytes = new Uint8Array(fs.readFileSync(srsFile));
  const vkFile = file(compress ? "vk.key" : "vk-uncompressed.key");
  if (!fs.existsSync(vkFile)) writeAtomic(vkFile, new Uint8Array(getEngine().genVk(clamp(compiled), clamp(srsBytes), compress)));
  const vk = new Uint8Array(fs.readFileSync(vkFile));
  const vkTag = createHash("sha256").update(vk).digest("hex").slice(0, 16);
  const prove = (i: number) => cachedEngineProof(`${name}-${vkTag}-${i}`, compiled, srsBytes, vk, JSON.stringify({ input_data: [samples[i]] }));
  const pj = prove(1);
  // The second proof only when a test reads it (engine proving is most of a cold build: the uncompressed-selector
  // key is only ever checked with its first proof).
  let other: { proof: Uint8Array; instances: bigint[][] } | undefined;
  const otherCase = () => {
    if (!other) {
      const pj2 = prove(2);
      other = { proof: Uint8Array.from(pj2.proof as number[]), instances: instancesFromProofJson(pj2) };
    }
    return other;
  };
  const desc = await describeCircuit({ compiled, settings, srs: srsBytes, vk, proof: pj as { proof: number[] } });
  return {
    name: compress ? name : `${name} (uncompressed selectors)`,
    compiled,
    settings,
    settingsValue,
    srsBytes,
    srs: readSrsVerifierParams(srsBytes),
    vk,
    desc,
    proof: Uint8Array.from(pj.proof as number[]),
    instances: instancesFromProofJson(pj),
    get otherProof() {
      return otherCase().proof;
    },
    get otherInstances() {
      return otherCase().instances;
    },
    engineKey: { vk, settings, srs: srsBytes, proofJsonTemplate: pj },
    inputLength,
  };
}
