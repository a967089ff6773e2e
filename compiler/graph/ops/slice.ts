/**
 * Slice -> one ezkl Slice{axis, start, end} per sliced axis (free: a view of assigned cells); a step
 * above 1 adds a Downsample. Starts/ends/axes/steps come from inputs (opset >= 10) or attributes, and are
 * clamped as ONNX does. Split -> one Slice per output.
 */
import { nodeValue, type LoweringContext, type OpContext, type OpLowering } from "../context.js";
import type { Value } from "../ir.js";
import { slice as sliceKernel, size, type Tensor } from "../tensor.js";
import { normAxes } from "./axes.js";

interface Cut { axis: number; start: number; end: number; step: number }

function cuts(n: OpContext, dims: number[]): Cut[] {
  const arg = (i: number, attr: string, d?: number[]): number[] | undefined => {
    if (n.ins[i]) {
      const t = n.constant(i);
      if (!t) throw n.unsupported(`Slice ${attr} must be constants`);
      return Array.from(t.data);
    }
    return n.has(attr) ? n.ints(attr, []) : d;
  };
  const starts = arg(1, "starts")!, ends = arg(2, "ends")!;
  const axes = normAxes(arg(3, "axes", starts.map((_, i) => i))!, dims.length);
  const steps = arg(4, "steps", starts.map(() => 1))!;
  return axes.map((axis, i) => {
    const d = dims[axis], step = steps[i];
    if (step < 1) throw n.unsupported("negative or zero steps");
    const clamp = (v: number) => Math.min(d, Math.max(0, v < 0 ? v + d : v));
    return { axis, start: clamp(starts[i]), end: clamp(ends[i]), step };
  });
}

function applyCut(x: Tensor, c: Cut): Tensor {
  return sliceKernel(x, c.axis, c.start, c.end, c.step);
}

/** Slice node(s) for one cut on circuit node x. */
export function sliceNode(g: LoweringContext, x: number, c: Cut, source: string): number {
  let y = x;
  if (c.start !== 0 || c.end !== g.dimsOf(x)[c.axis]) {
    y = g.op({ Linear: { Slice: { axis: c.axis, start: c.start, end: c.end } } }, g.scaleOf(x), [y], (v) => sliceKernel(v[0], c.axis, c.start, c.end), "Slice", source);
  }
  if (c.step > 1) {
    y = g.op({ Linear: { Downsample: { axis: c.axis, stride: c.step, modulo: 0 } } }, g.scaleOf(y), [y], (v) => sliceKernel(v[0], c.axis, 0, v[0].dims[c.axis], c.step), "Downsample", source);
  }
  return y;
}

export const slice: OpLowering = {
  ops: ["Slice"],
  fold(n) {
    let x = n.constant(0)!;
    for (const c of cuts(n, x.dims)) x = applyCut(x, c);
    return x;
  },
  lower(n) {
    let y = n.requireVariable(0);
    for (const c of cuts(n, n.g.dimsOf(y))) y = sliceNode(n.g, y, c, n.name);
    return nodeValue(y);
  },
};

/** The (start, end) of each Split output along the axis. */
function parts(n: OpContext, dims: number[]): { axis: number; bounds: [number, number][] } {
  let axis = n.int("axis", 0);
  if (axis < 0) axis += dims.length;
  const d = dims[axis], k = n.node.outputs.length;
  let sizes: number[];
  const t = n.ins[1] ? n.constant(1) : undefined;
  if (n.ins[1] && !t) throw n.unsupported("split sizes must be constants");
  if (t) sizes = Array.from(t.data);
  else if (n.has("split")) sizes = n.ints("split", []);
  else {
    const each = Math.ceil(d / k);
    sizes = Array.from({ length: k }, (_, i) => Math.min(each, d - i * each));
  }
  let at = 0;
  return { axis, bounds: sizes.map((s) => [at, (at += s)] as [number, number]) };
}

export const split: OpLowering = {
  ops: ["Split"],
  fold(n) {
    const x = n.constant(0)!;
    const { axis, bounds } = parts(n, x.dims);
    return bounds.map(([a, b]) => sliceKernel(x, axis, a, b));
  },
  lower(n): Value[] {
    const x = n.requireVariable(0);
    const { axis, bounds } = parts(n, n.g.dimsOf(x));
    if (size([bounds.at(-1)![1]]) !== n.g.dimsOf(x)[axis]) throw n.unsupported(`split sizes add up to ${bounds.at(-1)![1]}, the axis has ${n.g.dimsOf(x)[axis]}`);
    return bounds.map(([a, b]) => nodeValue(sliceNode(n.g, x, { axis, start: a, end: b, step: 1 }, n.name)));
  },
};
