// node:test reporter that records how long each test file took, process start included (with process isolation the
// runner reports one file-level `test:complete` per file, named by the path it was given, after the file's own summary). One
// JSON line per file: {"file": "<absolute path>", "ms": <duration>, "ok": <bool>}. Used next to the spec reporter by
// testkit/runner/run.ts; testkit/runner/times.ts prints the slowest files from these lines.
import { resolve } from "node:path";

export default async function* timesReporter(source) {
  for await (const event of source) {
    if (event.type !== "test:complete") continue;
    const { file, name, nesting, details } = event.data;
    if (!file || nesting !== 0 || resolve(name) !== file) continue;
    yield `${JSON.stringify({ file, ms: Math.round(details.duration_ms), ok: details.passed !== false })}\n`;
  }
}
