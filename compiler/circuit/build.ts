/** Assemble the ezkl GraphCircuit value and GraphSettings from a lowered model and sizing choices. */
import { encode } from "../bincode/codec.js";
import type { LoweredModel } from "../graph/lower.js";
import { GraphCircuit, GraphSettings } from "./schema.js";

export interface CircuitSizing {
  logrows: number;
  /** ezkl's total_assignments: sizes the number of advice column blocks */
  totalAssignments: number;
  totalConstSize: number;
  lookupRange: [number, number];
  decompBase: number;
  decompLegs: number;
  numInnerCols: number;
  /** shuffle column size (default 2x the shuffled cells + 64 when the model uses shuffles) */
  shuffleColSize?: number;
  /** shuffle arguments (default: the lowering's count) */
  shuffles?: number;
  /** dynamic lookups (variable-index gathers, argmax): count, column coordinates, largest table */
  dynamicLookups?: { count: number; colSize: number; maxInputLen: number };
  /** extra range checks besides the decomposition ones (the census's list: e.g. (0, 1) for boolean masks) */
  extraRangeChecks?: [number, number][];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export function buildSettings(m: LoweredModel, s: CircuitSizing): any {
  const ranges: [number, number][] = [[-1, 1], [0, s.decompBase - 1], ...m.rangeChecks, ...(s.extraRangeChecks ?? [])];
  const uniq = ranges.filter((r, i) => ranges.findIndex((q) => q[0] === r[0] && q[1] === r[1]) === i);
  return {
    run_args: {
      input_scale: m.inputScale,
      param_scale: m.paramScale,
      scale_rebase_multiplier: 1,
      lookup_range: s.lookupRange,
      logrows: s.logrows,
      num_inner_cols: s.numInnerCols,
      variables: [["batch_size", 1]],
      input_visibility: "Public",
      output_visibility: "Public",
      param_visibility: "Fixed",
      rebase_frac_zero_constants: false,
      check_mode: "UNSAFE",
      commitment: "KZG",
      decomp_base: s.decompBase,
      decomp_legs: s.decompLegs,
      bounded_log_lookup: false,
      ignore_range_check_inputs_outputs: false,
    },
    num_rows: Math.ceil(s.totalAssignments / s.numInnerCols),
    total_assignments: s.totalAssignments,
    total_const_size: s.totalConstSize,
    total_dynamic_col_size: s.dynamicLookups?.colSize ?? 0,
    max_dynamic_input_len: s.dynamicLookups?.maxInputLen ?? 0,
    num_dynamic_lookups: s.dynamicLookups?.count ?? 0,
    num_shuffles: s.shuffles ?? m.shuffle.count,
    total_shuffle_col_size: (s.shuffles ?? m.shuffle.count) ? s.shuffleColSize ?? 2 * m.shuffle.cells + 64 : 0,
    model_instance_shapes: [...m.inputs.map((i) => i.dims), ...m.outputs.map((o) => o.dims)],
    model_output_scales: m.outputs.map((o) => o.scale),
    model_input_scales: m.inputs.map((i) => i.scale),
    module_sizes: { polycommit: [], poseidon: [0, [0]] },
    required_lookups: m.lookups,
    required_range_checks: uniq,
    check_mode: "UNSAFE",
    version: "0.0.0",
    num_blinding_factors: null,
    timestamp: null,
    input_types: m.inputs.map((i) => i.datum),
    output_types: m.outputs.map(() => "F32"),
  };
}

export function buildCircuitValue(m: LoweredModel, settings: any): any {
  const nodes = m.nodes.map((n) => [
    n.idx,
    { Node: { opkind: n.opkind, out_scale: n.outScale, inputs: n.inputs.map((i) => [i, 0]), out_dims: n.outDims, idx: n.idx, num_uses: n.numUses } },
  ]);
  return {
    core: {
      model: {
        graph: { nodes, inputs: m.inputs.map((i) => i.idx), outputs: m.outputs.map((o) => [o.idx, 0]), output_types: m.outputs.map(() => "F32") },
        visibility: { input: "Public", params: "Fixed", output: "Public" },
      },
      settings,
    },
    graph_witness: {
      inputs: m.inputs.map((i) => new Array(i.dims.reduce((a, b) => a * b, 1)).fill(0n)),
      pretty_elements: null,
      outputs: [],
      processed_inputs: null,
      processed_params: null,
      processed_outputs: null,
      max_lookup_inputs: 0,
      min_lookup_inputs: 0,
      max_range_size: 0,
      version: null,
    },
  };
}

/** Compiled circuit bytes (bincode GraphCircuit) and settings.json bytes. */
export function encodeCircuit(m: LoweredModel, s: CircuitSizing): { compiled: Uint8Array; settings: Uint8Array; settingsValue: any } {
  const settingsValue = buildSettings(m, s);
  const compiled = encode(GraphCircuit, buildCircuitValue(m, settingsValue), "GraphCircuit");
  encode(GraphSettings, settingsValue, "GraphSettings"); // validates the settings shape
  const settings = new TextEncoder().encode(JSON.stringify(settingsValue));
  return { compiled, settings, settingsValue };
}
