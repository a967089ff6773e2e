/**
 * Batch versions of a model: the same graph with its leading (batch) dimension set to N, so one proof covers N
 * requests. The compiler lowers whatever shapes the ONNX declares, so a batch version is an ONNX rewrite before
 * compiling: every graph input's and output's leading dimension (1 or symbolic) becomes N, and the intermediate
 * shape annotations (value_info, which would still say 1) are dropped. The graph itself must treat the leading axis
 * as a batch: Gemm/MatMul/elementwise/activation graphs do; a Reshape to a constant shape with a leading 1 does not
 * (its lowering fails, or the build's accuracy check against onnxruntime shows it).
 *
 * Instance order (what a batch proof's public instances are): EZKL flattens each public tensor row-major and
 * concatenates inputs then outputs, so for an [N, k] input and an [N, m] output the instances are
 *   in[0][0..k) ‖ in[1][0..k) ‖ … ‖ in[N-1][0..k) ‖ out[0][0..m) ‖ … ‖ out[N-1][0..m)
 * i.e. every slot's input in slot order, then every slot's output in slot order (`batchInstances`). The hub
 * rebuilds exactly this vector (contracts/libraries/Instances.sol, `buildBatch`).
 */
import { ModelProto } from "./onnx/proto.js";
import { CompileError } from "./graph/lower.js";

/** Largest batch a version may declare (a batch-64 iris circuit is already logrows 12; the hub loops over N). */
export const MAX_BATCH = 64;

export function checkBatch(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH) throw new CompileError(`option batch must be an integer in [1, ${MAX_BATCH}], got ${n}`);
}

/** The ONNX model with every graph input's and output's leading dimension set to `n` (n = 1 returns the bytes unchanged). */
export function batchOnnx(onnx: Uint8Array, n: number): Uint8Array {
  checkBatch(n);
  if (n === 1) return onnx;
  /* eslint-disable-next-line @typescript-eslint/no-explicit-any */
  const m: any = ModelProto.toObject(ModelProto.decode(onnx), { defaults: false });
  const g = m.graph;
  const initializers = new Set<string>((g.initializer ?? []).map((t: { name: string }) => t.name));
  /* eslint-disable-next-line @typescript-eslint/no-explicit-any */
  const setLeading = (v: any, kind: string) => {
    if (initializers.has(v.name)) return;
    const dims = v.type?.tensorType?.shape?.dim;
    if (!dims?.length) throw new CompileError(`batch: ${kind} '${v.name}' has no declared shape, so it has no batch dimension to set`);
    const d0 = dims[0];
    const isOne = d0.dimValue !== undefined && Number(d0.dimValue) === 1;
    const symbolic = d0.dimParam !== undefined || d0.dimValue === undefined;
    if (!isOne && !symbolic) throw new CompileError(`batch: ${kind} '${v.name}' has leading dimension ${d0.dimValue}, expected 1 or symbolic (the batch axis)`);
    dims[0] = { dimValue: n };
  };
  for (const v of g.input ?? []) setLeading(v, "input");
  for (const v of g.output ?? []) setLeading(v, "output");
  delete g.valueInfo; // intermediate shapes declared at batch 1; the compiler and onnxruntime infer them again
  return ModelProto.encode(ModelProto.fromObject(m)).finish();
}

/** The public instance vector of a batch proof: every slot's input in slot order, then every slot's output. */
export function batchInstances<T>(inputs: readonly (readonly T[])[], outputs: readonly (readonly T[])[]): T[] {
  if (inputs.length !== outputs.length) throw new Error(`batchInstances: ${inputs.length} inputs but ${outputs.length} outputs`);
  return [...inputs.flat(), ...outputs.flat()];
}

/** N per-slot calibration samples grouped into one batch sample each (slot j of sample i is samples[(i + j) % len]). */
export function batchSamples(samples: readonly number[][], n: number): number[][] {
  if (n === 1) return samples.map((s) => [...s]);
  return samples.map((_, i) => Array.from({ length: n }, (__, j) => samples[(i + j) % samples.length]).flat());
}
