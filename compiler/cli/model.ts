/**
 * The compiler's commands `twinpath model build | verify` as commander Commands, which the twinpath CLI
 * (cli/commands/model.ts) mounts next to `model register | list`.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { buildBundle, verifyBundle, type BuildResult } from "../bundle.js";
import { loadSamples } from "./samples.js";

const int = (lo: number, hi: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`expected an integer in [${lo}, ${hi}]`);
  return n;
};
const range = (v: string): [number, number] => {
  const parts = v.split(",").map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((x) => !Number.isFinite(x)) || parts[0] >= parts[1]) throw new InvalidArgumentError("expected LO,HI with LO < HI, e.g. -1,1 or 0,255");
  return [parts[0], parts[1]];
};

export interface BuildFlags {
  out: string;
  calibration?: string;
  inputRange?: [number, number];
  admit?: [number, number];
  scale?: number;
  paramScale?: number;
  logrows?: number;
  maxLogrows?: number;
  batch?: number;
  srs?: string;
  srsKeccak256?: string;
  devSrsSeed?: string;
  name?: string;
  pk: boolean;
  json?: boolean;
  quiet?: boolean;
}

const kib = (b: number) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
const sec = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const io = (ts: { name: string; shape: number[]; scale: number; datum?: string }[]) => ts.map((t) => `${t.name} [${t.shape}]${t.datum ? ` ${t.datum.toLowerCase()}` : ""} @2^-${t.scale}`).join(", ");

/** The short human summary printed at the end of a build. */
export function summary(r: BuildResult, totalMs: number): string {
  const m = r.manifest;
  const t = r.timings;
  const lines = [
    `built ${m.name} in ${r.dir} (manifest ${r.manifestHash.slice(0, 18)}…)`,
    `  inputs    ${io(m.inputs ?? [m.input])}${m.batch ? ` (batch ${m.batch}: one proof for ${m.batch} requests)` : ""}`,
    `  outputs   ${io(m.outputs ?? [m.output])}`,
    `  ops       ${m.ops.onnx.join(" ")}`,
    `  circuit   logrows ${m.logrows}, ${m.calibration.totalAssignments} assignments, range 2^${Math.log2(m.calibration.decompBase)}x${m.calibration.decompLegs}` +
      (m.calibration.lookupRange[1] > m.calibration.lookupRange[0] ? `, lookup range [${m.calibration.lookupRange}]` : ""),
    `  accuracy  max |circuit - onnxruntime| ${m.accuracy.maxAbsError.toPrecision(3)} on ${m.accuracy.samples} samples` +
      ` (output step ${m.accuracy.outputStep}), argmax agreement ${(m.accuracy.argmaxAgreement * 100).toFixed(1)}%`,
    `  keys      vk ${kib(m.files.vk.bytes)}, pk ${kib(m.files.pk.bytes)}; proof ${sec(t.proveMs)}, verify ${t.verifyMs} ms`,
    `  time      compile ${sec(t.compileMs)}, SRS ${sec(t.srsMs)}, keys ${sec(t.vkMs + t.pkMs)}, total ${sec(totalMs)}`,
  ];
  if (m.srsInfo.kind === "dev-insecure") lines.push(`  SRS       INSECURE development SRS (k=${m.srsInfo.k}): pass --srs <ceremony file> for production`);
  else lines.push(`  SRS       ceremony SRS k=${m.srsInfo.sourceK} (${m.srsInfo.sourceKeccak256.slice(0, 18)}…) downsized to k=${m.srsInfo.k}`);
  return lines.join("\n");
}

