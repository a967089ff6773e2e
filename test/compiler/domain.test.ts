/**
 * Interval rules of the admitted input domain (compiler/domain.ts) for the nonlinear ops: for each small model the
 * calibration box is admitted, and at the box's extreme corners and seeded random points inside it every node's
 * simulated value lies inside its interval, the engine's witness succeeds (no range check overflows, every lookup is
 * in its table) and its outputs lie inside the output intervals. Boxes the circuit cannot take are refused, and the
 * engine indeed fails on a point of them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { compileModel } from "../../compiler/compile.js";
import { analyzeBox, declaredAdmission, deriveAdmission, domainProblem, type Admission, type CircuitRanges } from "../../compiler/domain.js";
import { genWitness } from "../../compiler/engine/engine.js";
import { simulate } from "../../compiler/graph/lower.js";
import { readOnnxModel } from "../../compiler/onnx/read.js";
import { buildOnnxModel } from "../../compiler/onnx/write.js";
import { rng } from "../../testkit/compiler/fixtures.js";
import { singleOp, weights } from "../../testkit/compiler/singleOp.js";

const scalar = (v: number) => ({ name: "e", dims: [], data: [v] });
const unary = (op: string, n = 6, attributes = {}, opset?: number) => singleOp({ op, input: [1, n], output: [1, n], attributes, opset });

interface Case {
  name: string;
  onnx: Uint8Array;
  range: [number, number];
  /** integer inputs (indices) */
  ints?: boolean;
}

