/**
 * The project's compiler on the LeNet-5-class model, in a process of its own (the bench kills it after a time
 * limit): prints {"ok":true,"logrows":…,"ms":…} or {"ok":false,"error":…} as one JSON line.
 *   node --import tsx bench/lib/compileProbe.ts
 */
import { compileModel } from "../../compiler/compile.js";
import { lenet5Onnx, lenetInputs } from "./lenet5.js";

const t0 = performance.now();
try {
  const c = await compileModel(lenet5Onnx(), { samples: lenetInputs(4), confirmWithProof: false });
  console.log(JSON.stringify({ ok: true, logrows: c.calibration.sizing.logrows, ms: Math.round(performance.now() - t0) }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: `${(e as Error).name}: ${(e as Error).message.split("\n")[0]}`.slice(0, 300) }));
}
process.exit(0);
