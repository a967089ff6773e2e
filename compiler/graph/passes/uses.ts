import type { OnnxGraph, OnnxNode } from "../../onnx/read.js";

/** How many times the value `name` is read: as an input of `nodes` (a node reading it twice counts once) or as a graph output. A rewrite may only drop a value read once. */
export function useCount(nodes: readonly OnnxNode[], g: OnnxGraph, name: string): number {
  return nodes.filter((n) => n.inputs.includes(name)).length + (g.outputs.some((o) => o.name === name) ? 1 : 0);
}
