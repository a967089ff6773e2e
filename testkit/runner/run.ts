/**
 * Runs the node:test files of a tier, each in its own `node --test` process (as before: a trapped WASM engine or a
 * crashed child cannot leak into another file): serial files alone, light files `--concurrency` at a time (default 2,
 * the machine's cores), and one heavy file (a stack of processes, mostly waiting) at a time on top of them, the light
 * files at a lower CPU priority so the heavy one keeps the CPU it needs (testkit/runner/tiers.ts, schedule.ts). Files start longest first, by the committed times of the reference
 * machine (testkit/runner/times.json) or this checkout's last run. Each file's spec report is printed in one block
 * when it ends, with its time; at the end, the slowest files, and every file's time goes to
 * .twinpath/test-times.json (`npm run test:times` reprints it). The exit code is 1 when any job failed (a failing
 * test, a file that does not load, a crash, a file still running after --file-timeout).
 *
 *   node --import tsx testkit/runner/run.ts [--tier fast|slow|all] [--concurrency N] [--typecheck] [--list] [path-substring ...]
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { getPriority, loadavg, setPriority } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { testFiles } from "./files.js";
import { nextJob, orderJobs, type Job } from "./schedule.js";
import { classifyFile, isGroupJobName, jobNameOf, type FileClass } from "./tiers.js";
import { expectedTimes, formatTimes, machineNow, readTimes, timesFiles, type FileTime, type RunTimes } from "./times.js";

const TEST_TIMEOUT_MS = 900_000;
/**
 * The nice value of a light file's process (inherited by what it starts): next to a heavy file's stack, whose own
 * provers run at PROVER_NICE 10, the light files get the CPU the stack leaves and never take it from the stack.
 */
const LIGHT_NICE = 15;
/** A file with no measured time is scheduled as this long. */
const UNKNOWN_MS = 60_000;
/** A group's job: its files in one process (Node 22 names the flag experimental; Node 23 and later do not). */
const NO_ISOLATION =
  Number(process.versions.node.split(".")[0]) >= 23 ? ["--test-isolation=none"] : ["--experimental-test-isolation=none", "--disable-warning=ExperimentalWarning"];
/** The type-check's name in the times file. */
const TYPECHECK = "(typecheck) tsc --noEmit -p .";

const USAGE = `usage: node --import tsx testkit/runner/run.ts [options] [path-substring ...]

Runs test/**/*.test.ts, each file in its own process: serial files alone, light files N at a time, one heavy
file (a stack of processes) at a time on top of them, the light ones at a lower CPU priority
(testkit/runner/tiers.ts).

options:
  --tier fast|slow|all   which files (default all; npm run test:fast = fast)
  --concurrency N        light files at once (default 2; one heavy file may run next to them)
  --typecheck            also run tsc --noEmit -p . as one of the jobs
  --list                 print the selected files with their tier and class, run nothing
  --file-timeout S       a file still running after S seconds is killed and fails (default 1200)
  --dir DIR              the folder of test files (default test; the runner's own test uses another)
  --times FILE           where this run's times go (default .twinpath/test-times.json)
  -h, --help             this text`;

interface RunJob extends Job {
  command: string;
  args: string[];
  cls?: FileClass;
}

interface Finished {
  job: RunJob;
  ms: number;
  ok: boolean;
  output: string;
}

function runJob(job: RunJob, timeoutMs: number): Promise<Finished> {
  const started = performance.now();
  return new Promise((resolve) => {
    // NODE_TEST_CONTEXT (set when this runner itself runs under node:test) would make each `node --test` child skip
    // its file and exit 0: a run that cannot fail
    const { NODE_TEST_CONTEXT: _inherited, ...env } = process.env;
    const child = spawn(job.command, job.args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...env, FORCE_COLOR: "0" } });
    if (job.share === "light" && child.pid !== undefined) {
      try {
        setPriority(child.pid, Math.max(getPriority(), LIGHT_NICE));
      } catch {
        // not permitted here: the light file runs at the runner's priority
      }
    }
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => chunks.push(d));
    // a file that never ends (a leaked handle, a hung stack) must fail the run, not hang it
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) chunks.push(Buffer.from(`\n✖ killed: still running after --file-timeout ${timeoutMs / 1000} s\n`));
      resolve({ job, ms: Math.round(performance.now() - started), ok: code === 0 && !signal && !timedOut, output: Buffer.concat(chunks).toString() });
    });
    children.add(child);
    child.on("exit", () => children.delete(child));
  });
}

const children = new Set<ReturnType<typeof spawn>>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const c of children) c.kill(signal);
    process.exit(130);
  });
}