export async function runBuild(onnx: string, f: BuildFlags, out: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<BuildResult> {
  const t0 = Date.now();
  const progress = (msg: string) => {
    if (!f.quiet) out.stderr(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}`);
  };
  const r = await buildBundle(onnx, {
    out: f.out,
    name: f.name,
    samples: f.calibration ? loadSamples(f.calibration) : undefined,
    inputRange: f.inputRange,
    admit: f.admit,
    inputScale: f.scale,
    paramScale: f.paramScale,
    minLogrows: f.logrows,
    maxLogrows: f.logrows ?? f.maxLogrows,
    batch: f.batch,
    srs: f.srs,
    srsKeccak256: f.srsKeccak256,
    devSrsSeed: f.devSrsSeed,
    writePk: f.pk,
    log: progress,
  });
  if (f.json) out.stdout(JSON.stringify({ dir: r.dir, manifestHash: r.manifestHash, timings: r.timings, manifest: r.manifest }, null, 2));
  else out.stdout(summary(r, Date.now() - t0));
  return r;
}

export function buildCommand(name: string, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Command {
  return new Command(name)
    .description(
      "Compile an ONNX model into an EZKL v21 bundle: circuit, settings, SRS, verifying and proving keys, and a " +
        "manifest with every file's keccak256, the inputs/outputs (shapes, scales), the op list and the accuracy " +
        "against onnxruntime. The circuit is sized exactly from its layout; one key generation + proof confirms it.",
    )
    .argument("<model.onnx>", "the ONNX model (inputs: float, integer or bool tensors; static shapes; a symbolic batch is fixed to 1, or to N with --batch)")
    .requiredOption("-o, --out <dir>", "directory to write the bundle into (created if needed)")
    .option("-c, --calibration <samples.json>", "representative inputs: [[...], ...], {\"input_data\": [...]} or {\"samples\": [{\"input\": [...]}]}; each sample is every model input's values concatenated. They set the fixed-point range, lookup tables and the accuracy report")
    .addOption(new Option("--input-range <lo,hi>", "without --calibration: draw 8 random inputs uniformly in [lo, hi] (integers for integer inputs); default -1,1 (0..9 for integers)").argParser(range))
    .addOption(new Option("--admit <lo,hi>", "the range the registry must admit every input element in (e.g. 0,16 for 4-bit pixels): the circuit is sized so that every such input proves, and the manifest's admitted domain is this box (default: the calibration samples' box, widened as far as it provably proves)").argParser(range))
    .addOption(new Option("-s, --scale <n>", "fixed-point scale of float inputs: values are round(x·2^n); default: the highest n <= 7 at which the samples fit").argParser(int(0, 20)))
    .addOption(new Option("--param-scale <n>", "fixed-point scale of the weights (default: the input scale)").argParser(int(0, 20)))
    .addOption(new Option("--logrows <k>", "use exactly 2^k rows (default: the cheapest size the compiler finds)").argParser(int(4, 24)).conflicts("maxLogrows"))
    .addOption(new Option("--batch <n>", "build a batch version: the model's leading dimension set to N, one proof settles up to N requests (slots' inputs, then their outputs, are the proof's instances; calibration samples are one slot's inputs). Default 1").argParser(int(1, 64)))
    .addOption(new Option("--max-logrows <k>", "largest 2^k rows to consider (default 17; with --srs, also at most the SRS's k)").argParser(int(4, 24)))
    .option("--srs <file>", "a KZG SRS (halo2 ParamsKZG raw bytes, as `ezkl get-srs` downloads) from a ceremony; checked before compiling and downsized to the circuit's logrows. Without it an INSECURE development SRS is generated")
    .option("--srs-keccak256 <0x…>", "expected keccak256 of the --srs file (checked first)")
    .option("--dev-srs-seed <seed>", "seed of the insecure development SRS, for reproducible bundles (tests, demos)")
    .option("--name <name>", "model name in the manifest (default: the ONNX graph name)")
    .option("--no-pk", "do not write pk.key (verifiers and registries do not need it; provers derive it from the bundle)")
    .option("--json", "print the full build record (manifest, hash, timings) as JSON instead of the summary")
    .option("-q, --quiet", "no progress lines on stderr")
    // optsWithGlobals: a parent command's own --quiet (the twinpath CLI has one) takes the flag before this one sees it
    .action(async (onnx: string, _f: BuildFlags, cmd: Command) => {
      await runBuild(onnx, cmd.optsWithGlobals<BuildFlags>(), io);
    });
}

export function verifyCommand(name: string, io: { stdout: (s: string) => void }): Command {
  return new Command(name)
    .description("Re-check a bundle: every file's keccak256, settings vs compiled circuit vs SRS vs manifest, a prove/verify round trip of the manifest's example input, and that a tampered proof is rejected")
    .argument("<dir>", "the bundle directory")
    .option("--json", "print the checks as JSON")
    .action((dir: string, f: { json?: boolean }) => {
      const r = verifyBundle(dir);
      if (f.json) io.stdout(JSON.stringify(r, null, 2));
      else {
        for (const c of r.checks) io.stdout(`${c.ok ? "ok  " : "FAIL"} ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
        io.stdout(r.ok ? "bundle OK" : "bundle INVALID");
      }
      if (!r.ok) process.exitCode = 1;
    });
}
