/**
 * Build ONNX model files from code (no Python needed).
 *
 * API:
 *   import { buildOnnxModel } from "../compiler/onnx/write.js";
 *   const bytes: Uint8Array = buildOnnxModel({
 *     name: "iris-mlp",
 *     opset: 13,                                    // default 13
 *     inputs:  [{ name: "input",  shape: [1, 4] }], // float32 tensors; a dim may be a string (symbolic)
 *     outputs: [{ name: "output", shape: [1, 3] }],
 *     initializers: [
 *       { name: "W1", dims: [8, 4], data: Float32Array.from(...) },   // float32
 *       { name: "shape", dims: [2], int64: [1, -1] },                  // int64 (e.g. Reshape shape)
 *     ],
 *     nodes: [
 *       { op: "Gemm", inputs: ["input", "W1", "b1"], outputs: ["h"], attributes: { transB: 1 } },
 *       { op: "Relu", inputs: ["h"], outputs: ["r"] },
 *       { op: "LeakyRelu", inputs: ["r"], outputs: ["output"], attributes: { alpha: 0.1 } },
 *     ],
 *   });
 *   writeFileSync("model.onnx", bytes);
 *
 * Attribute values: integers are written as INT (or INTS for arrays) unless the attribute name is a
 * known float attribute (alpha, beta, epsilon, momentum, gamma, ...), which are written as FLOAT/FLOATS.
 * Force a type with { type: "float" | "int" | "floats" | "ints" | "string", value }. A Float32Array
 * value is written as FLOATS. A tensor attribute (e.g. Constant's `value`) is
 * { type: "tensor", dims, data }. Node names default to `${op}_${index}`.
 */
import { AttributeType, DataType, ModelProto } from "./proto.js";

export interface OnnxIoSpec {
  name: string;
  shape: (number | string)[];
  /** ONNX elem type, default FLOAT (1). */
  elemType?: number;
}

export type InitializerSpec =
  | { name: string; dims: number[]; data: Float32Array | number[] }
  | { name: string; dims: number[]; int64: number[] | bigint[] };

export type AttributeValue =
  | number
  | number[]
  | Float32Array
  | string
  | { type: "float" | "int"; value: number }
  | { type: "floats" | "ints"; value: number[] }
  | { type: "string"; value: string }
  | { type: "tensor"; dims: number[]; data: Float32Array | number[] }
  /** a subgraph (the branches and bodies of If/Loop/Scan) */
  | { type: "graph"; name: string; nodes: NodeSpec[]; inputs?: OnnxIoSpec[]; outputs: OnnxIoSpec[]; initializers?: InitializerSpec[] };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxModelSpec {
  name: string;
  inputs: OnnxIoSpec[];
  outputs: OnnxIoSpec[];
  initializers?: InitializerSpec[];
  nodes: NodeSpec[];
  opset?: number;
  producerName?: string;
}

const FLOAT_ATTRIBUTES = new Set(["alpha", "beta", "epsilon", "momentum", "gamma", "lambd", "bias", "ratio", "min", "max"]);

function valueInfo(io: OnnxIoSpec) {
  return {
    name: io.name,
    type: {
      tensorType: {
        elemType: io.elemType ?? DataType.FLOAT,
        shape: { dim: io.shape.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function tensor(init: InitializerSpec) {
  const count = init.dims.reduce((a, b) => a * b, 1);
  if ("int64" in init) {
    if (init.int64.length !== count) throw new Error(`initializer '${init.name}': ${init.int64.length} values for dims [${init.dims}]`);
    const raw = new Uint8Array(count * 8);
    const dv = new DataView(raw.buffer);
    init.int64.forEach((v, i) => dv.setBigInt64(i * 8, BigInt(v), true));
    return { name: init.name, dims: init.dims, dataType: DataType.INT64, rawData: raw };
  }
  if (init.data.length !== count) throw new Error(`initializer '${init.name}': ${init.data.length} values for dims [${init.dims}]`);
  const f = Float32Array.from(init.data);
  const raw = new Uint8Array(f.length * 4);
  const dv = new DataView(raw.buffer);
  f.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return { name: init.name, dims: init.dims, dataType: DataType.FLOAT, rawData: raw };
}

function attribute(name: string, v: AttributeValue) {
  if (typeof v === "string") return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (v instanceof Float32Array) return { name, type: AttributeType.FLOATS, floats: Array.from(v) };
  if (Array.isArray(v)) {
    const asFloat = FLOAT_ATTRIBUTES.has(name) || v.some((x) => !Number.isInteger(x));
    return asFloat ? { name, type: AttributeType.FLOATS, floats: v } : { name, type: AttributeType.INTS, ints: v };
  }
  if (typeof v === "number") {
    const asFloat = FLOAT_ATTRIBUTES.has(name) || !Number.isInteger(v);
    return asFloat ? { name, type: AttributeType.FLOAT, f: v } : { name, type: AttributeType.INT, i: v };
  }
  switch (v.type) {
    case "float": return { name, type: AttributeType.FLOAT, f: v.value };
    case "int": return { name, type: AttributeType.INT, i: v.value };
    case "floats": return { name, type: AttributeType.FLOATS, floats: v.value };
    case "ints": return { name, type: AttributeType.INTS, ints: v.value };
    case "string": return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v.value) };
    case "tensor": return { name, type: AttributeType.TENSOR, t: tensor({ name: "", dims: v.dims, data: v.data }) };
    case "graph": return { name, type: AttributeType.GRAPH, g: graph(v.name, v.nodes, v.initializers ?? [], v.inputs ?? [], v.outputs) };
  }
}

function graph(name: string, nodes: NodeSpec[], initializers: InitializerSpec[], inputs: OnnxIoSpec[], outputs: OnnxIoSpec[]): object {
  return {
    name,
    node: nodes.map((n, i) => ({
      name: n.name ?? `${n.op}_${i}`,
      opType: n.op,
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
    })),
    initializer: initializers.map(tensor),
    input: inputs.map(valueInfo),
    output: outputs.map(valueInfo),
  };
}

/** Serialize a model spec to ONNX protobuf bytes (deterministic: same spec -> same bytes). */
export function buildOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const opset = spec.opset ?? 13;
  const model = {
    irVersion: opset <= 12 ? 7 : 8,
    producerName: spec.producerName ?? "twinpath",
    opsetImport: [{ domain: "", version: opset }],
    graph: graph(spec.name, spec.nodes, spec.initializers ?? [], spec.inputs, spec.outputs),
  };
  const err = ModelProto.verify(model);
  if (err) throw new Error(`buildOnnxModel: invalid model spec: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
