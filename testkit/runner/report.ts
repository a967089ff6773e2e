/**
 * Prints the slowest test files of a run.
 *
 *   npm run test:times                           # the last run of testkit/runner/run.ts (.twinpath/test-times.json)
 *   npm run test:times -- --top 40 [FILE]        # a saved copy of one
 *   npm run test:times -- --all                  # every file's latest time, from whichever run
 *   npm run test:times -- --baseline             # the committed table (testkit/runner/times.json)
 *   npm run test:times -- --save                 # every file's latest green time (after a full run) becomes the committed table
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { testFiles } from "./files.js";
import { classifyFile } from "./tiers.js";
import { formatTimes, readTimes, saveBaseline, timesFiles, type FileTime } from "./times.js";

const { values, positionals } = parseArgs({
  options: {
    top: { type: "string", default: "20" },
    all: { type: "boolean", default: false },
    baseline: { type: "boolean", default: false },
    save: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  allowPositionals: true,
});
if (values.help) {
  console.log("usage: npm run test:times -- [--top N] [--all | --baseline] [times.json]\n       npm run test:times -- --save   (every file's latest green time, after a full run, becomes testkit/runner/times.json)");
  process.exit(0);
}
if (values.save) {
  try {
    const { path, table } = saveBaseline(REPO_ROOT, testFiles(REPO_ROOT));
    console.log(`${path}: ${table.files.length} jobs; full run ${table.startedAt}, ${(table.wallMs / 1000).toFixed(1)} s wall (${table.machine ?? "machine not recorded"})`);
    process.exit(0);
  } catch (err) {
    console.error(`not saved: ${(err as Error).message}`);
    process.exit(1);
  }
}
const path = positionals[0] ?? (values.baseline ? timesFiles(REPO_ROOT).baseline : timesFiles(REPO_ROOT).local);
if (!existsSync(path)) {
  console.error(`${path}: no such file (run the tests first: npm test, npm run test:fast)`);
  process.exit(2);
}
const r = readTimes(path);
const files: FileTime[] = values.all ? r.known : r.files;
for (const f of files) {
  // the class as the file says today (tags change)
  if (existsSync(join(REPO_ROOT, f.file))) Object.assign(f, (({ tier, share }) => ({ tier, share }))(classifyFile(REPO_ROOT, f.file)));
}
console.log(formatTimes(files, values.all ? undefined : r.run, Number(values.top)));
