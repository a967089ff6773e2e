/**
 * RNN, GRU and LSTM over a static sequence, unrolled: per time step the gates are one Einsum with the
 * input weights (plus one with the recurrence weights after the first step), bias Adds, Sigmoid/Tanh
 * lookups and rebased products. Forward, reverse and bidirectional; default activations only;
 * layout 0 ([seq, batch, input]); sequence_lens must be absent (every sequence full length).
 * Outputs: Y [seq, directions, batch, hidden], Y_h [directions, batch, hidden], Y_c (LSTM).
 */
import { nodeValue, type LoweringContext, type OpContext, type OpLowering } from "../context.js";
import type { Value } from "../ir.js";
import { binary, concat, einsum, map, reshape, sigmoid, slice as sliceKernel, tensor, transpose, type Tensor } from "../tensor.js";
import { addSub, mul } from "./compose.js";
import { LOOKUPS, lookupOpFor } from "./nonlinear.js";

const GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };

interface Cell {
  g: LoweringContext;
  n: OpContext;
  hidden: number;
  W: Tensor; // [gates*hidden, input]
  R: Tensor; // [gates*hidden, hidden]
  b?: Tensor; // [gates*hidden] (Wb + Rb; GRU with linear_before_reset keeps Rb of the new gate apart)
  rbNew?: Tensor; // GRU linear_before_reset: Rb of the h gate
}

const act = (c: Cell, op: "Sigmoid" | "Tanh", x: number) => c.g.lookup(x, lookupOpFor(op, c.g.scaleOf(x)), LOOKUPS[op][1], op, c.n.name);
const cols = (t: Tensor, from: number, to: number) => sliceKernel(t, 0, from, to);

/** x·Wᵀ for rows [from, to) of W (a [batch, to-from] node). */
function proj(c: Cell, x: number, W: Tensor, from: number, to: number): number {
  const wq = c.g.constant(transpose(cols(W, from, to), [1, 0]), c.g.paramScale, c.n.name);
  return c.g.op({ Linear: { Einsum: { equation: "mk,kn->mn" } } }, c.g.scaleOf(x) + c.g.scaleOf(wq), [x, wq], (v) => einsum("mk,kn->mn", v[0], v[1]), "Einsum", c.n.name);
}

function addBias(c: Cell, x: number, b: Tensor | undefined, from: number, to: number): number {
  if (!b) return x;
  const bq = c.g.constant(reshape(sliceKernel(b, 0, from, to), [1, to - from]), c.g.scaleOf(x), c.n.name);
  return c.g.op({ Linear: "Add" }, c.g.scaleOf(x), [x, bq], (v) => binary(v[0], v[1], (p, q) => p + q, c.n.where), "Add", c.n.name);
}

/** pre-activation of gate k: x Wkᵀ + h Rkᵀ + b */
function gate(c: Cell, x: number, h: number | undefined, k: number): number {
  const [from, to] = [k * c.hidden, (k + 1) * c.hidden];
  let z = proj(c, x, c.W, from, to);
  if (h !== undefined) z = addSub(c.g, z, proj(c, h, c.R, from, to), "Add", c.n.name);
  return addBias(c, z, c.b, from, to);
}

function oneMinus(c: Cell, z: number): number {
  const one = c.g.constant(tensor([1, 1], [1]), c.g.scaleOf(z), c.n.name);
  return c.g.op({ Linear: "Sub" }, c.g.scaleOf(z), [one, z], (v) => binary(v[0], v[1], (p, q) => p - q, c.n.where), "Sub", c.n.name);
}

