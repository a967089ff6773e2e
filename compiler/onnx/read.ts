/**
 * Decode ONNX model bytes into a small typed graph: nodes with decoded attributes, initializers as
 * Float32Array (integer tensors also as plain numbers), inputs/outputs with their shapes.
 * Every malformed input raises an OnnxError naming what is wrong.
 */
import { AttributeType, DataType, ModelProto } from "./proto.js";

export class OnnxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OnnxError";
  }
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Values converted to float32 (for every numeric data type). */
  data: Float32Array;
  /** Exact integer values for integer/bool tensors (e.g. Reshape shapes); undefined for floats. */
  ints?: number[];
}

/** A graph-valued attribute (the bodies of If/Loop/Scan): kept only as a marker, control flow is not lowered. */
export interface OnnxSubgraph {
  kind: "graph";
  /** subgraph names (one per graph of a GRAPHS attribute) */
  names: string[];
}

export type OnnxAttribute = number | number[] | string | string[] | OnnxTensor | OnnxSubgraph;

export interface OnnxNode {
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** Dimension sizes; a symbolic dimension (e.g. "batch_size") is kept as its name. */
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  irVersion: number;
  opset: number;
  producer: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: Map<string, OnnxTensor>;
  nodes: OnnxNode[];
}

type Long = { toNumber(): number } | number | string;
const num = (v: Long | null | undefined): number =>
  v == null ? 0 : typeof v === "object" ? v.toNumber() : Number(v);

const INT_TYPES = new Set<number>([
  DataType.UINT8, DataType.INT8, DataType.UINT16, DataType.INT16, DataType.INT32, DataType.INT64, DataType.BOOL,
]);

/* eslint-disable @typescript-eslint/no-explicit-any */
export function decodeTensor(t: any, where: string): OnnxTensor {
  const name: string = t.name ?? "";
  const dims = (t.dims ?? []).map(num);
  const count = dims.reduce((a: number, b: number) => a * b, 1);
  const dataType: number = t.dataType ?? 0;
  if (t.dataLocation === 1) throw new OnnxError(`${where}: tensor '${name}' uses external data, which is not supported`);
  let values: number[] | Float32Array;
  const raw: Uint8Array | undefined = t.rawData && t.rawData.length ? t.rawData : undefined;
  if (raw) {
    const buf = new ArrayBuffer(raw.length);
    new Uint8Array(buf).set(raw);
    const dv = new DataView(buf);
    const width: Record<number, number> = {
      [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.INT16]: 2,
      [DataType.UINT16]: 2, [DataType.INT8]: 1, [DataType.UINT8]: 1, [DataType.BOOL]: 1,
    };
    const w = width[dataType];
    if (!w) throw new OnnxError(`${where}: tensor '${name}' has unsupported data type ${dataType}`);
    if (raw.length !== count * w)
      throw new OnnxError(`${where}: tensor '${name}' has ${raw.length} raw bytes, expected ${count * w} for dims [${dims}]`);
    values = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const o = i * w;
      switch (dataType) {
        case DataType.FLOAT: values[i] = dv.getFloat32(o, true); break;
        case DataType.DOUBLE: values[i] = dv.getFloat64(o, true); break;
        case DataType.INT64: values[i] = Number(dv.getBigInt64(o, true)); break;
        case DataType.INT32: values[i] = dv.getInt32(o, true); break;
        case DataType.INT16: values[i] = dv.getInt16(o, true); break;
        case DataType.UINT16: values[i] = dv.getUint16(o, true); break;
        case DataType.INT8: values[i] = dv.getInt8(o); break;
        default: values[i] = dv.getUint8(o);
      }
    }
  } else if (t.floatData?.length) values = t.floatData as number[];
  else if (t.doubleData?.length) values = t.doubleData as number[];
  else if (t.int64Data?.length) values = (t.int64Data as Long[]).map(num);
  else if (t.int32Data?.length) values = t.int32Data as number[];
  else if (t.uint64Data?.length) values = (t.uint64Data as Long[]).map(num);
  else values = [];
  if (values.length !== count)
    throw new OnnxError(`${where}: tensor '${name}' has ${values.length} values, expected ${count} for dims [${dims}]`);
  return {
    name,
    dims,
    dataType,
    data: Float32Array.from(values),
    ints: INT_TYPES.has(dataType) ? Array.from(values) : undefined,
  };
}

function decodeAttribute(a: any, where: string): OnnxAttribute {
  const w = `${where}, attribute '${a.name}'`;
  switch (a.type ?? 0) {
    case AttributeType.FLOAT: return a.f ?? 0;
    case AttributeType.INT: return num(a.i);
    case AttributeType.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case AttributeType.TENSOR: return decodeTensor(a.t ?? {}, w);
    case AttributeType.FLOATS: return Array.from(a.floats ?? []) as number[];
    case AttributeType.INTS: return (a.ints ?? []).map(num);
    case AttributeType.STRINGS: return (a.strings ?? []).map((s: Uint8Array) => new TextDecoder().decode(s));
    case AttributeType.GRAPH: return { kind: "graph", names: [a.g?.name ?? ""] };
    case AttributeType.GRAPHS: return { kind: "graph", names: (a.graphs ?? []).map((g: { name?: string }) => g.name ?? "") };
    default:
      throw new OnnxError(`${w} has unsupported attribute type ${a.type} (graphs/sparse tensors are not supported)`);
  }
}

function decodeValueInfo(v: any): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const dims = tt?.shape?.dim ?? [];
  return {
    name: v.name ?? "",
    elemType: tt?.elemType ?? 0,
    shape: dims.map((d: any) => (d.dimParam ? String(d.dimParam) : d.dimValue != null ? num(d.dimValue) : "?")),
  };
}

/** Decode an ONNX file. Throws OnnxError for truncated or structurally invalid files. */
export function readOnnxModel(bytes: Uint8Array): OnnxGraph {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new OnnxError("ONNX model is empty (0 bytes)");
  let m: any;
  try {
    m = ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxError(`ONNX model is not a valid protobuf ModelProto (truncated or corrupt, ${bytes.length} bytes): ${(e as Error).message}`);
  }
  const g = m.graph;
  if (!g) throw new OnnxError("ONNX model has no graph (is this an ONNX file?)");
  const opset = (m.opsetImport ?? []).find((o: any) => !o.domain || o.domain === "ai.onnx");
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name, decodeTensor(t, "initializer"));
  const nodes: OnnxNode[] = (g.node ?? []).map((n: any, i: number) => {
    const name = n.name || `${n.opType}_${i}`;
    const attributes: Record<string, OnnxAttribute> = {};
    for (const a of n.attribute ?? []) attributes[a.name] = decodeAttribute(a, `node '${name}' (${n.opType})`);
    return { name, op: n.opType ?? "", domain: n.domain ?? "", inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attributes };
  });
  if (nodes.some((n) => !n.op)) throw new OnnxError("ONNX model has a node without op_type (corrupt file?)");
  const inputs = (g.input ?? []).map(decodeValueInfo).filter((v: OnnxValueInfo) => !initializers.has(v.name));
  const outputs = (g.output ?? []).map(decodeValueInfo);
  if (outputs.length === 0) throw new OnnxError("ONNX graph declares no outputs");
  return {
    name: g.name ?? "",
    irVersion: num(m.irVersion),
    opset: opset ? num(opset.version) : 0,
    producer: m.producerName ?? "",
    inputs,
    outputs,
    initializers,
    nodes,
  };
}
