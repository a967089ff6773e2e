/**
 * The reference oracle for the compiler: EZKL's own pipeline (gen_settings, calibrate_settings, compile_circuit,
 * gen_witness of the native `ezkl==21.0.0`) run on the same ONNX and inputs as the project's compiler, and the
 * comparisons the oracle test makes: settings fields that must agree, the compiled circuit's structure, and witness
 * outputs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256 } from "viem";
import { decode, FR_MODULUS } from "../../compiler/bincode/codec.js";
import { GraphCircuit } from "../../compiler/circuit/schema.js";
import { ModelProto } from "../../compiler/onnx/proto.js";
import type { NativeChild } from "../../workers/proofs/native/child.js";

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * EZKL (through tract) needs what ONNX lets a model leave implicit: explicit `strides` on Conv and pooling nodes
 * (ONNX default: 1 per spatial axis; ezkl: "a node is missing required params: stride"), and concrete graph
 * input/output dims (a symbolic batch next to a Reshape to a literal 1 fails tract's analysis). Both rewrites keep
 * the model's meaning at batch size 1; they are listed per model as notes.
 */
export function ezklReadyOnnx(onnx: Uint8Array): { bytes: Uint8Array; notes: string[] } {
  const m: any = ModelProto.decode(onnx);
  const notes = new Set<string>();
  for (const n of m.graph.node) {
    if (!["Conv", "ConvTranspose", "AveragePool", "MaxPool"].includes(n.opType)) continue;
    if (n.attribute.some((a: any) => a.name === "strides")) continue;
    const k = n.attribute.find((a: any) => a.name === "kernel_shape");
    const spatial = k ? k.ints.length : 2;
    n.attribute.push({ name: "strides", type: 7, ints: Array(spatial).fill(1) });
    notes.add(`explicit strides=1 on ${n.opType} (ONNX default; EZKL requires the attribute)`);
  }
  for (const v of [...m.graph.input, ...m.graph.output]) {
    for (const d of v.type?.tensorType?.shape?.dim ?? []) {
      if (d.dimParam) {
        notes.add(`symbolic dim '${d.dimParam}' pinned to 1`);
        delete d.dimParam; // one of dimValue | dimParam: a present empty dimParam would win
        d.dimValue = 1;
      }
    }
  }
  return { bytes: ModelProto.encode(m).finish(), notes: [...notes] };
}

/** A compiled circuit, normalised so that EZKL's and the project's compare. tract (EZKL's ONNX front end) orders
 *  nodes differently (constants next to their first use), turns Flatten into Reshape, adds or drops shape-only
 *  nodes and squeezes unit axes (out_dims [8] vs [1, 8], einsum "mk,nk->n" vs "mk,nk->mn"). So: the ops that compute
 *  (everything but inputs, constants and shape-only nodes) in order, with scale and element count; the constants as
 *  a multiset of (scale, visibility, values); einsum equations left out (the witness comparison checks them). */
export interface CircuitShape {
  ops: { kind: string; scale: number; size: number }[];
  constants: string[];
}

const SHAPE_ONLY = new Set(["Reshape", "Flatten", "Identity"]);

function normaliseOp(op: any): any {
  if (op === null || typeof op !== "object") return typeof op === "bigint" ? String(op) : op;
  if (Array.isArray(op) || op instanceof Uint8Array) return "[…]";
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(op)) if (k !== "equation") out[k] = normaliseOp(v);
  return out;
}

export function circuitShape(compiled: Uint8Array): CircuitShape {
  const v = decode(GraphCircuit, compiled).value;
  const shape: CircuitShape = { ops: [], constants: [] };
  for (const [, n] of v.core.model.graph.nodes as [number, any][]) {
    const node = n.Node;
    if (!node) {
      shape.ops.push({ kind: `SubGraph`, scale: 0, size: 0 });
      continue;
    }
    const op = node.opkind;
    const size = (node.out_dims as number[]).reduce((a, b) => a * b, 1);
    if (op.Input) continue;
    if (op.Constant) {
      const q = op.Constant.quantized_values;
      const values = keccak256(new TextEncoder().encode((q.inner as unknown[]).map(String).join(","))).slice(0, 18);
      shape.constants.push(`${size} values at scale ${q.scale} (${JSON.stringify(q.visibility)}) ${values}`);
      continue;
    }
    if (op.Linear && typeof op.Linear === "object" && Object.keys(op.Linear).some((k) => SHAPE_ONLY.has(k))) continue;
    shape.ops.push({ kind: JSON.stringify(normaliseOp(op)), scale: node.out_scale, size });
  }
  shape.constants.sort();
  return shape;
}