function step(c: Cell, x: number, h: number | undefined, cs: number | undefined): { h: number; c?: number } {
  const g = c.g, name = c.n.name;
  switch (c.n.op) {
    case "RNN":
      return { h: act(c, "Tanh", gate(c, x, h, 0)) };
    case "LSTM": {
      const i = act(c, "Sigmoid", gate(c, x, h, 0));
      const o = act(c, "Sigmoid", gate(c, x, h, 1));
      const f = act(c, "Sigmoid", gate(c, x, h, 2));
      const cand = act(c, "Tanh", gate(c, x, h, 3));
      const ic = mul(g, i, cand, name);
      const cNew = cs === undefined ? ic : addSub(g, mul(g, f, cs, name), ic, "Add", name);
      return { h: mul(g, o, act(c, "Tanh", cNew), name), c: cNew };
    }
    default: {
      // GRU: z, r, h gates
      const z = act(c, "Sigmoid", gate(c, x, h, 0));
      const r = act(c, "Sigmoid", gate(c, x, h, 1));
      const [from, to] = [2 * c.hidden, 3 * c.hidden];
      let pre = addBias(c, proj(c, x, c.W, from, to), c.b, from, to);
      const lbr0 = c.n.int("linear_before_reset", 0) === 1;
      if (h === undefined && lbr0 && c.rbNew) {
        // zero state: r ⊙ (0·Rᵀ + Rb) = r ⊙ Rb
        const rb = g.constant(reshape(c.rbNew, [1, c.hidden]), g.paramScale, name);
        const rec = g.op({ Linear: "Mult" }, g.scaleOf(r) + g.paramScale, [r, rb], (v) => binary(v[0], v[1], (p, q) => p * q, c.n.where), "Mult", name);
        pre = addSub(g, pre, rec, "Add", name);
      }
      if (h !== undefined) {
        const lbr = c.n.int("linear_before_reset", 0) === 1;
        const rec = lbr ? mul(g, r, addBias(c, proj(c, h, c.R, from, to), c.rbNew, 0, c.hidden), name) : proj(c, mul(g, r, h, name), c.R, from, to);
        pre = addSub(g, pre, rec, "Add", name);
      }
      const hc = act(c, "Tanh", pre);
      const keep = oneMinus(c, z);
      const hNew = mul(g, keep, hc, name);
      return { h: h === undefined ? hNew : addSub(g, hNew, mul(g, z, h, name), "Add", name) };
    }
  }
}

/** float reference of the whole op (Y, Y_h, Y_c) for constant folding */
function floatRnn(n: OpContext, X: Tensor, Ws: Tensor, Rs: Tensor, Bs: Tensor | undefined): Tensor[] {
  const gates = GATES[n.op], hidden = n.int("hidden_size", Ws.dims[1] / gates);
  const dirs = Ws.dims[0], [seq, batch] = X.dims;
  const ys: Tensor[] = [], hs: Tensor[] = [], cs: Tensor[] = [];
  for (let d = 0; d < dirs; d++) {
    const W = reshape(sliceKernel(Ws, 0, d, d + 1), Ws.dims.slice(1)), R = reshape(sliceKernel(Rs, 0, d, d + 1), Rs.dims.slice(1));
    const B = Bs ? reshape(sliceKernel(Bs, 0, d, d + 1), [Bs.dims[1]]) : undefined;
    let h = tensor([batch, hidden]), c = tensor([batch, hidden]);
    const out: Tensor[] = new Array(seq);
    const reverse = n.string("direction", "forward") === "reverse" || d === 1;
    for (let s = 0; s < seq; s++) {
      const t = reverse ? seq - 1 - s : s;
      const x = reshape(sliceKernel(X, 0, t, t + 1), [batch, X.dims[2]]);
      const lin = (M: Tensor, v: Tensor, k: number) => einsum("mk,nk->mn", v, cols(M, k * hidden, (k + 1) * hidden));
      const bias = (k: number, off = 0) => (B ? reshape(sliceKernel(B, 0, off + k * hidden, off + (k + 1) * hidden), [1, hidden]) : tensor([1, hidden]));
      const add = (a: Tensor, b: Tensor) => binary(a, b, (p, q) => p + q, "");
      const mulT = (a: Tensor, b: Tensor) => binary(a, b, (p, q) => p * q, "");
      const pre = (k: number) => add(add(lin(W, x, k), lin(R, h, k)), add(bias(k), bias(k, gates * hidden)));
      if (n.op === "RNN") h = map(pre(0), Math.tanh);
      else if (n.op === "LSTM") {
        const i = map(pre(0), sigmoid), o = map(pre(1), sigmoid), f = map(pre(2), sigmoid), cc = map(pre(3), Math.tanh);
        c = add(mulT(f, c), mulT(i, cc));
        h = mulT(o, map(c, Math.tanh));
      } else {
        const z = map(pre(0), sigmoid), r = map(pre(1), sigmoid);
        const lbr = n.int("linear_before_reset", 0) === 1;
        const xh = add(lin(W, x, 2), bias(2));
        const rec = lbr ? mulT(r, add(lin(R, h, 2), bias(2, gates * hidden))) : add(lin(R, mulT(r, h), 2), bias(2, gates * hidden));
        const hc = map(add(xh, rec), Math.tanh);
        h = add(mulT(map(z, (v) => 1 - v), hc), mulT(z, h));
      }
      out[t] = h;
    }
    ys.push(concat(out.map((o) => reshape(o, [1, 1, batch, hidden])), 0));
    hs.push(reshape(h, [1, batch, hidden]));
    cs.push(reshape(c, [1, batch, hidden]));
  }
  return [concat(ys, 1), concat(hs, 0), concat(cs, 0)];
}

