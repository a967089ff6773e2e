// The import rule of ARCHITECTURE.md, checked over the tree: a room imports only rooms below it (never upward), a
// worker role imports the workers' kernel but no other role, and no product code hides a dependency behind a
// dynamic import(). A failure names the file, the line and the import.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../protocol/repoRoot.js";

/** Rooms from the ground floor up: a room may import its own files and any room with a lower rank. */
const RANK: Record<string, number> = {
  protocol: 0,
  ignition: 1,
  compiler: 2,
  halo2: 3,
  models: 4,
  workers: 5,
  client: 6,
  explorer: 7,
  devnet: 8,
  scripts: 9,
  cli: 9,
  bin: 9,
  testkit: 10,
  test: 11,
  bench: 11,
};
/** The workers' kernel; every other folder of workers/ is a role, which may use the kernel but not another role. */
const WORKER_KERNEL = new Set(["chain", "queues", "config", "shared", "model-store", "proofs", "preflight"]);
/** Rooms whose dynamic import() would hide a dependency (tests may load lazily inside a test body). */
const NO_DYNAMIC_IMPORT = new Set(Object.keys(RANK).filter((r) => r !== "test"));

const SOURCE = /\.(ts|mts|mjs|cjs|js)$/;
const SKIP_DIRS = new Set(["node_modules", "artifacts", "cache", ".twinpath", "deployments", "results", "fixtures"]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".") || SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

interface Import {
  file: string;
  line: number;
  spec: string;
  dynamic: boolean;
}

/** Static imports and re-exports, and dynamic import() calls (comments are skipped line by line). */
function importsOf(file: string): Import[] {
  const out: Import[] = [];
  const text = readFileSync(file, "utf8");
  const staticRe = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']/g;
  for (const m of text.matchAll(staticRe)) {
    out.push({ file, line: text.slice(0, m.index + m[0].length).split("\n").length, spec: (m[1] ?? m[2])!, dynamic: false });
  }
  text.split("\n").forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, "");
    if (/^\s*\*/.test(code)) return;
    for (const m of code.matchAll(/(?<![\w.])import\s*\(\s*([^)]*)\)/g)) out.push({ file, line: i + 1, spec: m[1].trim(), dynamic: true });
  });
  return out;
}

const roomOf = (path: string): string[] => relative(REPO_ROOT, path).split(sep);

function violations(): string[] {
  const problems: string[] = [];
  for (const room of Object.keys(RANK)) {
    let files: string[];
    try {
      files = sources(join(REPO_ROOT, room));
    } catch {
      continue;
    }
    for (const file of files) {
      const from = roomOf(file);
      for (const imp of importsOf(file)) {
        const where = `${relative(REPO_ROOT, file)}:${imp.line}`;
        if (imp.dynamic) {
          if (NO_DYNAMIC_IMPORT.has(room)) problems.push(`${where}: dynamic import(${imp.spec}) hides a dependency; import it statically`);
          continue;
        }
        if (!imp.spec.startsWith(".")) continue; // packages and node: builtins
        const to = roomOf(resolve(dirname(file), imp.spec));
        const target = to[0];
        if (!(target in RANK)) continue; // repository root files (hardhat.config.ts)
        if (RANK[target] > RANK[room]) problems.push(`${where}: ${room}/ imports ${imp.spec} (${target}/ is above ${room}/)`);
        if (room === "workers" && target === "workers" && from.length > 2 && to.length > 2 && from[1] !== to[1]) {
          const [a, b] = [from[1], to[1]];
          if (WORKER_KERNEL.has(a) && !WORKER_KERNEL.has(b)) problems.push(`${where}: workers/${a} (kernel) imports the role workers/${b}`);
          if (!WORKER_KERNEL.has(a) && !WORKER_KERNEL.has(b)) problems.push(`${where}: the role workers/${a} imports the role workers/${b}`);
        }
      }
    }
  }
  return problems;
}

describe("architecture", () => {
  it("no room imports a room above it, no worker role another role, no dynamic import() hides a dependency", () => {
    assert.deepEqual(violations(), []);
  });
});
