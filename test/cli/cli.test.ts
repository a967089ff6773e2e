// The twinpath CLI as a user meets it: help on every command, amounts and roles parsed with clear refusals, and the
// node commands against a real Hardhat node with the protocol deployed (register, stake, unbond, withdraw, status),
// including every refusal a node operator hits (twice registered, below the minimum, more than bonded, too early,
// no key, no chain). The dev stack and the request lifecycle are covered by test/cli/newUser.e2e.test.ts.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Command } from "commander";
import { getAddress, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseAmount, parseMode } from "../../cli/args.js";
import { program } from "../../cli/program.js";
import { DEVNET_PARAMETERS, deployProtocol, type Deployment } from "../../devnet/deploy.js";
import { devKey, startHardhatNode, type HardhatNode } from "../../devnet/hardhatNode.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { runCli } from "../../testkit/cli.js";

const BIN = join(REPO_ROOT, "bin", "twinpath.mjs");

function allCommands(c: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return [{ path, cmd: c }, ...c.commands.filter((s) => s.name() !== "help").flatMap((s) => allCommands(s, [...path, s.name()]))];
}

describe("twinpath CLI: help and arguments", () => {
  it("every command has a description and --help that explains each option", () => {
    const cmds = allCommands(program());
    assert.ok(cmds.length >= 12, `expected the command tree, got ${cmds.map((c) => c.path.join(" ")).join(", ")}`);
    for (const { path, cmd } of cmds) {
      const name = ["twinpath", ...path].join(" ");
      assert.ok(cmd.description().length > 10, `${name} has a description`);
      const help = cmd.helpInformation();
      assert.match(help, /Usage:/, name);
      for (const o of cmd.options) assert.ok(o.description && o.description.length > 3, `${name} ${o.flags} is described`);
    }
    for (const top of ["dev", "node", "model"]) assert.ok(cmds.some((c) => c.path[0] === top), `twinpath ${top}`);
    for (const sub of ["register", "stake", "unbond", "withdraw", "status"]) assert.ok(cmds.some((c) => c.path.join(" ") === `node ${sub}`), `node ${sub}`);
    for (const sub of ["up", "down", "status"]) assert.ok(cmds.some((c) => c.path.join(" ") === `dev ${sub}`), `dev ${sub}`);
    for (const c of ["request", "status", "model register", "model list", "model build", "model verify", "jobs dead", "jobs retry"]) assert.ok(cmds.some((x) => x.path.join(" ") === c), c);
  });

  // in process (testkit/cli.ts): the exit codes through the bin are checked by the next test
  it("request: --model and --input are required, an input must be a JSON number array (exit 2, nothing sent)", async () => {
    const noModel = await runCli(["request", "--input", "[1, 2]"]);
    assert.equal(noModel.status, 2);
    assert.match(noModel.stderr, /--model/);
    for (const [input, why] of [["abc", /not JSON/], ['{"x": 1}', /JSON array of numbers/], ['[1, "2"]', /JSON array of numbers/]] as const) {
      const r = await runCli(["request", "--model", "1", "--input", input]);
      assert.equal(r.status, 2, input);
      assert.match(r.stderr, why, input);
    }
    const badId = await runCli(["status", "-3"]);
    assert.equal(badId.status, 2);
  });

  it("--help through the package bin exits 0; an unknown command or option exits 2 naming it", async () => {
    const help = spawnSync(process.execPath, [BIN, "node", "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /register/);
    assert.match(help.stdout, /withdraw/);
    // (in process: the bin's exit code 2 is the unknown command's below)
    const bad = await runCli(["node", "register", "--role", "miner"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /miner/);
    assert.match(bad.stderr, /executor, prover, verifier|"executor", "prover", "verifier"/);
    const unknown = spawnSync(process.execPath, [BIN, "nodes"], { encoding: "utf8" });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command 'nodes'/);
  });

  it("amounts: ETH by default, gwei and wei suffixes; anything else is refused", () => {
    assert.equal(parseAmount("0.05"), parseEther("0.05"));
    assert.equal(parseAmount("1"), 10n ** 18n);
    assert.equal(parseAmount("20gwei"), 20n * 10n ** 9n);
    assert.equal(parseAmount("1000wei"), 1000n);
    assert.equal(parseAmount("2 ETH"), 2n * 10n ** 18n);
    for (const bad of ["-1", "1e18", "abc", "0.5wei", ""]) assert.throws(() => parseAmount(bad), /amount/i, bad);
  });

  it("verification modes: short names and the contracts' names", () => {
    assert.equal(parseMode("attested"), "ZKML_ATTESTED");
    assert.equal(parseMode("onchain"), "ZKML_ONCHAIN");
    assert.equal(parseMode("OPTIMISTIC"), "OPTIMISTIC");
    assert.throws(() => parseMode("zk"), /attested/);
  });
});

describe("twinpath node: a node operator's stake on a real chain", { timeout: 300_000 }, () => {
  let node: HardhatNode;
  let d: Deployment;
  let work: string;
  const operator = devKey(8);
  const operatorAddress = getAddress(privateKeyToAccount(operator).address);

  // The CLI in this process (testkit/cli.ts: ~25 spawns of the bin cost about a minute); the launcher's own exit
  // codes are checked above and in the "no chain at the RPC" test.
  function cli(args: string[], env: Record<string, string> = {}) {
    return runCli(["--rpc", node.url, ...args], {
      TWINPATH_HOME: join(work, "home"),
      TWINPATH_DEPLOYMENTS_DIR: join(work, "deployments"),
      TWINPATH_PRIVATE_KEY: undefined,
      TWINPATH_RPC_URL: undefined,
      OPERATOR_KEY: undefined,
      ...env,
    });
  }
  const asOperator = { OPERATOR_KEY: operator };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "twinpath-cli-"));
    node = await startHardhatNode();
    d = await deployProtocol(node.url, DEVNET_PARAMETERS);
    writeFileSync(
      join(work, "deployments.json"),
      JSON.stringify({ chainId: 31337, network: "test", deployedAt: new Date().toISOString(), deployer: getAddress(privateKeyToAccount(devKey(0)).address), deployBlock: Number(d.deployBlock), contracts: { inferenceHub: d.inferenceHub, modelRegistry: d.modelRegistry, nodeRegistry: d.nodeRegistry, attestationQuorum: d.attestationQuorum } }),
    );
  });
  after(async () => {
    await node?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("no deployment file: says where it looked and what writes one", async () => {
    const r = await cli(["node", "status", operatorAddress]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /No deployment for chain 31337/);
    assert.match(r.stderr, /twinpath dev up/);
  });

  it("no chain at the RPC: one line naming the URL and how to start one", async () => {
    // through the bin, without blocking this process's event loop: a spawnSync here would hold the keep-alive
    // socket the in-process CLI calls share until after the Hardhat node has closed it
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [BIN, "--rpc", "http://127.0.0.1:9", "node", "status", operatorAddress], { encoding: "utf8" }, (err, _stdout, stderr) => {
        if (err && typeof err.code !== "number") reject(err);
        else resolve({ status: err ? (err.code as number) : 0, stderr });
      });
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no chain answers at http:\/\/127\.0\.0\.1:9/);
    assert.ok(r.stderr.trim().split("\n").length <= 2, r.stderr);
  });

  it("a key variable that is not set is refused by name (nothing is sent)", async () => {
    const r = await cli(["--deployment", join(work, "deployments.json"), "--key-var", "NO_SUCH_KEY", "node", "register", "--role", "executor"]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /NO_SUCH_KEY/);
  });

  it("register (default stake = the minimum), refuse a second registration and a stake below the minimum", async () => {
    const dep = ["--deployment", join(work, "deployments.json"), "--key-var", "OPERATOR_KEY"];
    const low = await cli([...dep, "node", "register", "--role", "prover", "--stake", "1000wei"], asOperator);
    assert.equal(low.status, 2);
    assert.match(low.stderr, /below the prover minimum of 0\.01 ETH/);

    const r = await cli([...dep, "node", "register", "--role", "executor", "--json"], asOperator);
    assert.equal(r.status, 0, r.stderr);
    const out = r.json();
    assert.equal(out.node, operatorAddress);
    assert.equal(out.role, "Executor");
    const ex = out.status.roles.find((x: { roleName: string }) => x.roleName === "Executor");
    assert.deepEqual([ex.registered, ex.eligible, ex.stake], [true, true, String(10n ** 16n)]);

    const again = await cli([...dep, "node", "register", "--role", "executor"], asOperator);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already registered as executor/);
    assert.match(again.stderr, /twinpath node stake/);
  });

  it("stake adds to the bond; unbond refuses more than bonded, then moves stake out of eligibility", async () => {
    const dep = ["--deployment", join(work, "deployments.json"), "--key-var", "OPERATOR_KEY"];
    const s = await cli([...dep, "node", "stake", "--role", "executor", "--amount", "0.02", "--json"], asOperator);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(s.json().status.roles[0].stake, String(3n * 10n ** 16n));

    const tooMuch = await cli([...dep, "node", "unbond", "--role", "executor", "--amount", "1"], asOperator);
    assert.equal(tooMuch.status, 2);
    assert.match(tooMuch.stderr, /more than the bonded executor stake \(0\.03 ETH\)/);

    const u = await cli([...dep, "node", "unbond", "--role", "executor", "--all", "--json"], asOperator);
    assert.equal(u.status, 0, u.stderr);
    const ex = u.json().status.roles[0];
    assert.equal(ex.stake, "0");
    assert.equal(ex.eligible, false);
    assert.equal(ex.unbonding.amount, String(3n * 10n ** 16n));
    assert.ok(BigInt(ex.unbonding.readyAt) > 0n);
  });

  it("withdraw before the unbonding delay withdraws nothing and says when; after it, the stake comes back", async () => {
    const dep = ["--deployment", join(work, "deployments.json"), "--key-var", "OPERATOR_KEY"];
    const early = await cli([...dep, "node", "withdraw", "--json"], asOperator);
    assert.equal(early.status, 1);
    const e = early.json();
    assert.deepEqual(e.withdrawn, []);
    assert.match(e.notYet[0], /executor: 0\.03 ETH unbonding, withdrawable at .*\(in 10\.0 d\)/);

    // let the unbonding delay pass on the dev chain
    await fetch(node.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_increaseTime", params: [Number(DEVNET_PARAMETERS.Registries.unbondingDelay) + 1] }) });
    await fetch(node.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "evm_mine", params: [] }) });

    const w = await cli([...dep, "node", "withdraw", "--json"], asOperator);
    assert.equal(w.status, 0, w.stderr);
    const out = w.json();
    assert.equal(out.withdrawn.length, 1);
    assert.equal(out.withdrawn[0].what, "executor stake");
    assert.equal(out.withdrawn[0].amount, String(3n * 10n ** 16n));

    const st = await cli([...dep, "node", "status", operatorAddress, "--json"]);
    const ex = st.json().roles[0];
    assert.deepEqual([ex.registered, ex.stake, ex.unbonding.amount], [false, "0", "0"]);
  });

  it("model list with no models says how to register one; request and status name what is missing", async () => {
    const dep = ["--deployment", join(work, "deployments.json")];
    const list = await cli([...dep, "model", "list"]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /no models registered yet \(twinpath model register <bundle>\)/);
    assert.deepEqual((await cli([...dep, "model", "list", "--json"])).json(), { models: [] });
    const req = await cli([...dep, "--dev-account", "9", "request", "--model", "1", "--input", "[0.5, -0.3, 0.8, 1.1]"]);
    assert.equal(req.status, 2);
    assert.match(req.stderr, /no model #1 on this chain \(0 registered: `twinpath model list`\)/);
    const st = await cli([...dep, "status", "1"]);
    assert.equal(st.status, 1);
    assert.match(st.stderr, /request 1 not found/);
  });

  it("status of another address needs no key; a human table names each role", async () => {
    const r = await cli(["--deployment", join(work, "deployments.json"), "node", "status", getAddress(privateKeyToAccount(devKey(3)).address)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /role\s+registered\s+stake/);
    assert.match(r.stdout, /executor\s+no/);
    assert.match(r.stdout, /verifier\s+no/);
  });
});
