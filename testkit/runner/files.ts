import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * Every `*.test.ts` under `dir` (recursively, sorted), as "/"-separated paths relative to `root`: the files
 * `npm test` runs, the same set as the glob `test/**\/*.test.ts`.
 */
export function testFiles(root: string, dir = join(root, "test")): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(root, p));
    else if (name.endsWith(".test.ts")) out.push(relative(root, p).split(sep).join("/"));
  }
  return out;
}
