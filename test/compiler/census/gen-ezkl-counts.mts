/**
 * Regenerates ezkl-counts.json: native ezkl 21.0.0's own layout count (its gen-settings dummy pass) for
 * each model of models.ts, at the decomposition settings the test uses. Needs Python with
 * `pip install ezkl==21.0.0`; the test itself only reads the JSON.
 *   node --import tsx test/compiler/census/gen-ezkl-counts.mts
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CENSUS_MODELS } from "../../../testkit/compiler/census-models.js";

const CONFIGS: [number, number][] = [[128, 2], [128, 3], [16384, 2]];
const dir = mkdtempSync(join(tmpdir(), "ezkl-counts-"));
try {
  const files = Object.entries(CENSUS_MODELS).map(([name, make]) => {
    const f = join(dir, `${name}.onnx`);
    writeFileSync(f, make());
    return [name, f];
  });
  const py = `
import ezkl, json, sys
out = {}
for name, f in ${JSON.stringify(files)}:
  for base, legs in ${JSON.stringify(CONFIGS)}:
    ra = ezkl.PyRunArgs(); ra.input_visibility = "public"; ra.output_visibility = "public"; ra.param_visibility = "fixed"
    ra.decomp_base = base; ra.decomp_legs = legs; ra.input_scale = 7; ra.param_scale = 7
    ezkl.gen_settings(f, "${dir}/s.json", py_run_args=ra)
    s = json.load(open("${dir}/s.json"))
    out.setdefault(name, []).append({"decompBase": base, "decompLegs": legs, "totalAssignments": s["total_assignments"], "numShuffles": s["num_shuffles"], "shuffleColSize": s["total_shuffle_col_size"]})
print(json.dumps({"ezkl": ezkl.__version__, "counts": out}, indent=2))
`;
  const json = execFileSync("python3", ["-c", py], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  writeFileSync(new URL("./ezkl-counts.json", import.meta.url), json);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
