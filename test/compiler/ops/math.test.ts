import { describe, it } from "node:test";
import { checkOp, singleOp, step } from "./harness.js";

const scalar = (v: number) => ({ name: "e", dims: [], data: [v] });

describe("Pow, Sqrt, Reciprocal, Abs, Neg, Sign", () => {
  it("Pow by 2 and 3 (rebased products), by 0.5 (Sqrt), by -1 (Recip), by 1.5 (a Pow lookup); a constant base (an Exp lookup)", async () => {
    await checkOp({ onnx: singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [scalar(2)] }), bound: 2 * step(), inputRange: [-2, 2] });
    await checkOp({ onnx: singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [scalar(3)] }), bound: 8 * step(), inputRange: [-1.5, 1.5] });
    await checkOp({ onnx: singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [scalar(0.5)] }), bound: 2 * step(), inputRange: [0.1, 4] });
    await checkOp({ onnx: singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [scalar(-1)] }), bound: 3 * step(), inputRange: [0.5, 3] });
    await checkOp({ onnx: singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [scalar(1.5)] }), bound: 3 * step(), inputRange: [0, 3] });
    await checkOp({ onnx: singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [scalar(2)], xLast: true }), bound: 3 * step(), inputRange: [-2, 2] });
  });
  it("Sqrt and Reciprocal (ezkl's Hybrid ops; proven inside Rsqrt in norms.test.ts)", async () => {
    await checkOp({ onnx: singleOp({ op: "Sqrt", input: [1, 5], output: [1, 5] }), bound: 2 * step(), inputRange: [0.25, 4], count: 4 });
    await checkOp({ onnx: singleOp({ op: "Reciprocal", input: [1, 5], output: [1, 5] }), bound: 4 * step(), inputRange: [0.5, 3] });
  });
  it("Abs, Neg, Sign", async () => {
    for (const op of ["Abs", "Neg", "Sign"]) await checkOp({ onnx: singleOp({ op, input: [2, 3], output: [2, 3] }), bound: step(), inputRange: [-2, 2] });
  });
});
