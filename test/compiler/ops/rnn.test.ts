// @tier slow  (compiles and proves many circuits: its own process, not the ops group)
import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, step, weights } from "./harness.js";

const seq = 3, batch = 1, inSize = 2, hidden = 3;
function recurrent(op: "RNN" | "GRU" | "LSTM", opts: { direction?: string; lbr?: number; outputs?: ("Y" | "Y_h" | "Y_c")[] } = {}) {
  const gates = { RNN: 1, GRU: 3, LSTM: 4 }[op];
  const dirs = opts.direction === "bidirectional" ? 2 : 1;
  const outs = opts.outputs ?? ["Y", "Y_h"];
  const shapes = { Y: [seq, dirs, batch, hidden], Y_h: [dirs, batch, hidden], Y_c: [dirs, batch, hidden] };
  return buildOnnxModel({
    name: op, inputs: [{ name: "x", shape: [seq, batch, inSize] }],
    outputs: outs.map((o) => ({ name: o, shape: shapes[o] })),
    initializers: [
      { name: "W", dims: [dirs, gates * hidden, inSize], data: weights(31, dirs * gates * hidden * inSize, 0.6) },
      { name: "R", dims: [dirs, gates * hidden, hidden], data: weights(32, dirs * gates * hidden * hidden, 0.6) },
      { name: "B", dims: [dirs, 2 * gates * hidden], data: weights(33, dirs * 2 * gates * hidden, 0.3) },
    ],
    nodes: [{ op, inputs: ["x", "W", "R", "B"], outputs: ["Y", "Y_h", ...(op === "LSTM" ? ["Y_c"] : [])].map((o) => (outs.includes(o as "Y") ? o : "")),
      attributes: { hidden_size: hidden, ...(opts.direction ? { direction: opts.direction } : {}), ...(opts.lbr !== undefined ? { linear_before_reset: opts.lbr } : {}) } }],
  });
}

describe("recurrent nets, unrolled over a static sequence", () => {
  it("RNN (tanh), forward; Y and Y_h", async () => {
    await checkOp({ onnx: recurrent("RNN"), bound: 8 * step() });
  });
  it("GRU, both linear_before_reset settings, and bidirectional", async () => {
    await checkOp({ onnx: recurrent("GRU"), bound: 8 * step() });
    await checkOp({ onnx: recurrent("GRU", { lbr: 1 }), bound: 8 * step() });
    await checkOp({ onnx: recurrent("GRU", { direction: "bidirectional" }), bound: 8 * step() });
  });
  it("LSTM with Y, Y_h and Y_c; proves and verifies", async () => {
    await checkOp({ onnx: recurrent("LSTM", { outputs: ["Y", "Y_h", "Y_c"] }), bound: 8 * step(), prove: true, count: 2 });
  });
});
