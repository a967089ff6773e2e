/**
 * The ezkl v21.0.0 GraphCircuit type tree as bincode schemas (ARTIFACT-FORMATS.md §2.2).
 * Field and variant order is the Rust declaration order; changing it breaks every compiled file.
 */
import { t, type Schema } from "../bincode/codec.js";

const usizePair = t.tuple(t.usize, t.usize);
const F32 = t.f32; // ezkl::circuit::utils::F32 serializes as a plain f32

export const Visibility = t.enumOf("Visibility", [
  ["Private", null],
  ["Public", null],
  ["Hashed", t.struct("Hashed", [["hash_is_public", t.bool], ["outlets", t.vec(t.usize)]])],
  ["KZGCommit", null],
  ["Fixed", null],
]);

export const InputType = t.enumOf("InputType", [
  ["Bool", null], ["F16", null], ["F32", null], ["F64", null], ["Int", null], ["TDim", null], ["Unknown", null],
]);
const DataFormat = t.enumOf("DataFormat", [["NCHW", null], ["NHWC", null], ["CHW", null], ["HWC", null]]);
const KernelFormat = t.enumOf("KernelFormat", [["HWIO", null], ["OIHW", null], ["OHWI", null]]);
export const CheckMode = t.enumOf("CheckMode", [["SAFE", null], ["UNSAFE", null]]);
const Commitments = t.enumOf("Commitments", [["KZG", null], ["IPA", null]]);

export const tensorOf = (of: Schema, name: string): Schema =>
  t.struct(name, [["inner", t.vec(of)], ["dims", t.vec(t.usize)], ["scale", t.option(t.i32)], ["visibility", t.option(Visibility)]]);
const TensorUsize = tensorOf(t.usize, "Tensor<usize>");

const st = (name: string, fields: [string, Schema][]) => t.struct(name, fields);
const scaleOnly = (name: string) => st(name, [["scale", F32]]);

export const PolyOp = t.enumOf("PolyOp", [
  ["Abs", null],
  ["Sign", null],
  ["LeakyReLU", st("LeakyReLU", [["slope", F32], ["scale", t.i32]])],
  ["GatherElements", st("GatherElements", [["dim", t.usize], ["constant_idx", t.option(TensorUsize)]])],
  ["GatherND", st("GatherND", [["batch_dims", t.usize], ["indices", t.option(TensorUsize)]])],
  ["ScatterElements", st("ScatterElements", [["dim", t.usize], ["constant_idx", t.option(TensorUsize)]])],
  ["ScatterND", st("ScatterND", [["constant_idx", t.option(TensorUsize)]])],
  ["MultiBroadcastTo", st("MultiBroadcastTo", [["shape", t.vec(t.usize)]])],
  ["Einsum", st("Einsum", [["equation", t.string]])],
  ["Conv", st("Conv", [["padding", t.vec(usizePair)], ["stride", t.vec(t.usize)], ["group", t.usize], ["data_format", DataFormat], ["kernel_format", KernelFormat]])],
  ["Downsample", st("Downsample", [["axis", t.usize], ["stride", t.isize], ["modulo", t.usize]])],
  ["DeConv", st("DeConv", [["padding", t.vec(usizePair)], ["output_padding", t.vec(t.usize)], ["stride", t.vec(t.usize)], ["group", t.usize], ["data_format", DataFormat], ["kernel_format", KernelFormat]])],
  ["Add", null],
  ["Sub", null],
  ["Neg", null],
  ["Mult", null],
  ["Identity", st("Identity", [["out_scale", t.option(t.i32)]])],
  ["Reshape", t.vec(t.usize)],
  ["MoveAxis", st("MoveAxis", [["source", t.usize], ["destination", t.usize]])],
  ["Flatten", t.vec(t.usize)],
  ["Pad", t.vec(usizePair)],
  ["Sum", st("Sum", [["axes", t.vec(t.usize)]])],
  ["MeanOfSquares", st("MeanOfSquares", [["axes", t.vec(t.usize)]])],
  ["Prod", st("Prod", [["axes", t.vec(t.usize)], ["len_prod", t.usize]])],
  ["Pow", t.u32],
  ["Concat", st("Concat", [["axis", t.usize]])],
  ["Slice", st("Slice", [["axis", t.usize], ["start", t.usize], ["end", t.usize]])],
  ["Iff", null],
  ["Resize", st("Resize", [["scale_factor", t.vec(t.usize)]])],
  ["Not", null],
  ["And", null],
  ["Or", null],
  ["Xor", null],
  ["Trilu", st("Trilu", [["upper", t.bool], ["k", t.i32]])],
]);