const CASES: Case[] = [
  { name: "LayerNormalization (Sum, MeanOfSquares, Rsqrt)", range: [-2, 2], onnx: singleOp({ op: "LayerNormalization", input: [1, 3, 8], output: [1, 3, 8], attributes: { axis: -1, epsilon: 1e-5 }, opset: 17,
    consts: [{ name: "g", dims: [8], data: Float32Array.from({ length: 8 }, (_, i) => 0.8 + 0.05 * i) }, { name: "b", dims: [8], data: weights(2, 8, 0.2) }] }) },
  { name: "InstanceNormalization", range: [-2, 2], onnx: singleOp({ op: "InstanceNormalization", input: [1, 2, 3, 3], output: [1, 2, 3, 3], consts: [{ name: "g", dims: [2], data: [1, 0.5] }, { name: "b", dims: [2], data: [0, 0.1] }] }) },
  { name: "Gelu (exact: Erf lookup)", range: [-3, 3], onnx: unary("Gelu", 8, {}, 20) },
  { name: "Gelu (tanh: Pow 3, Tanh lookup)", range: [-3, 3], onnx: unary("Gelu", 8, { approximate: "tanh" }, 20) },
  { name: "Pow 2 and 3 (through 0)", range: [-1.5, 1.5], onnx: buildOnnxModel({ name: "pow23", inputs: [{ name: "x", shape: [1, 4] }], outputs: [{ name: "y", shape: [1, 4] }],
    initializers: [{ name: "two", dims: [], data: [2] }, { name: "three", dims: [], data: [3] }],
    nodes: [{ op: "Pow", inputs: ["x", "two"], outputs: ["a"] }, { op: "Pow", inputs: ["x", "three"], outputs: ["b"] }, { op: "Add", inputs: ["a", "b"], outputs: ["y"] }] }) },
  { name: "Pow 1.5 (a Pow lookup)", range: [0, 3], onnx: singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [scalar(1.5)] }) },
  { name: "Pow 0.5 and Sqrt", range: [0.25, 4], onnx: singleOp({ op: "Pow", input: [1, 5], output: [1, 5], consts: [scalar(0.5)] }) },
  { name: "Reciprocal", range: [0.5, 3], onnx: unary("Reciprocal", 5) },
  { name: "Abs, Neg, Sign", range: [-2, 2], onnx: buildOnnxModel({ name: "ans", inputs: [{ name: "x", shape: [2, 3] }], outputs: [{ name: "y", shape: [2, 3] }],
    nodes: [{ op: "Abs", inputs: ["x"], outputs: ["a"] }, { op: "Neg", inputs: ["x"], outputs: ["n"] }, { op: "Sign", inputs: ["x"], outputs: ["s"] },
      { op: "Add", inputs: ["a", "n"], outputs: ["an"] }, { op: "Add", inputs: ["an", "s"], outputs: ["y"] }] }) },
  { name: "Softsign (Abs, Recip, two-variable Mult)", range: [-3, 3], onnx: unary("Softsign", 8) },
  { name: "Softplus and Mish (Exp, Ln, Tanh lookups)", range: [-3, 3], onnx: buildOnnxModel({ name: "sp", opset: 18, inputs: [{ name: "x", shape: [1, 6] }], outputs: [{ name: "y", shape: [1, 6] }],
    nodes: [{ op: "Softplus", inputs: ["x"], outputs: ["a"] }, { op: "Mish", inputs: ["x"], outputs: ["b"] }, { op: "Add", inputs: ["a", "b"], outputs: ["y"] }] }) },
  { name: "Elu (Less, Iff) and HardSigmoid (Min, ReLU)", range: [-3, 3], onnx: buildOnnxModel({ name: "elu", inputs: [{ name: "x", shape: [1, 6] }], outputs: [{ name: "y", shape: [1, 6] }],
    nodes: [{ op: "Elu", inputs: ["x"], outputs: ["a"], attributes: { alpha: 0.8 } }, { op: "HardSigmoid", inputs: ["x"], outputs: ["b"] }, { op: "Add", inputs: ["a", "b"], outputs: ["y"] }] }) },
  { name: "Div by a tensor (two inputs, Recip)", range: [0.5, 2], onnx: buildOnnxModel({ name: "div", inputs: [{ name: "a", shape: [1, 4] }, { name: "b", shape: [1, 4] }], outputs: [{ name: "y", shape: [1, 4] }],
    nodes: [{ op: "Div", inputs: ["a", "b"], outputs: ["y"] }] }) },
  { name: "MatMul of two variables (x·xᵀ) and Softmax", range: [-1, 1], onnx: buildOnnxModel({ name: "att", inputs: [{ name: "x", shape: [1, 3, 4] }], outputs: [{ name: "y", shape: [1, 3, 3] }],
    nodes: [{ op: "Transpose", inputs: ["x"], outputs: ["t"], attributes: { perm: [0, 2, 1] } }, { op: "MatMul", inputs: ["x", "t"], outputs: ["s"] },
      { op: "Softmax", inputs: ["s"], outputs: ["y"], attributes: { axis: -1 } }] }) },
  { name: "ReduceMax, ReduceL2 and TopK (sorts, Sqrt)", range: [-2, 2], onnx: buildOnnxModel({ name: "red", inputs: [{ name: "x", shape: [2, 6] }], outputs: [{ name: "y", shape: [2, 1] }],
    initializers: [{ name: "k", dims: [1], int64: [2] }],
    nodes: [{ op: "ReduceMax", inputs: ["x"], outputs: ["m"], attributes: { axes: [1], keepdims: 1 } }, { op: "ReduceL2", inputs: ["x"], outputs: ["l"], attributes: { axes: [1], keepdims: 1 } },
      { op: "TopK", inputs: ["x", "k"], outputs: ["v", "i"], attributes: { axis: -1 } }, { op: "ReduceSum", inputs: ["v"], outputs: ["vs"], attributes: { axes: [1], keepdims: 1 } },
      { op: "Add", inputs: ["m", "l"], outputs: ["ml"] }, { op: "Add", inputs: ["ml", "vs"], outputs: ["y"] }] }) },
  { name: "Greater, Where, ArgMax", range: [-2, 2], onnx: buildOnnxModel({ name: "cmp", inputs: [{ name: "x", shape: [2, 5] }], outputs: [{ name: "y", shape: [2, 5] }, { name: "i", shape: [2, 1], elemType: 7 }],
    initializers: [{ name: "z", dims: [], data: [0.25] }, { name: "w", dims: [5], data: weights(5, 5) }],
    nodes: [{ op: "Greater", inputs: ["x", "z"], outputs: ["c"] }, { op: "Mul", inputs: ["x", "w"], outputs: ["xw"] }, { op: "Where", inputs: ["c", "x", "xw"], outputs: ["y"] },
      { op: "ArgMax", inputs: ["x"], outputs: ["i"], attributes: { axis: 1, keepdims: 1 } }] }) },
  { name: "Gather with variable indices (embedding lookup)", range: [0, 5], ints: true, onnx: buildOnnxModel({ name: "embedding", inputs: [{ name: "ids", shape: [1, 3], elemType: 7 }], outputs: [{ name: "y", shape: [1, 3, 4] }],
    initializers: [{ name: "E", dims: [6, 4], data: Float32Array.from({ length: 24 }, (_, i) => 2 * Math.sin(i)) }],
    nodes: [{ op: "Gather", inputs: ["E", "ids"], outputs: ["y"], attributes: { axis: 0 } }] }) },
];

