/** The lowered graph: ezkl v21 nodes (serde values) plus what calibration needs to size them. */
import type { Tensor } from "./tensor.js";

/** A value in serde_json shape, as the bincode codec and settings.json take it. */
export type Serde = string | number | bigint | boolean | null | readonly Serde[] | { readonly [key: string]: Serde };

/** serde value of an ezkl `SupportedOp` (`{ Linear: … }`, `{ Hybrid: … }`, `{ RebaseScale: … }`, …). */
export type OpKind = Serde;

/** serde value of an ezkl `LookupOp` (e.g. `{ Sigmoid: { scale: 128 } }`). */
export type LookupOp = { readonly [variant: string]: { readonly [field: string]: number } };

export interface IrNode {
  idx: number;
  opkind: OpKind;
  outScale: number;
  inputs: number[];
  outDims: number[];
  numUses: number;
  /** short op name for the manifest (e.g. "Einsum", "RebaseScale(Einsum)") */
  label: string;
  /** originating ONNX node */
  source: string;
  /** float kernel: the node's value from its inputs' values (ezkl semantics with quantized constants) */
  kernel: (ins: Tensor[]) => Tensor;
  /** LookupOp used by this node (Nonlinear nodes and Softmax) */
  lookup?: LookupOp;
  /** scale of the value before a RebaseScale division */
  originalScale?: number;
  /** range-check tables this op's layout needs besides the decomposition ones */
  rangeChecks?: [number, number][];
  /** cells this op puts in shuffle columns (ezkl's max = sort + shuffle argument) and its number of shuffles */
  shuffle?: { cells: number; count: number };
}

/** ezkl input datum types: floats are quantized at the input scale, integers and booleans at scale 0. */
export type Datum = "F32" | "Int" | "Bool";

/** One model input or output: its circuit node, ONNX name, shape, fixed-point scale and datum type. */
export interface IoInfo {
  name: string;
  idx: number;
  dims: number[];
  scale: number;
  datum: Datum;
}

export interface LoweredModel {
  nodes: IrNode[];
  /** model inputs, in ONNX order; the proof's input instances (and the hub's input vector) are their concatenation */
  inputs: IoInfo[];
  /** model outputs, in ONNX order; the output instances are their concatenation */
  outputs: IoInfo[];
  /** scale of float inputs (run_args.input_scale) */
  inputScale: number;
  paramScale: number;
  /** distinct LookupOps required */
  lookups: LookupOp[];
  /** ONNX ops seen, in order of first appearance */
  onnxOps: string[];
  /** extra range checks required by the ops */
  rangeChecks: [number, number][];
  /** shuffle-argument usage (MaxPool, Softmax) */
  shuffle: { cells: number; count: number };
}

const total = (ios: IoInfo[]) => ios.reduce((n, io) => n + io.dims.reduce((a, b) => a * b, 1), 0);
/** Length of the flat input vector (all inputs concatenated). */
export const inputLength = (m: Pick<LoweredModel, "inputs">) => total(m.inputs);
/** Length of the flat output vector (all outputs concatenated). */
export const outputLength = (m: Pick<LoweredModel, "outputs">) => total(m.outputs);

/** Split a flat vector into per-tensor arrays of the given shapes (inputs or outputs, in order). */
export function splitFlat(flat: readonly number[], ios: Pick<IoInfo, "dims">[]): number[][] {
  const out: number[][] = [];
  let at = 0;
  for (const io of ios) {
    const n = io.dims.reduce((a, b) => a * b, 1);
    out.push(flat.slice(at, at + n));
    at += n;
  }
  if (at !== flat.length) throw new RangeError(`expected ${at} values (${ios.map((io) => `[${io.dims}]`).join(" + ")}), got ${flat.length}`);
  return out;
}

export interface LowerOptions {
  inputScale: number;
  paramScale: number;
}

/** What an ONNX value is during lowering: a compile-time constant or the output of a circuit node. */
export type Value = { kind: "const"; t: Tensor } | { kind: "node"; idx: number };

/** A Fixed constant node (weights, biases): no cells of its own in the advice columns. */
export const isConstantNode = (n: IrNode): boolean =>
  typeof n.opkind === "object" && n.opkind !== null && !Array.isArray(n.opkind) && "Constant" in n.opkind;