const s = (ms: number) => (ms / 1000).toFixed(1);

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      tier: { type: "string", default: "all" },
      concurrency: { type: "string", default: "2" },
      typecheck: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      "file-timeout": { type: "string", default: "1200" },
      dir: { type: "string", default: "test" },
      times: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const tier = values.tier ?? "all";
  const slots = Number(values.concurrency);
  const fileTimeoutS = Number(values["file-timeout"]);
  if (!["fast", "slow", "all"].includes(tier) || !Number.isInteger(slots) || slots < 1 || !(fileTimeoutS > 0)) {
    console.error(USAGE);
    return 2;
  }
  const timesFile = values.times ? resolve(values.times) : timesFiles(REPO_ROOT).local;
  const testDir = resolve(REPO_ROOT, values.dir ?? "test");
  if (!existsSync(testDir)) {
    console.error(`${testDir}: no such folder`);
    return 2;
  }

  const previousRun = existsSync(timesFile) ? readTimes(timesFile) : undefined;
  const previous = previousRun?.known ?? [];
  const lastMs = expectedTimes(REPO_ROOT);
  for (const f of previous) if (f.ok) lastMs.set(f.file, f.ms);
  const unmeasured: string[] = [];
  const jobs: RunJob[] = [];
  const groups = new Map<string, { files: string[]; cls: FileClass }>();
  const testArgs = ["--import", "tsx", "--test", "--test-reporter=spec", `--test-timeout=${TEST_TIMEOUT_MS}`];
  for (const file of testFiles(REPO_ROOT, testDir)) {
    if (positionals.length && !positionals.some((p) => file.includes(p))) continue;
    const cls = classifyFile(REPO_ROOT, file);
    if (tier !== "all" && cls.tier !== tier) continue;
    if (cls.group) {
      const g = groups.get(cls.group) ?? { files: [], cls };
      g.files.push(file);
      groups.set(cls.group, g);
      continue;
    }
    if (!lastMs.has(file)) unmeasured.push(file);
    jobs.push({ name: file, share: cls.share, expectedMs: lastMs.get(file) ?? UNKNOWN_MS, command: process.execPath, args: [...testArgs, file], cls });
  }
  for (const [group, { files, cls }] of groups) {
    const name = jobNameOf(files[0], cls);
    const expectedMs = lastMs.get(name) ?? files.reduce((sum, f) => sum + (lastMs.get(f) ?? UNKNOWN_MS / 10), 0);
    jobs.push({ name, share: cls.share, expectedMs, command: process.execPath, args: [...NO_ISOLATION, ...testArgs, ...files], cls });
  }
  if (values.typecheck) {
    jobs.push({ name: TYPECHECK, share: "light", expectedMs: lastMs.get(TYPECHECK) ?? 40_000, command: process.execPath, args: [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "."] });
  }
  const queue = orderJobs(jobs);

  if (values.list) {
    for (const j of queue) console.log(`${j.name}  [${j.cls ? `${j.cls.tier}, ${j.cls.share}; ${j.cls.source}` : "light"}]  ~${s(j.expectedMs)} s`);
    return 0;
  }
  if (queue.length === 0) {
    console.error(`no test files match tier ${tier}${positionals.length ? ` and ${positionals.join(", ")}` : ""}`);
    return 2;
  }

  const startedAt = new Date().toISOString();
  const machine = machineNow();
  const started = performance.now();
  const running: RunJob[] = [];
  const done: Finished[] = [];
  console.log(`${queue.length} jobs, ${slots} at a time (tier ${tier}; ${machine})`);
  if (unmeasured.length) {
    console.log(`no measured time for ${unmeasured.length} file(s), scheduled as ${s(UNKNOWN_MS)} s (npm run test:times -- --save after a full run): ${unmeasured.join(", ")}`);
  }
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (queue.length === 0 && running.length === 0) return resolve();
      for (let job = nextJob(queue, running, slots); job; job = nextJob(queue, running, slots)) {
        queue.splice(queue.indexOf(job), 1);
        running.push(job);
        console.log(`▶ ${job.name} (${job.share}) [${s(performance.now() - started)} s]`);
        void runJob(job, fileTimeoutS * 1000).then((f) => {
          running.splice(running.indexOf(job), 1);
          done.push(f);
          process.stdout.write(`── ${job.name}\n${f.output.trimEnd()}\n${f.ok ? "✔" : "✖"} ${job.name} ${s(f.ms)} s [${s(performance.now() - started)} s]\n\n`);
          pump();
        });
      }
    };
    pump();
  });

  const files: FileTime[] = done.map((f) => ({ file: f.job.name, ms: f.ms, ok: f.ok, tier: f.job.cls?.tier, share: f.job.share }));
  const run: RunTimes = {
    startedAt,
    tier,
    concurrency: slots,
    wallMs: Math.round(performance.now() - started),
    filter: positionals,
    machine: `${machine} at the start, ${loadavg()[0].toFixed(2)} at the end`,
    files,
  };
  // A partial run (a tier, a filter) keeps the other files' last times, so the ordering stays informed.
  const merged = new Map(previous.map((f) => [f.file, f]));
  for (const f of files) merged.set(f.file, f);
  for (const name of merged.keys()) if (name !== TYPECHECK && !isGroupJobName(name) && !existsSync(resolve(REPO_ROOT, name))) merged.delete(name); // deleted files
  mkdirSync(dirname(timesFile), { recursive: true });
  const previousFull = previousRun?.run.lastFull;
  const lastFull = tier === "all" && positionals.length === 0 ? { startedAt, wallMs: run.wallMs, machine: run.machine, concurrency: slots } : previousFull;
  writeFileSync(timesFile, `${JSON.stringify({ ...run, lastFull, known: [...merged.values()] }, null, 1)}\n`);
  const failed = done.filter((f) => !f.ok).map((f) => f.job.name);
  console.log(`${formatTimes(files, run, 15)}\n(all files' last times: ${timesFile}; \`npm run test:times\`)`);
  if (failed.length) console.log(`\n✖ ${failed.length} failed: ${failed.join(", ")}`);
  return failed.length ? 1 : 0;
}

process.exitCode = await main();
