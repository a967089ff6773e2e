/**
 * Checks the pm2 setup end to end: a local stack without workers, then `pm2 start ecosystem.config.cjs` (its own
 * PM2_HOME, so no other pm2 daemon is touched), requests, `pm2 scale executor 3`, more requests, `pm2 kill`.
 *
 *   node --import tsx scripts/demo/pm2-smoke.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { startStack } from "../../devnet/stack.js";
import { exampleInputs } from "../../models/index.js";

const pm2Home = mkdtempSync(join(tmpdir(), "twinpath-pm2-"));
const stack = await startStack({ startWorkers: false });
const env = { ...process.env, ...stack.envFor("listener"), ...stack.envFor("executor"), ...stack.envFor("sender"), PM2_HOME: pm2Home };
const pm2 = (...args: string[]) => execFileSync(join(REPO_ROOT, "node_modules", ".bin", "pm2"), args, { cwd: REPO_ROOT, env, encoding: "utf8" });
const running = () => (JSON.parse(pm2("jlist")) as { name: string; pm2_env: { status: string } }[]).filter((p) => p.pm2_env.status === "online").map((p) => p.name);
let code = 1;
try {
  pm2("start", "ecosystem.config.cjs");
  console.log("pm2 online:", running().join(", "));
  const first = await stack.request(exampleInputs("iris-mlp", 5));
  await stack.waitForResults(first.map((s) => s.requestId), 90_000);
  console.log(`5/5 results via pm2 workers`);
  pm2("scale", "executor", "3");
  await new Promise((r) => setTimeout(r, 5000));
  const names = running();
  console.log("after `pm2 scale executor 3`:", names.join(", "));
  if (names.filter((n) => n === "executor").length !== 3) throw new Error("expected 3 executor instances");
  const second = await stack.request(exampleInputs("iris-mlp", 10));
  await stack.waitForResults(second.map((s) => s.requestId), 90_000);
  console.log("10/10 results after scaling");
  code = 0;
} catch (err) {
  console.error(err);
  try {
    console.error(pm2("logs", "--nostream", "--lines", "30"));
  } catch {}
} finally {
  try {
    pm2("kill");
  } catch {}
  await stack.stop();
  rmSync(pm2Home, { recursive: true, force: true });
}
process.exit(code);
