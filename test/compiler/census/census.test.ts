import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { advBlocks, colSize } from "../../../compiler/calibrate.js";
import { encodeCircuit } from "../../../compiler/circuit/build.js";
import { layoutCensus } from "../../../compiler/circuit/census.js";
import { runIsolated } from "../../../compiler/engine/isolated.js";
import { lowerGraph } from "../../../compiler/graph/lower.js";
import { readOnnxModel } from "../../../compiler/onnx/read.js";
import { devSrs } from "../../../compiler/srs/srs.js";
import { singleOp } from "../../../testkit/compiler/singleOp.js";
import { CENSUS_MODELS } from "../../../testkit/compiler/census-models.js";

type Count = { decompBase: number; decompLegs: number; totalAssignments: number; numShuffles: number; shuffleColSize: number };
const EZKL: { counts: Record<string, Count[]> } = JSON.parse(readFileSync(new URL("./ezkl-counts.json", import.meta.url), "utf8"));
const lower = (onnx: Uint8Array) => lowerGraph(readOnnxModel(onnx), { inputScale: 7, paramScale: 7 });

describe("layout census", () => {
  it("counts like native ezkl's own layout pass (gen-settings), for every op and for a LeNet-5", () => {
    const wrong: string[] = [];
    for (const [name, make] of Object.entries(CENSUS_MODELS)) {
      const m = lower(make());
      for (const e of EZKL.counts[name]) {
        const c = layoutCensus(m, { numInnerCols: 2, decompBase: e.decompBase, decompLegs: e.decompLegs, colSize: colSize(17), dummy: true });
        const got = [c.linearCoord, c.shuffles, c.shuffleColCoord], want = [e.totalAssignments, e.numShuffles, e.shuffleColSize];
        if (got.join() !== want.join()) wrong.push(`${name} at base ${e.decompBase}^${e.decompLegs}: [assignments, shuffles, shuffle cells] ours [${got}], ezkl [${want}]`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("counts the real layout exactly: a circuit that fills its advice blocks to the last cell keys, one more element traps", async () => {
    // Relu over n values, 2 advice blocks at logrows 8: capacity 2 x 250 rows x 2 columns = 1000 cells
    const k = 8, cols = 2;
    const capacity = 2 * colSize(k) * cols;
    const census = (n: number) => layoutCensus(lower(singleOp({ op: "Relu", input: [1, n], output: [1, n] })), { numInnerCols: cols, decompBase: 128, decompLegs: 2, colSize: colSize(k) });
    let n = 1;
    while (census(n + 1).linearCoord <= capacity) n++;
    const srs = await devSrs(k, "census-test");
    let twoBlocks = capacity;
    while (advBlocks(twoBlocks, k, cols) > 2) twoBlocks--; // the largest total_assignments ezkl gives 2 blocks
    const keys = async (size: number) => {
      const m = lower(singleOp({ op: "Relu", input: [1, size], output: [1, size] }));
      const ta = layoutCensus(m, { numInnerCols: cols, decompBase: 128, decompLegs: 2, colSize: colSize(k) }).linearCoord;
      const sizing = { logrows: k, totalAssignments: Math.min(ta, twoBlocks), totalConstSize: 32, lookupRange: [0, 0] as [number, number], decompBase: 128, decompLegs: 2, numInnerCols: cols };
      assert.equal(advBlocks(sizing.totalAssignments, k, cols), 2);
      return (await runIsolated("vk", { compiled: encodeCircuit(m, sizing).compiled, srs })).ok;
    };
    assert.ok(capacity - census(n).linearCoord < census(n + 1).linearCoord - census(n).linearCoord, "n fills the blocks");
    assert.equal(await keys(n), true, `Relu over ${n} values (${census(n).linearCoord} cells) fits ${capacity}`);
    assert.equal(await keys(n + 1), false, `Relu over ${n + 1} values (${census(n + 1).linearCoord} cells) must not fit ${capacity}`);
  });
});