export const LookupOp = t.enumOf("LookupOp", [
  ["Div", st("Div", [["denom", F32]])],
  ["IsOdd", null],
  ["PowersOfTwo", scaleOnly("PowersOfTwo")],
  ["Ln", scaleOnly("Ln")],
  ["Sigmoid", scaleOnly("Sigmoid")],
  ["Exp", st("Exp", [["scale", F32], ["base", F32]])],
  ...(["Cos", "ACos", "Cosh", "ACosh", "Sin", "ASin", "Sinh", "ASinh", "Tan", "ATan", "Tanh", "ATanh", "Erf"].map(
    (n) => [n, scaleOnly(n)] as [string, Schema],
  )),
  ["Pow", st("Pow", [["scale", F32], ["a", F32]])],
  ["HardSwish", scaleOnly("HardSwish")],
]);

const scaleLegs = (n: string) => st(n, [["scale", F32], ["legs", t.usize]]);
export const HybridOp = t.enumOf("HybridOp", [
  ["Ln", scaleOnly("Ln")],
  ["Rsqrt", st("Rsqrt", [["input_scale", F32], ["output_scale", F32]])],
  ["Sqrt", scaleOnly("Sqrt")],
  ["RoundHalfToEven", scaleLegs("RoundHalfToEven")],
  ["Ceil", scaleLegs("Ceil")],
  ["Floor", scaleLegs("Floor")],
  ["Round", scaleLegs("Round")],
  ["Recip", st("Recip", [["input_scale", F32], ["output_scale", F32]])],
  ["Div", st("Div", [["denom", F32]])],
  ["ReduceMax", st("ReduceMax", [["axes", t.vec(t.usize)]])],
  ["ReduceArgMax", st("ReduceArgMax", [["dim", t.usize]])],
  ["SumPool", st("SumPool", [["padding", t.vec(usizePair)], ["stride", t.vec(t.usize)], ["kernel_shape", t.vec(t.usize)], ["normalized", t.bool], ["data_format", DataFormat]])],
  ["MaxPool", st("MaxPool", [["padding", t.vec(usizePair)], ["stride", t.vec(t.usize)], ["pool_dims", t.vec(t.usize)], ["data_format", DataFormat]])],
  ["ReduceMin", st("ReduceMin", [["axes", t.vec(t.usize)]])],
  ["ReduceArgMin", st("ReduceArgMin", [["dim", t.usize]])],
  ["Max", null],
  ["Min", null],
  ["Softmax", st("Softmax", [["input_scale", F32], ["output_scale", F32], ["axes", t.vec(t.usize)]])],
  ["Output", st("Output", [["decomp", t.bool]])],
  ["Greater", null],
  ["GreaterEqual", null],
  ["Less", null],
  ["LessEqual", null],
  ["Equals", null],
  ["Gather", st("Gather", [["dim", t.usize], ["constant_idx", t.option(TensorUsize)]])],
  ["TopK", st("TopK", [["dim", t.usize], ["k", t.usize], ["largest", t.bool]])],
  ["OneHot", st("OneHot", [["dim", t.usize], ["num_classes", t.usize]])],
]);

const InputOp = st("Input", [["scale", t.i32], ["datum_type", InputType], ["decomp", t.bool]]);
const ConstantOp = st("Constant", [
  ["quantized_values", tensorOf(t.fr, "Tensor<Fr>")],
  ["raw_values", tensorOf(t.f32, "Tensor<f32>")],
  ["decomp", t.bool],
]);

export const SupportedOp: Schema = t.enumOf("SupportedOp", [
  ["Linear", PolyOp],
  ["Nonlinear", LookupOp],
  ["Hybrid", HybridOp],
  ["Input", InputOp],
  ["Constant", ConstantOp],
  ["Unknown", st("Unknown", [])],
  ["Rescaled", t.lazy(() => st("Rescaled", [["inner", SupportedOp], ["scale", t.vec(t.tuple(t.usize, t.u128))]]))],
  ["RebaseScale", t.lazy(() => st("RebaseScale", [["inner", SupportedOp], ["rebase_op", HybridOp], ["target_scale", t.i32], ["original_scale", t.i32], ["multiplier", t.f64]]))],
]);

const Node = st("Node", [
  ["opkind", SupportedOp],
  ["out_scale", t.i32],
  ["inputs", t.vec(usizePair)],
  ["out_dims", t.vec(t.usize)],
  ["idx", t.usize],
  ["num_uses", t.usize],
]);