function samplesFor(c: Case, n: number, count = 8, seed = 7): number[][] {
  const r = rng(seed);
  const [lo, hi] = c.range;
  return Array.from({ length: count }, () => Array.from({ length: n }, () => (c.ints ? Math.floor(lo + (hi - lo + 1) * r()) : lo + (hi - lo) * r())));
}


/** The box's two extreme corners, seeded random corners and seeded random integer points inside it (fixed point). */
function pointsOf(a: Admission, random: number, seed: number): number[][] {
  const r = rng(seed);
  const pick = (f: (i: number) => number) => a.lower.map((_, i) => f(i));
  return [
    [...a.lower], [...a.upper],
    ...Array.from({ length: random }, () => pick((i) => (r() < 0.5 ? a.lower[i] : a.upper[i]))),
    ...Array.from({ length: random }, () => pick((i) => a.lower[i] + Math.floor(r() * (a.upper[i] - a.lower[i] + 1)))),
  ];
}

/** Compile with the case's calibration samples (witness-only sizing) and derive its admission. */
async function admitted(c: Case) {
  const n = readOnnxModel(c.onnx).inputs.reduce((t, i) => t + i.shape.reduce<number>((a, d) => a * (typeof d === "number" ? d : 1), 1), 0);
  const samples = samplesFor(c, n);
  const compiled = await compileModel(c.onnx, { samples, layout: false });
  const s = compiled.settingsValue.run_args;
  const ranges: CircuitRanges = { decompBase: s.decomp_base, decompLegs: s.decomp_legs, lookupRange: s.lookup_range };
  return { compiled, ranges, samples, admission: deriveAdmission(compiled.lowered, ranges, samples) };
}