/** Differences between two normalised circuits, as short lines (empty when they agree). */
export function compareShapes(ours: CircuitShape, theirs: CircuitShape): string[] {
  const out: string[] = [];
  if (ours.ops.length !== theirs.ops.length) out.push(`${ours.ops.length} ops vs EZKL's ${theirs.ops.length}: [${ours.ops.map((o) => o.kind.slice(2, 30)).join(", ")}] vs [${theirs.ops.map((o) => o.kind.slice(2, 30)).join(", ")}]`);
  else
    for (let i = 0; i < ours.ops.length && out.length < 4; i++) {
      const a = ours.ops[i], b = theirs.ops[i];
      if (a.kind !== b.kind) out.push(`op ${i}: ${a.kind.slice(0, 160)} vs EZKL ${b.kind.slice(0, 160)}`);
      else if (a.scale !== b.scale || a.size !== b.size) out.push(`op ${i} ${a.kind.slice(0, 60)}: scale ${a.scale}, ${a.size} values vs EZKL scale ${b.scale}, ${b.size} values`);
    }
  const missing = theirs.constants.filter((c) => !ours.constants.includes(c));
  const extra = ours.constants.filter((c) => !theirs.constants.includes(c));
  if (missing.length || extra.length) out.push(`constants: only EZKL's circuit has [${missing.join("; ")}], only ours has [${extra.join("; ")}]`);
  return out;
}

const signed = (v: bigint) => (v > FR_MODULUS / 2n ? v - FR_MODULUS : v);
/** Output fixed-point integers of a witness JSON (first output). */
export function witnessOutputs(witnessJson: string): bigint[] {
  const w = JSON.parse(witnessJson);
  return (w.pretty_elements.outputs[0] as string[]).map((h) => signed(BigInt(h)));
}

/** Run args the project's compiler uses (public input and output, fixed weights), at `scale`. */
export const projectRunArgs = (scale: number) => ({ input_visibility: "public", output_visibility: "public", param_visibility: "fixed", input_scale: scale, param_scale: scale });

/** EZKL's own pipeline on `onnx`: gen_settings, calibrate_settings ("resources", at the given scale and decomposition),
 *  compile_circuit. Returns its settings and compiled circuit (files under `dir`). */
export async function ezklPipeline(
  ezkl: NativeChild,
  dir: string,
  name: string,
  onnx: Uint8Array,
  samples: number[][],
  o: { scale: number; decompBase: number; decompLegs: number },
): Promise<{ settings: any; settingsPath: string; compiledPath: string; model: string }> {
  const model = join(dir, `${name}.onnx`);
  const data = join(dir, `${name}.calibration.json`);
  const settingsPath = join(dir, `${name}.ezkl-settings.json`);
  const compiledPath = join(dir, `${name}.ezkl.compiled`);
  writeFileSync(model, onnx);
  writeFileSync(data, JSON.stringify({ input_data: [samples.flat()] }));
  await ezkl.call("genSettings", { model, settings: settingsPath, runArgs: { ...projectRunArgs(o.scale), decomp_base: o.decompBase, decomp_legs: o.decompLegs } });
  await ezkl.call("calibrate", { data, model, settings: settingsPath, target: "resources", scales: [o.scale], scaleRebaseMultiplier: [1] });
  await ezkl.call("compile", { model, compiled: compiledPath, settings: settingsPath });
  return { settings: JSON.parse(readFileSync(settingsPath, "utf8")), settingsPath, compiledPath, model };
}

/** Settings fields that must agree between two circuits of the same model at the same scales. */
export const MUST_AGREE = [
  "model_instance_shapes",
  "model_input_scales",
  "model_output_scales",
  "required_lookups",
  "num_dynamic_lookups",
  "input_types",
  "output_types",
  "run_args.input_visibility",
  "run_args.output_visibility",
  "run_args.param_visibility",
  "run_args.input_scale",
  "run_args.param_scale",
] as const;

/** Sizing fields each calibration chooses for itself: reported side by side, not compared. */
export const SIZING = ["run_args.logrows", "num_rows", "total_assignments", "total_const_size", "run_args.lookup_range", "num_shuffles", "total_shuffle_col_size", "required_range_checks"] as const;

export const field = (s: any, path: string): unknown => path.split(".").reduce((o, k) => (o === undefined ? undefined : o[k]), s);

/** JSON with every non-integer number rounded to f32 (EZKL's F32 fields), and lists of lookups as sets. */
function canonical(path: string, v: unknown): string {
  const round = (x: unknown): unknown => (typeof x === "number" && !Number.isInteger(x) ? Math.fround(x) : Array.isArray(x) ? x.map(round) : x && typeof x === "object" ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, round(y)])) : x);
  const r = round(v);
  return path === "required_lookups" && Array.isArray(r) ? JSON.stringify(r.map((x) => JSON.stringify(x)).sort()) : JSON.stringify(r);
}

/** Settings fields whose values differ (f32 fields compared as f32; lookups as a set), and fields whose JSON text
 *  differs although the values are equal (formatting: EZKL writes f32 fields with f32's shortest digits). */
export function compareSettings(ours: any, theirs: any): { values: string[]; formatting: string[] } {
  const values: string[] = [];
  const formatting: string[] = [];
  for (const f of MUST_AGREE) {
    const a = field(ours, f), b = field(theirs, f);
    if (canonical(f, a) !== canonical(f, b)) values.push(`${f}: ${JSON.stringify(a)} vs EZKL ${JSON.stringify(b)}`);
    else if (f === "required_lookups" && JSON.stringify([...(a as unknown[])].map((x) => JSON.stringify(x)).sort()) !== JSON.stringify([...(b as unknown[])].map((x) => JSON.stringify(x)).sort()))
      formatting.push(`${f}: ${JSON.stringify(a)} vs EZKL ${JSON.stringify(b)}`);
  }
  return { values, formatting };
}
