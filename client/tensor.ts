/**
 * Tensors in and out of the chain: real numbers <-> the fixed-point integers the hub takes and emits, at a model's
 * registered shape and scale. The rounding rule is protocol/fixedPoint.ts (the one the proofs are bound with).
 */
import { dequantize, QuantizeError, quantize } from "../protocol/fixedPoint.js";
import { tensorLength } from "../protocol/modelSpec.js";
import { TensorError } from "./errors.js";

/** Shape and fixed-point scale of a tensor, as the registry (ModelSpec) or a bundle manifest gives them. */
export interface TensorSpec {
  shape: readonly number[];
  scale: number;
}

/** A number or arbitrarily nested arrays of numbers (flattened row-major, as ONNX lays tensors out). */
export type NestedNumbers = number | readonly NestedNumbers[];

function flatten(values: NestedNumbers): number[] {
  if (typeof values === "number") return [values];
  const out: number[] = [];
  const walk = (v: NestedNumbers) => {
    if (typeof v === "number") out.push(v);
    else for (const x of v) walk(x);
  };
  walk(values);
  return out;
}

const describe = (spec: TensorSpec) => `shape [${spec.shape.join(",")}] (${tensorLength(spec.shape)} values) at scale ${spec.scale}`;

/** Real values -> fixed-point integers at the spec's scale. Throws TensorError for a wrong count or a value without an encoding. */
export function encodeTensor(spec: TensorSpec, values: NestedNumbers): bigint[] {
  const flat = flatten(values);
  const expected = tensorLength(spec.shape);
  if (flat.length !== expected) {
    throw new TensorError(`got ${flat.length} values for a tensor of ${describe(spec)}`, { details: "Pass one number per element, nested or flat, in row-major order." });
  }
  try {
    return quantize(flat, spec.scale);
  } catch (err) {
    if (err instanceof QuantizeError) throw new TensorError(err.message, { cause: err });
    throw err;
  }
}

/** Fixed-point integers (as the hub emits them) -> real values. Throws TensorError for a wrong count. */
export function decodeTensor(spec: TensorSpec, raw: readonly (bigint | number)[]): number[] {
  const expected = tensorLength(spec.shape);
  if (raw.length !== expected) throw new TensorError(`got ${raw.length} values for a tensor of ${describe(spec)}`);
  try {
    return dequantize(raw, spec.scale);
  } catch (err) {
    if (err instanceof QuantizeError) throw new TensorError(err.message, { cause: err });
    throw err;
  }
}

export interface DecodedOutput {
  /** the real values, row-major */
  values: number[];
  /** the fixed-point integers as emitted */
  fixedPoint: bigint[];
  shape: readonly number[];
  /** index of the largest value (first on a tie) when the output is a class score vector (labels given) */
  classIndex?: number;
  /** labels[classIndex] */
  label?: string;
}

export interface DecodeOutputOptions {
  /**
   * Class names, one per output element: the output is read as class scores and decoded to the label of the
   * largest. A bundle manifest may carry them in the future; today the caller passes them.
   */
  labels?: readonly string[];
}

/** An output as the hub emitted it -> real values, and the class label when `labels` are given. */
export function decodeOutput(spec: TensorSpec, raw: readonly (bigint | number)[], options: DecodeOutputOptions = {}): DecodedOutput {
  const values = decodeTensor(spec, raw);
  const out: DecodedOutput = { values, fixedPoint: raw.map((v) => BigInt(v)), shape: spec.shape };
  if (options.labels) {
    if (options.labels.length !== values.length) {
      throw new TensorError(`${options.labels.length} labels for an output of ${values.length} values`, { details: "Give one label per output element (class scores)." });
    }
    const fixed = out.fixedPoint;
    // argmax on the integers: exact, and the same order as the real values
    const classIndex = fixed.reduce((best, v, i) => (v > fixed[best] ? i : best), 0);
    out.classIndex = classIndex;
    out.label = options.labels[classIndex];
  }
  return out;
}