describe("admitted input domain: interval rules of the nonlinear ops", () => {
  for (const c of CASES) {
    it(`${c.name}: admitted; every node stays inside its interval and the witness succeeds on corners and random points`, async () => {
      const { compiled, ranges, admission } = await admitted(c);
      const m = compiled.lowered;
      assert.ok(admission.widening >= 1, `the calibration box itself should be admitted (widening ${admission.widening})`);
      assert.equal(domainProblem(m, ranges, admission.lower, admission.upper), undefined);
      const scales = m.inputs.flatMap((io) => new Array<number>(io.dims.reduce((a, b) => a * b, 1)).fill(2 ** io.scale));
      const { bounds } = analyzeBox(m, admission.lower.map((v, i) => v / scales[i]), admission.upper.map((v, i) => v / scales[i]));
      const outIdx = m.outputs.map((o) => o.idx);
      for (const p of pointsOf(admission, 6, 11)) {
        const x = p.map((v, i) => v / scales[i]);
        for (const [idx, v] of simulate(m, x)) {
          const b = bounds.get(idx)!;
          // (the float reference of a square root below 0 is NaN; the circuit's is 0, checked through the witness)
          v.data.forEach((y, i) => Number.isNaN(y) || assert.ok(y >= b.lo.data[i] - 1e-9 && y <= b.hi.data[i] + 1e-9, `node ${idx} (${m.nodes[idx].label})[${i}] = ${y} outside [${b.lo.data[i]}, ${b.hi.data[i]}] at ${JSON.stringify(p)}`));
        }
        let w;
        try {
          w = genWitness(compiled.compiled, x);
        } catch (e) {
          assert.fail(`admitted input ${JSON.stringify(p)} (fixed point) fails in the engine: ${(e as Error).message}`);
        }
        let at = 0;
        for (const [k, idx] of outIdx.entries()) {
          const b = bounds.get(idx)!;
          const s = 2 ** m.outputs[k].scale;
          for (let i = 0; i < b.lo.data.length; i++, at++) {
            const y = Number(w.outputs[at]) / s;
            assert.ok(y >= b.lo.data[i] - 1e-9 && y <= b.hi.data[i] + 1e-9, `output ${k}[${i}] = ${y} (witness) outside [${b.lo.data[i]}, ${b.hi.data[i]}]`);
          }
        }
      }
    });
  }

  it("LayerNorm: the output bound is the normalisation bound sqrt(n)·|gamma| + |beta|, not the interval product", async () => {
    const { compiled, admission } = await admitted(CASES[0]);
    const m = compiled.lowered;
    const s = 2 ** m.inputScale;
    const { bounds } = analyzeBox(m, admission.lower.map((v) => v / s), admission.upper.map((v) => v / s));
    const out = bounds.get(m.outputs[0].idx)!;
    const worst = Math.max(...out.hi.data, ...out.lo.data.map((v) => -v));
    // gamma <= 1.15, |beta| <= 0.2, n = 8: sqrt(8)·1.15 + 0.2 ≈ 3.45, plus rounding slack
    assert.ok(worst < 3.7, `LayerNorm output bound ${worst}`);
  });

  it("refuses a divisor box that contains 0, and the engine indeed fails at 0", async () => {
    const { compiled, ranges } = await admitted(CASES.find((c) => c.name === "Reciprocal")!);
    const m = compiled.lowered;
    const s = 2 ** m.inputScale;
    const lower = new Array(5).fill(-s), upper = new Array(5).fill(s);
    assert.match(domainProblem(m, ranges, lower, upper) ?? "", /reciprocal of a divisor that may be 0/);
    assert.throws(() => genWitness(compiled.compiled, [0, 1, 1, 1, 1]));
    // a positive box not containing 0 but wider than the calibration one is fine as long as the reciprocal fits
    assert.equal(domainProblem(m, ranges, new Array(5).fill(s / 4), new Array(5).fill(4 * s)), undefined);
  });

  it("refuses indices outside the table's axis, and the engine indeed fails there", async () => {
    const c = CASES.find((x) => x.name.startsWith("Gather"))!;
    const { compiled, ranges, admission } = await admitted(c);
    const m = compiled.lowered;
    assert.ok(Math.min(...admission.lower) >= 0 && Math.max(...admission.upper) <= 5, `admitted indices [${admission.lower}]..[${admission.upper}] beyond the table`);
    assert.match(domainProblem(m, ranges, [0, 0, 0], [6, 5, 5]) ?? "", /index in \[.*\] outside the axis \[0, 5\]/);
    assert.throws(() => genWitness(compiled.compiled, [6, 0, 0]));
  });

  const lnGraph = (extraOutput: boolean) => buildOnnxModel({
    name: "ln-graph", opset: 13, inputs: [{ name: "x", shape: [1, 2, 4] }],
    outputs: [{ name: "y", shape: [1, 2, 4] }, ...(extraOutput ? [{ name: "ve", shape: [1, 2, 1] }] : [])],
    initializers: [{ name: "two", dims: [], data: [2] }, { name: "eps", dims: [], data: [1e-5] }],
    nodes: [
      { op: "ReduceMean", inputs: ["x"], outputs: ["m"], attributes: { axes: [-1] } },
      { op: "Sub", inputs: ["x", "m"], outputs: ["d"] },
      { op: "Pow", inputs: ["d", "two"], outputs: ["d2"] },
      { op: "ReduceMean", inputs: ["d2"], outputs: ["v"], attributes: { axes: [-1] } },
      { op: "Add", inputs: ["v", "eps"], outputs: ["ve"] },
      { op: "Sqrt", inputs: ["ve"], outputs: ["s"] },
      { op: "Div", inputs: ["d", "s"], outputs: ["y"] },
    ],
  });
  const compileLn = async (onnx: Uint8Array) => {
    const compiled = await compileModel(onnx, { samples: samplesFor({ name: "ln", onnx, range: [-2, 2] }, 8), layout: false });
    const r = compiled.settingsValue.run_args;
    return { compiled, ranges: { decompBase: r.decomp_base, decompLegs: r.decomp_legs, lookupRange: r.lookup_range } as CircuitRanges, s: 2 ** compiled.lowered.inputScale };
  };

  it("the exporters' LayerNorm graph is lowered as the op (epsilon one unit): admitted, and a row of equal values proves", async () => {
    const { compiled, ranges, s } = await compileLn(lnGraph(false));
    assert.ok(compiled.lowered.onnxOps.includes("LayerNormalization"), `ops ${compiled.lowered.onnxOps}`);
    assert.equal(domainProblem(compiled.lowered, ranges, new Array(8).fill(-s), new Array(8).fill(s)), undefined);
    assert.doesNotThrow(() => genWitness(compiled.compiled, new Array(8).fill(0.5)));
  });

  it("refuses the graph when it cannot be fused (its variance is also an output): epsilon rounds to 0, and the engine indeed fails on a constant row", async () => {
    const { compiled, ranges, s } = await compileLn(lnGraph(true));
    assert.ok(!compiled.lowered.onnxOps.includes("LayerNormalization"));
    assert.match(domainProblem(compiled.lowered, ranges, new Array(8).fill(-s), new Array(8).fill(s)) ?? "", /divisor that may be 0/);
    assert.throws(() => genWitness(compiled.compiled, new Array(8).fill(0.5)));
  });
});

