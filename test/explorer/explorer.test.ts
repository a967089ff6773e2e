/**
 * The explorer page against a real local stack (Hardhat node, Redis, listener/executor/sender, a prover and three
 * verification nodes as processes, ZKML_ATTESTED with real proofs, and the explorer process), in headless
 * Chromium: it loads, shows the nodes with their stakes, the queues and the models, and requests sent while it
 * is open move live through their states to Settled, with their answer decoded. A screenshot is written to the
 * test's temp folder (its path is printed).
 */
import assert from "node:assert/strict";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startExplorer, type RunningExplorer } from "../../devnet/explorer.js";
import { startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import { demoDataset, ensureDemoBundle } from "../../models/index.js";
import { quantize } from "../../protocol/fixedPoint.js";
import { ALL_QUEUES } from "../../workers/queues/names.js";
import { launchChromium, SKIP_CHROMIUM, type Browser } from "../helpers/chromium.js";

const MODEL = "iris-mlp";
const { classes: LABELS, test: ROWS } = demoDataset(MODEL);

let ps: ProofStack;
let explorer: RunningExplorer;
let browser: Browser | undefined;
const outDir = mkdtempSync(join(tmpdir(), "twinpath-explorer-test-"));

describe("explorer page on a local stack", { timeout: 240_000, skip: SKIP_CHROMIUM }, () => {
  before(async () => {
    const bundleDir = (await ensureDemoBundle(MODEL)).dir;
    ps = await startProofStack({ bundleDir, verifierNodes: 3, proverNodes: 1 });
    [explorer] = await Promise.all([
      startExplorer(ps.stack, { EXPLORER_MODEL_LABELS: JSON.stringify({ "1": LABELS }) }),
      ps.start("prover", 0, { PROVER_THREADS: "1" }),
      ...[0, 1, 2].map((i) => ps.start("verifier-node", i, { VERIFIER_BACKEND: "engine" })),
    ]);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await ps?.stack.stop();
  });

  it("loads and shows live requests moving to Settled, with nodes, queues and per-model gas and latency", async () => {
    const page = browser!.page;
    await page.goto(explorer.url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    assert.equal(await page.textContent("#chain"), "31337");
    assert.equal((await page.textContent("#hub"))?.toLowerCase(), ps.hub.toLowerCase());
    assert.match((await page.textContent("#block-source")) ?? "", /read by this page from the chain/);
    const nodeRows = await page.$$eval("#nodes tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)));
    assert.deepEqual(nodeRows.map((r) => r[1]).sort(), ["Executor", "Prover", "Verifier", "Verifier", "Verifier"]);
    assert.ok(nodeRows.every((r) => Number(r[2]) > 0 && r[3] === "yes"), JSON.stringify(nodeRows));
    const queues = await page.$$eval("#queues tbody tr td:first-child", (tds) => tds.map((td) => td.textContent));
    assert.deepEqual([...queues].sort(), [...ALL_QUEUES].sort(), "every queue of the protocol");

    // requests sent while the page is open; the test watches the page, not the chain
    const sent: string[] = [];
    for (const r of ROWS.slice(0, 2)) sent.push((await ps.request(quantize(r.x, 7), { fee: 10n ** 15n })).requestId.toString());
    const seen = new Map<string, string[]>(sent.map((id) => [id, []]));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const rows = await page.$$eval("#requests tbody tr[data-request-id]", (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.requestId!, (tr as HTMLElement).dataset.status!]));
      for (const [id, status] of rows) {
        const list = seen.get(id);
        if (list && list.at(-1) !== status) list.push(status);
      }
      const settledWithTime = await page.$$eval("#requests tbody tr[data-status=Settled] .step.done", (steps) => steps.filter((s) => /^settled \+/.test(s.textContent ?? "")).length);
      if (sent.every((id) => seen.get(id)!.at(-1) === "Settled") && settledWithTime >= sent.length) break;
      if (Date.now() > deadline) assert.fail(`not every request reached Settled on the page: ${JSON.stringify([...seen])}\n${browser!.console.join("\n")}\n${await ps.stack.diagnostics()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const statuses = [...seen.values()];
    assert.ok(statuses.some((s) => s.length > 1 && s.slice(0, -1).every((x) => ["Requested", "Executed", "ProofSubmitted"].includes(x))), `the page showed requests on their way: ${JSON.stringify(statuses)}`);

    // answers decoded with the model's labels, timelines complete, gas shown
    const cells = await page.$$eval("#requests tbody tr[data-request-id]", (trs) =>
      trs.map((tr) => ({ id: (tr as HTMLElement).dataset.requestId, tds: Array.from(tr.querySelectorAll("td")).map((td) => td.textContent ?? "") })),
    );
    for (const [i, id] of sent.entries()) {
      const c = cells.find((x) => x.id === id)!;
      assert.equal(c.tds[6], LABELS[ROWS[i].y], `request ${id} answers ${LABELS[ROWS[i].y]}`);
      assert.match(c.tds[3], /^requestedresult \+[\d.]+sproof \+[\d.]+ssettled \+[\d.]+s$/);
      assert.ok(Number(c.tds[9].replace(/,/g, "")) > 100_000, `gas of request ${id}: ${c.tds[9]}`);
    }
    await page.waitForFunction(() => document.querySelector("#models tbody tr td:nth-child(4)")?.textContent === "2", undefined, { timeout: 10_000 });
    const model = await page.$$eval("#models tbody tr td", (tds) => tds.map((td) => td.textContent));
    assert.equal(model[1], "ZKML_ATTESTED");
    assert.ok(Number(model[6]?.replace(/,/g, "")) > 300_000, `gas per settled request: ${model[6]}`);
    assert.match(model[7] ?? "", /^request \d+k · result \d+k · proof \d+k · attestations \d+k/);

    const shot = join(outDir, "explorer.png");
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 20_000);
    console.log(`explorer screenshot: ${shot}`);
  });

  it("serves its JSON API and health on the same port", async () => {
    const base = explorer.url;
    const { requests } = (await (await fetch(`${base}api/requests?limit=2`)).json()) as { requests: { id: string; status: string; txs: Record<string, string>; gasTotal: number }[] };
    assert.equal(requests.length, 2);
    assert.ok(requests.every((r) => r.status === "Settled" && /^0x[0-9a-f]{64}$/.test(r.txs.RequestSettled) && r.gasTotal > 0));
    const missing = await fetch(`${base}api/nope`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /no API nope; try config, requests, models, queues, nodes/);
    const health = await fetch(new URL("/health", base));
    assert.equal(health.status, 200);
    const redirect = await fetch(new URL("/explorer", base), { redirect: "manual" });
    assert.equal(redirect.status, 302);
  });
});
