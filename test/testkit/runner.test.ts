// The test runner behind `npm test` (testkit/runner): it runs every test file there is, a failing, crashing or hung
// file fails the run, and the committed time table it schedules by is a green measurement that agrees with the tiers.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { testFiles } from "../../testkit/runner/files.js";
import { classifyFile } from "../../testkit/runner/tiers.js";
import { FAST_FILE_BUDGET_MS, readTimes, timesFiles } from "../../testkit/runner/times.js";

describe("which files npm test runs", () => {
  it("every test/**/*.test.ts, and no test file lives elsewhere", () => {
    const listed = testFiles(REPO_ROOT);
    // an independent walk: Node's recursive readdir
    const all = (readdirSync(join(REPO_ROOT, "test"), { recursive: true }) as string[]).map((p) => `test/${p.split("\\").join("/")}`);
    assert.deepEqual([...listed].sort(), all.filter((p) => p.endsWith(".test.ts")).sort());
    assert.ok(listed.includes("test/testkit/runner.test.ts"));
    // a file that uses node:test under another name, or outside test/, would never run: a test that cannot fail
    const tracked = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "*.ts", "*.mts", "*.js", "*.mjs"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(tracked.status, 0, tracked.stderr);
    const usesNodeTest = tracked.stdout
      .split("\n")
      .filter((p) => p && !p.startsWith("node_modules/") && existsSync(join(REPO_ROOT, p)))
      .filter((p) => /from ["']node:test["']|require\(["']node:test["']\)/.test(readFileSync(join(REPO_ROOT, p), "utf8")));
    assert.deepEqual(usesNodeTest.filter((p) => !listed.includes(p)), [], "files using node:test that npm test does not run");
  });
});

describe("the run's exit code", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "twinpath-runner-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, body: string) => writeFileSync(join(dir, name), `import { it } from "node:test";\nimport assert from "node:assert/strict";\n${body}\n`);
  const run = (sub: string, ...args: string[]) => {
    const times = join(dir, `${sub}-times.json`);
    const r = spawnSync(process.execPath, ["--import", "tsx", "testkit/runner/run.ts", "--dir", join(dir, sub), "--times", times, ...args], { cwd: REPO_ROOT, encoding: "utf8" });
    return { ...r, times };
  };

  it("is 0 when every file passes, 1 when one fails, does not load, or hangs; each failure is named", () => {
    for (const sub of ["green", "red"]) rmSync(join(dir, sub), { recursive: true, force: true });
    spawnSync("mkdir", ["-p", join(dir, "green"), join(dir, "red")]);
    write("green/a.test.ts", `it("passes", () => assert.equal(1 + 1, 2));`);
    write("red/a.test.ts", `it("passes", () => assert.equal(1 + 1, 2));`);
    write("red/fails.test.ts", `it("fails", () => assert.equal(1 + 1, 3));`);
    write("red/broken.test.ts", `import "./does-not-exist.js";\nit("never runs", () => {});`);
    write("red/hangs.test.ts", `it("leaves a handle open", () => { setInterval(() => {}, 1000); });`);

    const green = run("green");
    assert.equal(green.status, 0, green.stdout + green.stderr);
    assert.match(green.stdout, /✔ .*green\/a\.test\.ts/);

    const red = run("red", "--file-timeout", "15");
    assert.equal(red.status, 1, red.stdout + red.stderr);
    const failed = /✖ 3 failed: (.*)/.exec(red.stdout);
    assert.ok(failed, red.stdout);
    assert.deepEqual(failed[1].split(", ").map((f) => f.replace(/.*\//, "")).sort(), ["broken.test.ts", "fails.test.ts", "hangs.test.ts"]);
    assert.match(red.stdout, /killed: still running after --file-timeout 15 s/);
    const { files } = readTimes(red.times);
    assert.deepEqual(files.map((f) => [f.file.replace(/.*\//, ""), f.ok]).sort(), [["a.test.ts", true], ["broken.test.ts", false], ["fails.test.ts", false], ["hangs.test.ts", false]]);
  });
});

describe("the committed time table", () => {
  it("times every test file green on the 2-core reference machine after a full run, and no fast-tier file is over the fast budget", () => {
    const { run, files } = readTimes(timesFiles(REPO_ROOT).baseline);
    assert.equal(run.tier, "all");
    assert.ok(run.wallMs > 0 && run.startedAt, "the full run's wall time and date");
    assert.match(run.machine ?? "", /^2 cores/, "measured on the 2-core reference machine");
    assert.ok(files.every((f) => f.ok));
    // (a file added since the measurement is scheduled as 60 s, and the runner says so, until the table is re-measured;
    // asserting coverage here would fail the very full run that `test:times --save` needs to re-measure it)
    const slowFast = files.filter((f) => existsSync(join(REPO_ROOT, f.file)) && f.file.startsWith("test/") && classifyFile(REPO_ROOT, f.file).tier === "fast" && f.ms > FAST_FILE_BUDGET_MS);
    assert.deepEqual(slowFast.map((f) => `${f.file} ${f.ms} ms`), [], "fast-tier files over budget: tag them `// @tier slow` (testkit/runner/tiers.ts)");
  });
});