describe("calibration covers the range checks of rebase divisions", () => {
  it("x³ at scale 7 (rebased by 2^14) proves at x = 0, a multiple of the divisor (failed with 128^2 legs)", async () => {
    const onnx = singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [scalar(3)] });
    const compiled = await compileModel(onnx, { samples: [[1.2, -1.3, 0.5, 1.4], [0.1, 0.2, -1.5, 1.5]], layout: false });
    const r = compiled.settingsValue.run_args;
    assert.ok(r.decomp_base ** r.decomp_legs > 2 ** 14, `decomposition range ${r.decomp_base}^${r.decomp_legs}`);
    for (const x of [[0, 0, 0, 0], [1, 1, 1, 1], [0.5, -0.5, 2, -2]]) assert.doesNotThrow(() => genWitness(compiled.compiled, x), `x = ${x}`);
  });

  it("a declared box (--admit) sizes the lookup table to cover it, not only the samples (a Sigmoid admitted on [-4, 4] from samples in [-1, 1])", async () => {
    const onnx = unary("Sigmoid", 4);
    const samples = samplesFor({ name: "sig", onnx, range: [-1, 1] }, 4);
    const compiled = await compileModel(onnx, { samples, admit: [-4, 4], inputScale: 7, layout: false });
    const r = compiled.settingsValue.run_args;
    const ranges: CircuitRanges = { decompBase: r.decomp_base, decompLegs: r.decomp_legs, lookupRange: r.lookup_range };
    assert.ok(r.lookup_range[0] < -4 * 128 && r.lookup_range[1] > 4 * 128, `lookup range ${r.lookup_range}`);
    const a = declaredAdmission(compiled.lowered, ranges, [-4, 4]);
    assert.deepEqual([Math.min(...a.lower), Math.max(...a.upper)], [-512, 512]);
    assert.doesNotThrow(() => genWitness(compiled.compiled, [-4, 4, -4, 4]));
  });
});
