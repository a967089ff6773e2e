import { describe, it } from "node:test";
import { viewModel } from "../fixtures.js";
import { checkOp, step } from "./harness.js";

describe("ops folded at compile time: Shape, Gather, Unsqueeze, Concat, Cast, Transpose on constants", () => {
  it("x.view(N, -1) and a transposed weight", async () => {
    await checkOp({ onnx: viewModel(), bound: 6 * step() });
  });
});
