/**
 * Runs the node:test files of a tier, in two phases: files that keep both cores busy alone (`serial`), then the
 * others `--concurrency` at a time. Each phase is one `node --test` run (one process per file, as before), with the
 * spec reporter on stdout and testkit/runner/timesReporter.mjs recording each file's time; within a phase the files
 * start slowest first (times of the previous run), so the last file to finish is a short one. At the end it prints
 * the slowest files and writes every file's time to .twinpath/test-times.json (`npm run test:times` reprints it).
 *
 *   node --import tsx testkit/runner/run.ts [--tier fast|slow|all] [--concurrency N] [--list] [path-substring ...]
 *
 * Tiers and `serial` come from the file's folder or its tags (testkit/runner/tiers.ts).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { classifyFile, type FileClass } from "./tiers.js";
import { formatTimes, readTimes, readTimesLines, type FileTime, type RunTimes } from "./times.js";

const TIMES_FILE = join(REPO_ROOT, ".twinpath", "test-times.json");
const REPORTER = join(REPO_ROOT, "testkit", "runner", "timesReporter.mjs");
const TEST_TIMEOUT_MS = 900_000;

const USAGE = `usage: node --import tsx testkit/runner/run.ts [options] [path-substring ...]

Runs test/**/*.test.ts: files marked serial one at a time, then the rest N at a time.

options:
  --tier fast|slow|all   which files (default all; test:fast = fast)
  --concurrency N        files at once in the shared phase (default 2)
  --list                 print the selected files with their tier and phase, run nothing
  -h, --help             this text`;

function testFiles(dir: string, rel = "test"): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p, `${rel}/${name}`));
    else if (name.endsWith(".test.ts")) out.push(`${rel}/${name}`);
  }
  return out;
}

interface Phase {
  name: string;
  files: string[];
  concurrency: number;
}

function runPhase(phase: Phase, timesOut: string): Promise<{ code: number; wallMs: number }> {
  const args = [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${phase.concurrency}`,
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${REPORTER}`,
    `--test-reporter-destination=${timesOut}`,
    ...phase.files,
  ];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve({ code: code ?? (signal ? 1 : 0), wallMs: performance.now() - started });
    });
  });
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      tier: { type: "string", default: "all" },
      concurrency: { type: "string", default: "2" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const tier = values.tier ?? "all";
  const concurrency = Number(values.concurrency);
  if (!["fast", "slow", "all"].includes(tier) || !Number.isInteger(concurrency) || concurrency < 1) {
    console.error(USAGE);
    return 2;
  }

  const previous = existsSync(TIMES_FILE) ? readTimes(TIMES_FILE, REPO_ROOT).known : [];
  const lastMs = new Map(previous.map((f) => [f.file, f.ms]));
  const classes = new Map<string, FileClass>();
  const selected = testFiles(join(REPO_ROOT, "test")).filter((f) => {
    if (positionals.length && !positionals.some((p) => f.includes(p))) return false;
    const c = classifyFile(REPO_ROOT, f);
    classes.set(f, c);
    return tier === "all" || c.tier === tier;
  });
  // Longest first: with N at a time, the run ends on a short file instead of starting a long one last.
  const order = (files: string[]) => files.sort((a, b) => (lastMs.get(b) ?? 60_000) - (lastMs.get(a) ?? 60_000));
  const phases: Phase[] = [
    { name: "alone", files: order(selected.filter((f) => classes.get(f)!.serial)), concurrency: 1 },
    { name: "shared", files: order(selected.filter((f) => !classes.get(f)!.serial)), concurrency },
  ].filter((p) => p.files.length > 0);

  if (values.list) {
    for (const p of phases) {
      console.log(`${p.name} (${p.files.length} files, ${p.concurrency} at a time):`);
      for (const f of p.files) console.log(`  ${f}  [${classes.get(f)!.tier}; ${classes.get(f)!.source}]`);
    }
    return 0;
  }
  if (phases.length === 0) {
    console.error(`no test files match tier ${tier}${positionals.length ? ` and ${positionals.join(", ")}` : ""}`);
    return 2;
  }

  const dir = join(REPO_ROOT, ".twinpath", "test-times");
  mkdirSync(dir, { recursive: true });
  const startedAt = new Date().toISOString();
  const started = performance.now();
  let code = 0;
  const files: FileTime[] = [];
  const phaseTimes: RunTimes["phases"] = [];
  for (const phase of phases) {
    const out = join(dir, `${process.pid}-${phase.name}.jsonl`);
    const r = await runPhase(phase, out);
    if (r.code !== 0) code = r.code;
    phaseTimes.push({ name: phase.name, files: phase.files.length, concurrency: phase.concurrency, wallMs: Math.round(r.wallMs) });
    for (const t of readTimesLines(out, REPO_ROOT)) {
      const c = classes.get(t.file);
      files.push({ ...t, tier: c?.tier, serial: c?.serial });
    }
    rmSync(out, { force: true });
  }
  const run: RunTimes = { startedAt, tier, concurrency, wallMs: Math.round(performance.now() - started), phases: phaseTimes, files };
  // A partial run (a tier, a filter) keeps the other files' last times, so the ordering stays informed.
  const merged = new Map(previous.map((f) => [f.file, f]));
  for (const f of files) merged.set(f.file, f);
  writeFileSync(TIMES_FILE, `${JSON.stringify({ ...run, known: [...merged.values()] }, null, 1)}\n`);
  console.log(`\n${formatTimes(files, run, 15)}\n(all files' last times: ${TIMES_FILE}; \`npm run test:times\`)`);
  return code;
}

process.exitCode = await main();
