/**
 * The client library as a dependency sees it: built with the package's own tsconfig (what `npm run build` and the
 * install's `prepare` do), installed under node_modules/twinpath of a scratch project, and imported by name from
 * Node (the "node" export), from TypeScript (the .d.ts files) and from a browser bundle (the "browser" export:
 * esbuild must resolve it without any Node module).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as esbuild from "esbuild";
import { REPO_ROOT } from "../../protocol/repoRoot.js";

const BIN = join(REPO_ROOT, "node_modules", ".bin");
let scratch: string;
let pkg: string;

describe("package exports (twinpath, twinpath/node, twinpath/browser)", { timeout: 180_000 }, () => {
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), "twinpath-consumer-"));
    pkg = join(scratch, "node_modules", "twinpath");
    mkdirSync(pkg, { recursive: true });
    cpSync(join(REPO_ROOT, "package.json"), join(pkg, "package.json"));
    symlinkSync(join(REPO_ROOT, "node_modules"), join(pkg, "node_modules"));
    // the consumer's own viem (a peer dependency: the app and the library share one viem)
    symlinkSync(join(REPO_ROOT, "node_modules", "viem"), join(scratch, "node_modules", "viem"));
    // the package's build, into the scratch copy (the repository's own dist/ is left alone)
    execFileSync(join(BIN, "tsc"), ["-p", join(REPO_ROOT, "client", "tsconfig.json"), "--outDir", join(pkg, "dist")], { stdio: "pipe" });
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("imports from Node by package name (the node export adds directoryBundle and deriveCircuit)", () => {
    writeFileSync(
      join(scratch, "node.mjs"),
      `import * as tp from "twinpath";
import * as browser from "twinpath/browser";
const x = tp.encodeTensor({ shape: [1, 2], scale: 7 }, [[1.5, -0.25]]);
console.log(JSON.stringify({ node: Object.keys(tp).sort(), browser: Object.keys(browser).sort(), x: x.map(String), status: tp.requestStatusName(4) }));`,
    );
    const out = JSON.parse(execFileSync(join(BIN, "node"), [join(scratch, "node.mjs")], { cwd: scratch, encoding: "utf8" }));
    for (const name of ["createTwinpathClient", "watchRequest", "getRequestTimeline", "verifySettledResult", "encodeTensor", "decodeOutput", "getModel", "getNodes", "requestInference", "httpBundle"]) {
      assert.ok(out.node.includes(name) && out.browser.includes(name), name);
    }
    assert.ok(out.node.includes("directoryBundle") && out.node.includes("deriveCircuit"));
    assert.ok(!out.browser.includes("directoryBundle"), "the browser entry has no file-system helper");
    assert.deepEqual(out.x, ["192", "-32"]);
    assert.equal(out.status, "Settled");
  });

  it("type-checks a TypeScript consumer against the emitted declarations", () => {
    writeFileSync(
      join(scratch, "consumer.ts"),
      `import { createPublicClient, http } from "viem";
import { createTwinpathClient, httpBundle, type RequestEvent, type VerificationReport } from "twinpath";
const tp = createTwinpathClient({ publicClient: createPublicClient({ transport: http("http://127.0.0.1:8545") }), addresses: { hub: "0x0000000000000000000000000000000000000001", modelRegistry: "0x0000000000000000000000000000000000000002", nodeRegistry: "0x0000000000000000000000000000000000000003" } });
export async function main(): Promise<VerificationReport> {
  for await (const e of tp.watchRequest(1n)) {
    const ev: RequestEvent = e;
    if (ev.eventName === "ResultSubmitted") { const out: readonly bigint[] = ev.args.output; void out; }
  }
  return tp.verifySettledResult(1n, { bundle: httpBundle("https://example.org/iris-mlp/") });
}
// @ts-expect-error a request id is a bigint
void tp.getRequestTimeline(1);
`,
    );
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "node16", moduleResolution: "node16", target: "es2022", lib: ["es2023", "dom"], strict: true, noEmit: true, skipLibCheck: true }, files: ["consumer.ts"] }),
    );
    try {
      execFileSync(join(BIN, "tsc"), ["-p", join(scratch, "tsconfig.json")], { cwd: scratch, encoding: "utf8" });
    } catch (err) {
      assert.fail(`tsc found errors in the consumer:\n${(err as { stdout?: string }).stdout}`);
    }
  });

  it("bundles for the browser from the browser export, with no Node module", async () => {
    writeFileSync(join(scratch, "app.mjs"), `import { createTwinpathClient, verifySettledResult, httpBundle } from "twinpath";\nglobalThis.tp = { createTwinpathClient, verifySettledResult, httpBundle };\n`);
    const r = await esbuild.build({ entryPoints: [join(scratch, "app.mjs")], bundle: true, platform: "browser", format: "esm", write: false, metafile: true, absWorkingDir: scratch, logLevel: "silent" });
    const inputs = Object.keys(r.metafile.inputs);
    assert.ok(inputs.some((i) => i.endsWith("dist/client/index.js")), "resolved the browser export");
    assert.ok(!inputs.some((i) => i.endsWith("dist/client/node.js") || /halo2\/circuit\/describe/.test(i)), "nothing of the Node entry");
    assert.doesNotMatch(r.outputFiles[0].text, /from\s*["']node:/);
    assert.ok(JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).exports["."].browser);
  });
});
