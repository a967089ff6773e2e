#!/usr/bin/env node
// twinpath CLI launcher: runs cli/main.ts under Node >= 22 with the tsx loader resolved from this package, and with
// this package's hardhat.config.ts (the CLI deploys and reads the keystore through Hardhat) wherever it is started.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
let tsx;
try {
  tsx = pathToFileURL(require.resolve("tsx")).href;
} catch {
  console.error("twinpath: cannot find the 'tsx' package; run npm install in " + root);
  process.exit(1);
}
let node = process.execPath;
if (Number(process.versions.node.split(".")[0]) < 22) {
  const local = join(root, "node_modules", "node", "bin", "node");
  if (existsSync(local)) node = local;
  else {
    console.error(`twinpath: Node >= 22 is required (running ${process.versions.node})`);
    process.exit(1);
  }
}
const args = process.argv.slice(2);
const entry = join(root, "cli", "main.ts");
const env = { ...process.env, HARDHAT_CONFIG: process.env.HARDHAT_CONFIG ?? join(root, "hardhat.config.ts") };
const r = spawnSync(node, ["--import", tsx, entry, ...args], { stdio: "inherit", env });
process.exit(r.status ?? 1);
