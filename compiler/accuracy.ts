/**
 * The float reference (onnxruntime-node) and the accuracy report a bundle's manifest records: the
 * circuit's witness outputs against onnxruntime's on the same inputs. Inputs and outputs are flat
 * vectors (every model input, resp. output, concatenated in ONNX order), as the hub stores them.
 */
import * as ort from "onnxruntime-node";
import { genWitness } from "./engine/engine.js";
import { readOnnxModel } from "./onnx/read.js";

export interface AccuracyReport {
  samples: number;
  /** max |circuit output - onnxruntime float output| over all samples and outputs */
  maxAbsError: number;
  meanAbsError: number;
  /** fraction of samples whose argmax over the (first) output agrees (classification models) */
  argmaxAgreement: number;
  /** quantization step of the (first) output (2^-scale) */
  outputStep: number;
}

type OrtType = "float32" | "float64" | "int32" | "int64" | "int8" | "uint8" | "int16" | "uint16" | "bool";
const ORT_TYPES: Record<number, OrtType> = { 1: "float32", 11: "float64", 6: "int32", 7: "int64", 3: "int8", 2: "uint8", 5: "int16", 4: "uint16", 9: "bool" };

function ortTensor(elemType: number, values: number[], dims: number[]): ort.Tensor {
  const type = ORT_TYPES[elemType] ?? "float32";
  switch (type) {
    case "int64": return new ort.Tensor("int64", BigInt64Array.from(values.map((v) => BigInt(Math.round(v)))), dims);
    case "int32": return new ort.Tensor("int32", Int32Array.from(values.map(Math.round)), dims);
    case "int16": return new ort.Tensor("int16", Int16Array.from(values.map(Math.round)), dims);
    case "uint16": return new ort.Tensor("uint16", Uint16Array.from(values.map(Math.round)), dims);
    case "int8": return new ort.Tensor("int8", Int8Array.from(values.map(Math.round)), dims);
    case "uint8": return new ort.Tensor("uint8", Uint8Array.from(values.map(Math.round)), dims);
    case "bool": return new ort.Tensor("bool", Uint8Array.from(values.map((v) => (v ? 1 : 0))), dims);
    case "float64": return new ort.Tensor("float64", Float64Array.from(values), dims);
    default: return new ort.Tensor("float32", Float32Array.from(values), dims);
  }
}

const numbers = (t: ort.Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));

/** Float reference outputs from onnxruntime-node for flat input vectors; returns flat output vectors. */
export async function runOnnxFlat(onnx: Uint8Array, samples: number[][]): Promise<number[][]> {
  const g = readOnnxModel(onnx);
  const shapes = g.inputs.map((i) => i.shape.map((d) => (typeof d === "number" && d > 0 ? d : 1)));
  const s = await ort.InferenceSession.create(onnx);
  const out: number[][] = [];
  for (const x of samples) {
    const feeds: Record<string, ort.Tensor> = {};
    let at = 0;
    g.inputs.forEach((inp, i) => {
      const n = shapes[i].reduce((a, b) => a * b, 1);
      feeds[inp.name] = ortTensor(inp.elemType, x.slice(at, (at += n)), shapes[i]);
    });
    if (at !== x.length) throw new RangeError(`the model takes ${at} input values, got ${x.length}`);
    const r = await s.run(feeds);
    out.push(s.outputNames.flatMap((name) => numbers(r[name])));
  }
  return out;
}

/** Float reference outputs from onnxruntime-node for a single float input. */
export async function runOnnx(onnx: Uint8Array, inputName: string, dims: number[], inputs: number[][]): Promise<number[][]> {
  const s = await ort.InferenceSession.create(onnx);
  const out: number[][] = [];
  for (const x of inputs) {
    const r = await s.run({ [inputName]: new ort.Tensor("float32", Float32Array.from(x), dims) });
    out.push(numbers(r[s.outputNames[0]]));
  }
  return out;
}

const argmax = (v: number[]) => v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0);

/** Circuit (engine witness, dequantized per output scale) against onnxruntime on the same inputs. */
export async function accuracyReport(onnx: Uint8Array, compiled: Uint8Array, outputs: { dims: number[]; scale: number }[], inputs: number[][]): Promise<AccuracyReport> {
  const ref = await runOnnxFlat(onnx, inputs);
  const scales = outputs.flatMap((o) => new Array<number>(o.dims.reduce((a, b) => a * b, 1)).fill(o.scale));
  const first = outputs[0].dims.reduce((a, b) => a * b, 1);
  let max = 0, sum = 0, cnt = 0, agree = 0;
  inputs.forEach((x, i) => {
    const got = genWitness(compiled, x).outputs.map((v, j) => Number(v) / 2 ** scales[j]);
    got.forEach((g, j) => {
      const e = Math.abs(g - ref[i][j]);
      max = Math.max(max, e);
      sum += e;
      cnt++;
    });
    if (argmax(got.slice(0, first)) === argmax(ref[i].slice(0, first))) agree++;
  });
  return { samples: inputs.length, maxAbsError: max, meanAbsError: cnt ? sum / cnt : 0, argmaxAgreement: inputs.length ? agree / inputs.length : 1, outputStep: 2 ** -outputs[0].scale };
}

/** Classification accuracy of the float model (onnxruntime) and of the circuit (witness) on labelled rows; argmax of the first output. */
export async function evaluate(onnx: Uint8Array, compiled: Uint8Array, outputs: { dims: number[]; scale: number }[], rows: { name: string; inputs: number[][]; labels: number[] }) {
  const ref = await runOnnxFlat(onnx, rows.inputs);
  const first = outputs[0].dims.reduce((a, b) => a * b, 1);
  let floatOk = 0, circuitOk = 0;
  rows.inputs.forEach((x, i) => {
    if (argmax(ref[i].slice(0, first)) === rows.labels[i]) floatOk++;
    const got = genWitness(compiled, x).outputs.slice(0, first).map(Number);
    if (argmax(got) === rows.labels[i]) circuitOk++;
  });
  return { dataset: rows.name, rows: rows.inputs.length, floatAccuracy: floatOk / rows.inputs.length, circuitAccuracy: circuitOk / rows.inputs.length };
}
