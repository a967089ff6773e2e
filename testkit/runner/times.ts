/**
 * Per-file test times: what the runner keeps in .twinpath/test-times.json and the report of the slowest files.
 * Each file's time is its process's wall time, start-up and imports included (`npm run test:times`).
 *
 * Two tables: testkit/runner/times.json is committed, a full run measured on the project's reference machine
 * (2 cores; `npm run test:times -- --save` writes it from the last full run), so a fresh clone schedules longest
 * first from the start; .twinpath/test-times.json is this checkout's last runs, which win where they know a file.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { classifyFile, jobNameOf, type FileClass } from "./tiers.js";

/** The committed table (reference machine) and the local one (this checkout's runs). */
export const timesFiles = (root: string) => ({ baseline: join(root, "testkit", "runner", "times.json"), local: join(root, ".twinpath", "test-times.json") });

/** One file's time in one run. */
export interface FileTime {
  /** path relative to the repository root */
  file: string;
  ms: number;
  ok: boolean;
  tier?: FileClass["tier"];
  share?: FileClass["share"];
}

/** What a run leaves in .twinpath/test-times.json. */
export interface RunTimes {
  startedAt: string;
  tier: string;
  concurrency: number;
  /** wall time of the run (the jobs: test files, and the type-check when it ran among them) */
  wallMs: number;
  /** the path filters the run was given (none: every file of its tier) */
  filter?: string[];
  /** cores, CPU model, 1-minute load average at the start and at the end of the run */
  machine?: string;
  files: FileTime[];
  /** every file's latest time, this run's or an earlier one's (the runner orders files by it) */
  known?: FileTime[];
  /** the latest full run (tier all, no filter): when, how long, on what load */
  lastFull?: { startedAt: string; wallMs: number; machine?: string; concurrency: number };
}

/**
 * A fast-tier file slower than this in a full run is flagged by the report (it belongs in the slow tier). A full run
 * times a light file at a lower CPU priority, often next to a stack of processes: ~30 s alone is ~45 s there.
 */
export const FAST_FILE_BUDGET_MS = 45_000;

/** Reads a run's JSON: the run's files, and every file's latest time. */
export function readTimes(path: string): { run: RunTimes; files: FileTime[]; known: FileTime[] } {
  const run = JSON.parse(readFileSync(path, "utf8")) as RunTimes;
  return { run, files: run.files, known: run.known ?? run.files };
}

/** Each file's expected time: the committed table's, overridden by this checkout's latest where it has one. */
export function expectedTimes(root: string): Map<string, number> {
  const { baseline, local } = timesFiles(root);
  const out = new Map<string, number>();
  for (const path of [baseline, local]) {
    if (!existsSync(path)) continue;
    for (const f of readTimes(path).known) if (f.ok) out.set(f.file, f.ms);
  }
  return out;
}

export const machineNow = () => `${cpus().length} cores, ${cpus()[0]?.model.trim() ?? "unknown CPU"}, load ${loadavg()[0].toFixed(2)}`;

/**
 * Writes the committed table from this checkout's times: every test file's latest time, all green, after at least
 * one full run (whose wall time and machine load it records). A file that failed in the full run and passed when
 * re-run alone keeps its re-run's time. Anything less is refused with the reason.
 */
export function saveBaseline(root: string, currentFiles: readonly string[]): { path: string; table: RunTimes } {
  const { baseline, local } = timesFiles(root);
  if (!existsSync(local)) throw new Error(`${local}: no run yet (npm test first)`);
  const { run, known } = readTimes(local);
  if (!run.lastFull) throw new Error("no full run yet (npm test): a partial run is not a measurement of the suite");
  const byFile = new Map(known.map((f) => [f.file, f]));
  // a grouped file's time is its group's (one process runs them all)
  const jobs = [...new Set(currentFiles.map((f) => jobNameOf(f, classifyFile(root, f))))];
  const missing = jobs.filter((f) => !byFile.has(f));
  if (missing.length) throw new Error(`no time for ${missing.join(", ")}: run them (npm test)`);
  const failed = jobs.filter((f) => !byFile.get(f)!.ok);
  if (failed.length) throw new Error(`the latest run of ${failed.join(", ")} failed: its time is not a measurement`);
  const typecheck = known.filter((f) => !f.file.startsWith("test/"));
  const files = [...jobs.map((f) => byFile.get(f)!), ...typecheck].map(({ file, ms, ok, tier, share }) => ({ file, ms, ok, tier, share }));
  const table: RunTimes = { ...run.lastFull, tier: "all", filter: [], files };
  writeFileSync(baseline, `${JSON.stringify(table, null, 1)}\n`);
  return { path: baseline, table };
}

const s = (ms: number) => (ms / 1000).toFixed(1);

/** The report: the `top` slowest files with their share of the summed file time, then the fast files over budget. */
export function formatTimes(files: FileTime[], run: RunTimes | undefined, top = 20): string {
  const sorted = [...files].sort((a, b) => b.ms - a.ms);
  const sum = sorted.reduce((acc, f) => acc + f.ms, 0);
  const lines: string[] = [];
  if (run) {
    lines.push(`run ${run.startedAt} (tier ${run.tier}, ${run.concurrency} at a time${run.machine ? `; ${run.machine}` : ""}): ${s(run.wallMs)} s wall`);
  }
  lines.push(`${files.length} files, ${s(sum)} s summed; the ${Math.min(top, sorted.length)} slowest:`);
  const width = Math.max(4, ...sorted.slice(0, top).map((f) => f.file.length));
  lines.push(`  ${"file".padEnd(width)}  ${"s".padStart(7)}  share  tier  class`);
  for (const f of sorted.slice(0, top)) {
    const share = sum ? `${((100 * f.ms) / sum).toFixed(1)}%` : "";
    const cls = f.tier ? `${f.tier.padEnd(4)}  ${f.share ?? ""}` : "";
    lines.push(`  ${f.file.padEnd(width)}  ${s(f.ms).padStart(7)}  ${share.padStart(5)}  ${cls}${f.ok ? "" : "  FAILED"}`);
  }
  const over = sorted.filter((f) => f.tier === "fast" && f.ms > FAST_FILE_BUDGET_MS);
  if (over.length) {
    lines.push("", `fast-tier files over ${s(FAST_FILE_BUDGET_MS)} s (tag them \`// @tier slow\`, see testkit/runner/tiers.ts):`);
    for (const f of over) lines.push(`  ${f.file} ${s(f.ms)} s`);
  }
  return lines.join("\n");
}