export const rnn: OpLowering = {
  ops: ["RNN", "GRU", "LSTM"],
  fold: (n) => floatRnn(n, n.constant(0)!, n.constant(1)!, n.constant(2)!, n.constant(3)).slice(0, n.node.outputs.length),
  lower(n): Value[] {
    const g = n.g;
    const x = n.requireVariable(0);
    const [Ws, Rs] = [n.constant(1), n.constant(2)];
    const Bs = n.constant(3);
    if (!Ws || !Rs || (n.ins[3] && !Bs)) throw n.unsupported("weights and biases must be constants");
    if (n.ins[4]) throw n.unsupported("sequence_lens (every sequence must be full length)");
    if (n.ins[5] || n.ins[6]) throw n.unsupported("initial_h / initial_c (the state starts at zero)");
    if (n.int("layout", 0) !== 0) throw n.unsupported("layout=1");
    if (n.has("activations") || n.has("clip") || n.int("input_forget", 0)) throw n.unsupported("custom activations, clip or input_forget");
    if (n.op === "LSTM" && n.ins[7]) throw n.unsupported("peepholes");
    const gates = GATES[n.op];
    const hidden = n.int("hidden_size", Ws.dims[1] / gates);
    const [seq, batch, inSize] = g.dimsOf(x);
    const dirs = Ws.dims[0];
    const direction = n.string("direction", "forward");
    const ys: number[][] = [], hs: number[] = [], cs: number[] = [];
    for (let d = 0; d < dirs; d++) {
      const W = reshape(sliceKernel(Ws, 0, d, d + 1), [gates * hidden, inSize]);
      const R = reshape(sliceKernel(Rs, 0, d, d + 1), [gates * hidden, hidden]);
      let b: Tensor | undefined, rbNew: Tensor | undefined;
      if (Bs) {
        const B = reshape(sliceKernel(Bs, 0, d, d + 1), [2 * gates * hidden]);
        const wb = sliceKernel(B, 0, 0, gates * hidden), rb = sliceKernel(B, 0, gates * hidden, 2 * gates * hidden);
        b = binary(wb, rb, (p, q) => p + q, n.where);
        if (n.op === "GRU" && n.int("linear_before_reset", 0) === 1) {
          // the h gate's recurrence bias sits inside r ⊙ (h Rᵀ + Rb)
          b = concat([sliceKernel(b, 0, 0, 2 * hidden), sliceKernel(wb, 0, 2 * hidden, 3 * hidden)], 0);
          rbNew = sliceKernel(rb, 0, 2 * hidden, 3 * hidden);
        }
      }
      const cell: Cell = { g, n, hidden, W, R, b, rbNew };
      const reverse = direction === "reverse" || d === 1;
      let h: number | undefined, c: number | undefined;
      const out: number[] = new Array(seq);
      for (let s = 0; s < seq; s++) {
        const t = reverse ? seq - 1 - s : s;
        const xt0 = seq === 1 ? x : g.op({ Linear: { Slice: { axis: 0, start: t, end: t + 1 } } }, g.scaleOf(x), [x], (v) => sliceKernel(v[0], 0, t, t + 1), "Slice", n.name);
        const xt = g.op({ Linear: { Reshape: [batch, inSize] } }, g.scaleOf(xt0), [xt0], (v) => reshape(v[0], [batch, inSize]), "Reshape", n.name);
        const r = step(cell, xt, h, c);
        h = r.h;
        c = r.c;
        out[t] = g.op({ Linear: { Reshape: [1, 1, batch, hidden] } }, g.scaleOf(h), [h], (v) => reshape(v[0], [1, 1, batch, hidden]), "Reshape", n.name);
      }
      ys.push(out);
      hs.push(g.op({ Linear: { Reshape: [1, batch, hidden] } }, g.scaleOf(h!), [h!], (v) => reshape(v[0], [1, batch, hidden]), "Reshape", n.name));
      if (c !== undefined) cs.push(g.op({ Linear: { Reshape: [1, batch, hidden] } }, g.scaleOf(c), [c], (v) => reshape(v[0], [1, batch, hidden]), "Reshape", n.name));
    }
    const cat = (ins: number[], axis: number) => {
      if (ins.length === 1) return ins[0];
      const h = g.homogenize({ Linear: { Concat: { axis } } }, ins, ins.map((_, i) => i));
      return g.op(h.opkind, h.scale, ins, (v) => concat(v, axis), "Concat", n.name);
    };
    const Y = cat(ys.map((perDir) => cat(perDir, 0)), 1);
    const outs: Value[] = [nodeValue(Y), nodeValue(cat(hs, 0))];
    if (n.op === "LSTM") outs.push(nodeValue(cat(cs, 0)));
    return outs;
  },
};
