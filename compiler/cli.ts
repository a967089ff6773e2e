/**
 * twinpath CLI:
 *   twinpath build-model model.onnx --out bundle/ [--calibration samples.json] [--srs ceremony.srs]
 *            [--srs-keccak256 0x..] [--name NAME] [--scale 7] [--param-scale 7] [--dev-srs-seed SEED] [--no-pk]
 *   twinpath verify-bundle bundle/
 * samples.json: an array of inputs (each a flat or nested number array), {"input_data": [...]},
 * or {"samples": [{"input": [...]}, ...]} (the demo models' format).
 */
import { readFileSync } from "node:fs";
import { buildBundle, verifyBundle } from "./bundle.js";

const USAGE = `usage:
  twinpath build-model <model.onnx> --out <dir> [--calibration samples.json] [--srs ceremony.srs]
                       [--srs-keccak256 0x..] [--name NAME] [--scale N] [--param-scale N]
                       [--dev-srs-seed SEED] [--no-pk]
  twinpath verify-bundle <dir>`;

class UsageError extends Error {}

function parseArgs(argv: string[]) {
  const pos: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const key = a.slice(2);
      if (key === "no-pk" || key === "help") flags[key] = true;
      else {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`missing value for --${key}`);
        flags[key] = v;
      }
    } else pos.push(a);
  }
  return { pos, flags };
}

function loadSamples(path: string): number[][] {
  const j = JSON.parse(readFileSync(path, "utf8"));
  // accepted: [[...], ...] | {"input_data": [[...], ...]} | {"samples": [{"input": [...]}, ...]}
  const arr = Array.isArray(j) ? j : Array.isArray(j?.input_data) ? j.input_data : Array.isArray(j?.samples) ? j.samples.map((s: { input?: unknown }) => s?.input) : undefined;
  if (!Array.isArray(arr) || arr.length === 0) throw new UsageError(`${path}: expected a non-empty array of inputs, {"input_data": [...]} or {"samples": [{"input": [...]}]}`);
  return arr.map((x: unknown, i: number) => {
    const flat = [x].flat(Infinity as 1) as unknown[];
    if (flat.some((v) => typeof v !== "number" || !Number.isFinite(v))) throw new UsageError(`${path}: sample ${i} contains a non-number`);
    return flat as number[];
  });
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  const { pos, flags } = parseArgs(rest);
  if (!cmd || flags.help || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(USAGE);
    return 0;
  }
  if (cmd === "build-model") {
    if (pos.length !== 1 || typeof flags.out !== "string") throw new UsageError("build-model needs <model.onnx> and --out <dir>");
    const num = (k: string) => (typeof flags[k] === "string" ? Number(flags[k]) : undefined);
    const res = await buildBundle(pos[0], {
      out: flags.out,
      name: typeof flags.name === "string" ? flags.name : undefined,
      samples: typeof flags.calibration === "string" ? loadSamples(flags.calibration) : undefined,
      srs: typeof flags.srs === "string" ? flags.srs : undefined,
      srsKeccak256: typeof flags["srs-keccak256"] === "string" ? flags["srs-keccak256"] : undefined,
      devSrsSeed: typeof flags["dev-srs-seed"] === "string" ? flags["dev-srs-seed"] : undefined,
      inputScale: num("scale"),
      paramScale: num("param-scale"),
      writePk: !flags["no-pk"],
      log: (m) => console.error(m),
    });
    const m = res.manifest;
    if (m.srsInfo.kind === "dev-insecure") console.error(`WARNING: ${m.srsInfo.warning}`);
    console.log(JSON.stringify({
      dir: res.dir, manifestHash: res.manifestHash, logrows: m.logrows, input: m.input, output: m.output,
      ops: m.ops, accuracy: m.accuracy, vk: m.files.vk, pkBytes: m.files.pk.bytes, timings: res.timings,
    }, null, 2));
    return 0;
  }
  if (cmd === "verify-bundle") {
    if (pos.length !== 1) throw new UsageError("verify-bundle needs <dir>");
    const r = verifyBundle(pos[0]);
    for (const c of r.checks) console.log(`${c.ok ? "ok  " : "FAIL"} ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
    console.log(r.ok ? "bundle OK" : "bundle INVALID");
    return r.ok ? 0 : 1;
  }
  throw new UsageError(`unknown command '${cmd}'`);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) console.error(`error: ${e.message}\n${USAGE}`);
    else console.error(`error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
