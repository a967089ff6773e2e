/**
 * Prints the slowest test files of a run.
 *
 *   npm run test:times                           # the last run of testkit/runner/run.ts (.twinpath/test-times.json)
 *   npm run test:times -- --top 40 [FILE ...]    # a saved run's JSON, or timesReporter JSON lines
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { classifyFile } from "./tiers.js";
import { formatTimes, readTimes, type FileTime, type RunTimes } from "./times.js";

const { values, positionals } = parseArgs({
  options: { top: { type: "string", default: "20" }, help: { type: "boolean", short: "h", default: false } },
  allowPositionals: true,
});
if (values.help) {
  console.log("usage: npm run test:times -- [--top N] [times.json | times.jsonl ...]");
  process.exit(0);
}
const paths = positionals.length ? positionals : [join(REPO_ROOT, ".twinpath", "test-times.json")];
let run: RunTimes | undefined;
const files: FileTime[] = [];
for (const p of paths) {
  if (!existsSync(p)) {
    console.error(`${p}: no such file (run the tests first: npm test, npm run test:fast)`);
    process.exit(2);
  }
  const r = readTimes(p, REPO_ROOT);
  run ??= r.run;
  files.push(...r.files);
}
for (const f of files) {
  if (f.tier === undefined && existsSync(join(REPO_ROOT, f.file))) Object.assign(f, (({ tier, serial }) => ({ tier, serial }))(classifyFile(REPO_ROOT, f.file)));
}
console.log(formatTimes(files, paths.length === 1 ? run : undefined, Number(values.top)));
