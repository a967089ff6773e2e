/**
 * Per-file test times: what the runner keeps in .twinpath/test-times.json and the report of the slowest files.
 * Each file's time is its process's wall time, start-up and imports included (`npm run test:times`).
 */
import { readFileSync } from "node:fs";
import type { FileClass } from "./tiers.js";

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
  files: FileTime[];
  /** every file's latest time, this run's or an earlier one's (the runner orders files by it) */
  known?: FileTime[];
}

/** A fast-tier file slower than this is flagged by the report (it belongs in the slow tier). */
export const FAST_FILE_BUDGET_MS = 30_000;

/** Reads a run's JSON: the run's files, and every file's latest time. */
export function readTimes(path: string, _root?: string): { run: RunTimes; files: FileTime[]; known: FileTime[] } {
  const run = JSON.parse(readFileSync(path, "utf8")) as RunTimes;
  return { run, files: run.files, known: run.known ?? run.files };
}

const s = (ms: number) => (ms / 1000).toFixed(1);

/** The report: the `top` slowest files with their share of the summed file time, then the fast files over budget. */
export function formatTimes(files: FileTime[], run: RunTimes | undefined, top = 20): string {
  const sorted = [...files].sort((a, b) => b.ms - a.ms);
  const sum = sorted.reduce((acc, f) => acc + f.ms, 0);
  const lines: string[] = [];
  if (run) {
    lines.push(`run ${run.startedAt} (tier ${run.tier}, ${run.concurrency} at a time): ${s(run.wallMs)} s wall`);
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
