/** Axis arguments shared by the reduction and shape ops: from an input (newer opsets) or an attribute. */
import type { OpContext } from "../context.js";

/** Normalize possibly negative axes against a rank. */
export const normAxes = (axes: number[], rank: number) => axes.map((a) => (a < 0 ? a + rank : a));

/**
 * The reduction axes of node `n` over a tensor of rank `rank`: input `inputIdx` if present, else the
 * `axes` attribute; empty means every axis unless noop_with_empty_axes is set (then: none).
 */
export function reductionAxes(n: OpContext, rank: number, inputIdx = 1): number[] {
  const t = n.constant(inputIdx);
  if (n.ins[inputIdx] && !t) throw n.unsupported("the axes input must be a constant");
  const raw = t ? Array.from(t.data) : n.ints("axes", []);
  if (raw.length === 0) return n.int("noop_with_empty_axes", 0) ? [] : Array.from({ length: rank }, (_, i) => i);
  return [...new Set(normAxes(raw, rank))].sort((a, b) => a - b);
}

/** The output dims of a reduction: reduced axes kept as 1 (keepdims) or dropped. */
export const reducedDims = (dims: number[], axes: number[], keep: boolean) =>
  keep ? dims.map((d, i) => (axes.includes(i) ? 1 : d)) : dims.filter((_, i) => !axes.includes(i));