const OutputMapping = t.enumOf("OutputMapping", [
  ["Single", st("Single", [["outlet", t.usize], ["is_state", t.bool]])],
  ["Stacked", st("Stacked", [["outlet", t.usize], ["axis", t.usize], ["is_state", t.bool]])],
]);
const InputMapping = t.enumOf("InputMapping", [
  ["Full", null], ["State", null], ["Stacked", st("Stacked", [["axis", t.usize], ["chunk", t.usize]])],
]);

export const VarVisibility = st("VarVisibility", [["input", Visibility], ["params", Visibility], ["output", Visibility]]);

export const Model: Schema = t.lazy(() =>
  st("Model", [
    ["graph", st("ParsedNodes", [
      ["nodes", t.map(t.usize, NodeType)],
      ["inputs", t.vec(t.usize)],
      ["outputs", t.vec(usizePair)],
      ["output_types", t.vec(InputType)],
    ])],
    ["visibility", VarVisibility],
  ]),
);

const NodeType: Schema = t.enumOf("NodeType", [
  ["Node", Node],
  ["SubGraph", st("SubGraph", [
    ["model", Model],
    ["inputs", t.vec(usizePair)],
    ["idx", t.usize],
    ["output_mappings", t.vec(t.vec(OutputMapping))],
    ["input_mappings", t.vec(InputMapping)],
    ["out_dims", t.vec(t.vec(t.usize))],
    ["out_scales", t.vec(t.i32)],
  ])],
]);

export const RunArgs = st("RunArgs", [
  ["input_scale", t.i32],
  ["param_scale", t.i32],
  ["scale_rebase_multiplier", t.u32],
  ["lookup_range", t.tuple(t.i128, t.i128)],
  ["logrows", t.u32],
  ["num_inner_cols", t.usize],
  ["variables", t.vec(t.tuple(t.string, t.usize))],
  ["input_visibility", Visibility],
  ["output_visibility", Visibility],
  ["param_visibility", Visibility],
  ["rebase_frac_zero_constants", t.bool],
  ["check_mode", CheckMode],
  ["commitment", t.option(Commitments)],
  ["decomp_base", t.usize],
  ["decomp_legs", t.usize],
  ["bounded_log_lookup", t.bool],
  ["ignore_range_check_inputs_outputs", t.bool],
]);

export const GraphSettings = st("GraphSettings", [
  ["run_args", RunArgs],
  ["num_rows", t.usize],
  ["total_assignments", t.usize],
  ["total_const_size", t.usize],
  ["total_dynamic_col_size", t.usize],
  ["max_dynamic_input_len", t.usize],
  ["num_dynamic_lookups", t.usize],
  ["num_shuffles", t.usize],
  ["total_shuffle_col_size", t.usize],
  ["model_instance_shapes", t.vec(t.vec(t.usize))],
  ["model_output_scales", t.vec(t.i32)],
  ["model_input_scales", t.vec(t.i32)],
  ["module_sizes", st("ModuleSizes", [["polycommit", t.vec(t.usize)], ["poseidon", t.tuple(t.usize, t.vec(t.usize))]])],
  ["required_lookups", t.vec(LookupOp)],
  ["required_range_checks", t.vec(t.tuple(t.i128, t.i128))],
  ["check_mode", CheckMode],
  ["version", t.string],
  ["num_blinding_factors", t.option(t.usize)],
  ["timestamp", t.option(t.u128)],
  ["input_types", t.option(t.vec(InputType))],
  ["output_types", t.option(t.vec(InputType))],
]);

const ModuleForwardResult = st("ModuleForwardResult", [
  ["poseidon_hash", t.option(t.vec(t.fr))],
  ["polycommit", t.option(t.vec(t.vec(t.g1)))],
]);
const strs = t.vec(t.vec(t.string));
const PrettyElements = st("PrettyElements", [
  ["rescaled_inputs", strs], ["inputs", strs], ["processed_inputs", strs], ["processed_params", strs],
  ["processed_outputs", strs], ["rescaled_outputs", strs], ["outputs", strs],
]);

export const GraphWitness = st("GraphWitness", [
  ["inputs", t.vec(t.vec(t.fr))],
  ["pretty_elements", t.option(PrettyElements)],
  ["outputs", t.vec(t.vec(t.fr))],
  ["processed_inputs", t.option(ModuleForwardResult)],
  ["processed_params", t.option(ModuleForwardResult)],
  ["processed_outputs", t.option(ModuleForwardResult)],
  ["max_lookup_inputs", t.i128],
  ["min_lookup_inputs", t.i128],
  ["max_range_size", t.i128],
  ["version", t.option(t.string)],
]);

export const GraphCircuit = st("GraphCircuit", [
  ["core", st("CoreCircuit", [["model", Model], ["settings", GraphSettings]])],
  ["graph_witness", GraphWitness],
]);
