/** One-node ONNX models (y = op(x, constants...)) and seeded weights, for op tests, census tests and benches. */
import { buildOnnxModel, type AttributeValue, type InitializerSpec, type NodeSpec } from "../../compiler/onnx/write.js";
import { rng } from "./fixtures.js";

export interface SingleOpSpec {
  op: string;
  /** input shape (one float input named x) */
  input: (number | string)[];
  output: (number | string)[];
  attributes?: Record<string, AttributeValue>;
  /** constant operands, wired after x in order (use "" for an absent optional input) */
  consts?: (InitializerSpec | "")[];
  /** put x after the constants (e.g. Sub with the constant on the left) */
  xLast?: boolean;
  opset?: number;
}

/** A one-node model: y = op(x, consts...). */
export function singleOp(s: SingleOpSpec): Uint8Array {
  const constNames = (s.consts ?? []).map((c) => (c === "" ? "" : c.name));
  const node: NodeSpec = { op: s.op, name: `the_${s.op.toLowerCase()}`, inputs: s.xLast ? [...constNames, "x"] : ["x", ...constNames], outputs: ["y"], attributes: s.attributes };
  return buildOnnxModel({
    name: `op-${s.op}`,
    opset: s.opset,
    inputs: [{ name: "x", shape: s.input }],
    outputs: [{ name: "y", shape: s.output }],
    initializers: (s.consts ?? []).filter((c): c is InitializerSpec => c !== ""),
    nodes: [node],
  });
}

/** Seeded uniform float32 weights in [-amp, amp]. */
export const weights = (seed: number, n: number, amp = 1): Float32Array => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * amp);
};

