/**
 * LeNet-5-shaped CNN (conv 6@5x5 -> maxpool -> conv 16@5x5 -> maxpool -> fc 120 -> fc 84 -> fc 10 on a
 * 1x28x28 input): compile it with the project's compiler, report its exact layout (and native EZKL's own
 * count of the same graph), whether the single-threaded WASM engine can hold it, and — when Python with
 * `ezkl==21.0.0` is installed — key, prove and verify the project's compiled circuit with native EZKL.
 * Prints a table and writes bench/results/lenet.json. The anchor: EZKL natively proves a LeNet-5-class
 * MNIST CNN in ~0.2 s at low precision (issue 11).
 *   node --import tsx bench/lenet.ts
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { layoutCensus } from "../compiler/circuit/census.js";
import { colSize, WASM_MAX_AREA } from "../compiler/calibrate.js";
import { compileModel } from "../compiler/compile.js";
import { CalibrationError } from "../compiler/calibrate.js";
import { devSrs } from "../compiler/srs/srs.js";
import { lenet5 } from "../testkit/compiler/census-models.js";

const ROOT = process.cwd();
const onnx = lenet5();
const ezklCounts = JSON.parse(readFileSync(join(ROOT, "test/compiler/census/ezkl-counts.json"), "utf8")).counts.lenet5 as { decompBase: number; decompLegs: number; totalAssignments: number }[];

// 1. the WASM-bounded compile: refused with the reason
let wasm: string;
const t0 = Date.now();
try {
  const c = await compileModel(onnx, { confirmWithProof: false, inputRange: [0, 1] });
  wasm = `fits at logrows ${c.calibration.sizing.logrows}`;
} catch (e) {
  wasm = e instanceof CalibrationError ? `refused in ${Date.now() - t0} ms: ${e.message.split(". ")[0]}` : String(e);
}

// 2. sized for a native prover
const t1 = Date.now();
const c = await compileModel(onnx, { confirmWithProof: false, inputRange: [0, 1], memoryLimit: false });
const compileMs = Date.now() - t1;
const s = c.calibration.sizing;
const dummy = layoutCensus(c.lowered, { numInnerCols: s.numInnerCols, decompBase: s.decompBase, decompLegs: s.decompLegs, colSize: colSize(17), dummy: true });
const ezkl = ezklCounts.find((e) => e.decompBase === s.decompBase && e.decompLegs === s.decompLegs);

// 3. native EZKL on the project's circuit, when available
let native: Record<string, unknown> | null = null;
const dir = mkdtempSync(join(tmpdir(), "twinpath-lenet-"));
try {
  writeFileSync(join(dir, "model.compiled"), c.compiled);
  writeFileSync(join(dir, "settings.json"), c.settings);
  writeFileSync(join(dir, "input.json"), JSON.stringify({ input_data: [c.samples[0]] }));
  writeFileSync(join(dir, "kzg.srs"), await devSrs(s.logrows, "bench-lenet"));
  const py = `
import ezkl, time, json, resource, asyncio
d = ${JSON.stringify(dir)}
async def main():
    t = time.time()
    r = ezkl.gen_witness(f"{d}/input.json", f"{d}/model.compiled", f"{d}/witness.json")
    if hasattr(r, "__await__"): await r
    w = time.time() - t; t = time.time()
    ezkl.setup(f"{d}/model.compiled", f"{d}/vk.key", f"{d}/pk.key", f"{d}/kzg.srs")
    st = time.time() - t; t = time.time()
    ezkl.prove(witness=f"{d}/witness.json", model=f"{d}/model.compiled", pk_path=f"{d}/pk.key", proof_path=f"{d}/proof.json", proof_type="single", srs_path=f"{d}/kzg.srs")
    p = time.time() - t; t = time.time()
    ok = ezkl.verify(f"{d}/proof.json", f"{d}/settings.json", f"{d}/vk.key", f"{d}/kzg.srs")
    v = time.time() - t
    import os
    print(json.dumps({"witnessS": w, "setupS": st, "proveS": p, "verifyS": v, "verified": ok, "pkMB": os.path.getsize(f"{d}/pk.key") // 2**20, "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
asyncio.run(main())
`;
  const out = execFileSync("python3", ["-c", py], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 24 });
  native = JSON.parse(out.trim().split("\n").at(-1)!);
} catch (e) {
  native = { error: `native EZKL not run: ${(e as Error).message.split("\n")[0]} (needs python3 with pip install ezkl==21.0.0)` };
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const row = {
  model: "lenet5 (28x28, scale 7)",
  compileMs,
  logrows: s.logrows,
  adviceBlocks: c.calibration.blocks,
  assignments: s.totalAssignments,
  assignmentsEzklDummyPass: dummy.linearCoord,
  assignmentsNativeEzkl: ezkl?.totalAssignments ?? null,
  shuffles: c.calibration.census?.shuffles,
  wasm,
  wasmAreaLimit: WASM_MAX_AREA,
  native,
  anchor: "EZKL natively proves a LeNet-5-class MNIST CNN in ~0.2 s at low precision (issue 11)",
};
console.log(["compileMs", "logrows", "blocks", "assignments", "nativeEzklCount", "native prove s", "native verified", "wasm"].join("\t"));
console.log([row.compileMs, row.logrows, row.adviceBlocks, row.assignments, row.assignmentsNativeEzkl, native?.proveS ?? "-", native?.verified ?? "-", wasm].join("\t"));
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(ROOT, "bench", "results", "lenet.json"), JSON.stringify({ machine: "2-core VM shared with other jobs", loadAverage1m: Number(loadavg()[0].toFixed(2)), row }, null, 2) + "\n");
