/**
 * Per-file test times: where the runner keeps them and the report of the slowest files.
 *
 *   npm run test:times                  # the slowest files of the last run (.twinpath/test-times.json)
 *   npm run test:times -- --top 40 [times.json | times.jsonl ...]
 */
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import type { FileClass } from "./tiers.js";

/** One file's time in one run. */
export interface FileTime {
  /** path relative to the repository root */
  file: string;
  ms: number;
  ok: boolean;
  tier?: FileClass["tier"];
  serial?: boolean;
}

/** What a run leaves in .twinpath/test-times.json. */
export interface RunTimes {
  startedAt: string;
  tier: string;
  concurrency: number;
  /** wall time of the node:test part of the run, and of each phase */
  wallMs: number;
  phases: { name: string; files: number; concurrency: number; wallMs: number }[];
  files: FileTime[];
  /** every file's latest time, this run's or an earlier one's (the runner orders files by it) */
  known?: FileTime[];
}

/** A fast-tier file slower than this is flagged by the report (it belongs in the slow tier). */
export const FAST_FILE_BUDGET_MS = 30_000;

/** Reads the timesReporter's JSON lines (absolute paths) into FileTimes relative to `root`. */
export function readTimesLines(path: string, root: string): FileTime[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const { file, ms, ok } = JSON.parse(l) as { file: string; ms: number; ok: boolean };
      return { file: relative(root, file).split("\\").join("/"), ms, ok };
    });
}

/** Reads either a run's JSON (RunTimes) or reporter JSON lines: the run's files, and every file's latest time. */
export function readTimes(path: string, root: string): { run?: RunTimes; files: FileTime[]; known: FileTime[] } {
  const text = readFileSync(path, "utf8").trim();
  if (text.startsWith("{") && !text.includes("\n{")) {
    const run = JSON.parse(text) as RunTimes;
    return { run, files: run.files, known: run.known ?? run.files };
  }
  const files = readTimesLines(path, root);
  return { files, known: files };
}

const s = (ms: number) => (ms / 1000).toFixed(1);

/** The report: the `top` slowest files with their share of the summed file time, then the fast files over budget. */
export function formatTimes(files: FileTime[], run: RunTimes | undefined, top = 20): string {
  const sorted = [...files].sort((a, b) => b.ms - a.ms);
  const sum = sorted.reduce((acc, f) => acc + f.ms, 0);
  const lines: string[] = [];
  if (run) {
    const phases = run.phases.map((p) => `${p.name} ${p.files} files ×${p.concurrency}: ${s(p.wallMs)} s`).join("; ");
    lines.push(`run ${run.startedAt} (tier ${run.tier}): ${s(run.wallMs)} s wall for the node:test files (${phases})`);
  }
  lines.push(`${files.length} files, ${s(sum)} s summed; the ${Math.min(top, sorted.length)} slowest:`);
  const width = Math.max(4, ...sorted.slice(0, top).map((f) => f.file.length));
  lines.push(`  ${"file".padEnd(width)}  ${"s".padStart(7)}  share  tier  ${"run"}`);
  for (const f of sorted.slice(0, top)) {
    const share = sum ? `${((100 * f.ms) / sum).toFixed(1)}%` : "";
    const cls = f.tier ? `${f.tier.padEnd(4)}  ${f.serial ? "alone" : "shared"}` : "";
    lines.push(`  ${f.file.padEnd(width)}  ${s(f.ms).padStart(7)}  ${share.padStart(5)}  ${cls}${f.ok ? "" : "  FAILED"}`);
  }
  const over = sorted.filter((f) => f.tier === "fast" && f.ms > FAST_FILE_BUDGET_MS);
  if (over.length) {
    lines.push("", `fast-tier files over ${s(FAST_FILE_BUDGET_MS)} s (tag them \`// @tier slow\`, see testkit/runner/tiers.ts):`);
    for (const f of over) lines.push(`  ${f.file} ${s(f.ms)} s`);
  }
  return lines.join("\n");
}
