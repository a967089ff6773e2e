/**
 * `twinpath dev up|down|status`: the local stack in one command (devnet/dev/up.ts), recorded in
 * `<home>/dev/state.json` so `dev down` stops exactly what `dev up` started. `dev up` also writes
 * deployments/<chainId>.json, so the other commands and `npx hardhat run … --network localhost` find the contracts.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { DEMO_MODEL_NAMES } from "../../models/index.js";
import { devDir, writeDevState, type DevState } from "../../devnet/dev/state.js";
import { devDeployer, devDown, devStatus, devUp } from "../../devnet/dev/up.js";
import { writeDeployment } from "../../scripts/lib/deployments.js";
import { parseAmount } from "../args.js";
import { contextOf, optionsOf } from "../command.js";
import { table } from "../output.js";

const count = (lo: number, hi: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`expected a whole number in ${lo}..${hi}`);
  return n;
};
const port = (v: string) => count(0, 65_535)(v);
const modelList = (v: string): string[] => {
  if (v === "none") return [];
  const names = v.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(DEMO_MODEL_NAMES as readonly string[]).includes(n));
  if (bad.length) throw new InvalidArgumentError(`unknown demo model(s) ${bad.join(", ")} (${DEMO_MODEL_NAMES.join(", ")}, or none)`);
  return names;
};

function summary(s: DevState): string[] {
  const c = s.contracts!;
  return [
    "",
    `Twinpath dev stack up (chain ${s.chainId})`,
    `  chain      ${s.rpcUrl}`,
    `  redis      ${s.redisUrl} (queue prefix ${s.queuePrefix})`,
    `  hub        ${c.inferenceHub}`,
    `  models     ${c.modelRegistry} (ModelRegistry)`,
    `  nodes      ${c.nodeRegistry} (NodeRegistry)`,
    `  executors  ${s.nodes.executors.join(", ")}`,
    `  provers    ${s.nodes.provers.join(", ")}`,
    `  verifiers  ${s.nodes.verifiers.join(", ")}`,
    ...(s.explorerUrl ? [`  explorer   ${s.explorerUrl}`] : []),
    `  logs       ${join(devDir(s.home), "logs")}`,
    "",
    s.models.length
      ? table(
          ["model id", "name", "mode", "labels"],
          s.models.map((m) => [m.modelId, m.name, m.mode, m.labels?.join(", ") ?? "-"]),
        )
      : "no models registered (twinpath model register <bundle>)",
    "",
    "next:",
    ...(s.models.length ? [`  npx twinpath request --model ${s.models[0].modelId} --input '[0.5, -0.3, 0.8, 1.1]'`] : []),
    "  npx twinpath model register <bundle>        # your own model, served to these workers",
    "  npx twinpath dev down                        # stop everything started here",
  ];
}

export function devCommand(): Command {
  const dev = new Command("dev").description("a local Twinpath stack: Hardhat node, Redis, the protocol, staked nodes, demo models, workers");

  dev
    .command("up")
    .description(
      "start the local stack in the background and return: a Hardhat node on loopback, Redis (append-only), the protocol " +
        "deployed with Ignition, staked executor/prover/verification nodes (Hardhat's public test accounts), the demo models " +
        "registered (ZKML_ATTESTED), and the workers with dev presets (zero confirmations). Stop it with `twinpath dev down`.",
    )
    .addOption(new Option("-p, --port <port>", "chain port on 127.0.0.1 (0: a free port)").default(8545).argParser(port))
    .option("--redis-url <url>", "use this Redis instead of starting one (a fresh queue prefix keeps runs apart)")
    .addOption(new Option("--models <names>", `demo models to register, comma-separated, or none`).default([...DEMO_MODEL_NAMES], DEMO_MODEL_NAMES.join(",")).argParser(modelList))
    .addOption(new Option("--executors <n>", "executor nodes (one sender holds their keys)").default(1).argParser(count(1, 4)))
    .addOption(new Option("--provers <n>", "prover nodes, one process each").default(1).argParser(count(1, 3)))
    .addOption(new Option("--verifiers <n>", "verification nodes, one process each").default(3).argParser(count(1, 4)))
    .addOption(new Option("--stake <amount>", "stake of each node").default(10n ** 18n, "1 ETH").argParser(parseAmount))
    .option("--no-explorer", "do not start the explorer page")
    .addOption(new Option("--explorer-port <port>", "the explorer's port on 127.0.0.1 (a free one when taken; 0: any free one)").default(8090).argParser(port))
    .option("--log-level <level>", "workers' log level", "info")
    .option("--json", "print the stack (URLs, addresses, models, processes) as JSON")
    .action(async (_o, cmd: Command) => {
      const o = optionsOf<{ port: number; redisUrl?: string; models: string[]; executors: number; provers: number; verifiers: number; stake: bigint; logLevel: string; explorer: boolean; explorerPort: number }>(cmd);
      const ctx = contextOf(cmd);
      const state = await devUp({
        home: ctx.home,
        port: o.port,
        redisUrl: o.redisUrl,
        models: o.models,
        executors: o.executors,
        provers: o.provers,
        verifiers: o.verifiers,
        stake: o.stake,
        logLevel: o.logLevel,
        explorer: o.explorer,
        explorerPort: o.port === 0 ? 0 : o.explorerPort,
        progress: { step: (l) => ctx.out.step(l), note: (l) => ctx.out.note(l) },
      });
      const c = state.contracts!;
      state.deploymentFile = await writeDeployment({
        chainId: state.chainId,
        network: "twinpath-dev",
        deployedAt: state.startedAt,
        deployer: devDeployer(),
        deployBlock: Number(state.deployBlock ?? 0n),
        contracts: { ...c },
      });
      writeDevState(state);
      ctx.out.note(`wrote ${state.deploymentFile}`);
      ctx.out.result(state, () => summary(state));
    });

  dev
    .command("down")
    .description("stop exactly what `twinpath dev up` started (workers first, then Redis and the chain) and remove its state")
    .option("--json", "print what was stopped as JSON")
    .action(async (_o, cmd: Command) => {
      const ctx = contextOf(cmd);
      const done = ctx.out.step("stopping the dev stack");
      const r = await devDown(ctx.home, (p, how) => ctx.out.note(`  ${p.name} (pid ${p.pid}): ${how}`));
      done(`${r.stopped.length} process(es)`);
      // the deployments file describes a chain that is gone now (unless someone redeployed over it meanwhile)
      const file = r.state?.deploymentFile;
      if (file && existsSync(file) && r.state?.contracts && readFileSync(file, "utf8").includes(r.state.contracts.inferenceHub)) rmSync(file);
      ctx.out.result({ stopped: r.stopped, wasRunning: r.state !== undefined }, () => (r.state ? `dev stack stopped (${r.stopped.length} processes)` : `no dev stack recorded in ${ctx.home}`));
    });

  dev
    .command("status")
    .description("the dev stack's URLs, contracts, models and whether each of its processes runs")
    .option("--json", "print it as JSON")
    .action(async (_o, cmd: Command) => {
      const ctx = contextOf(cmd);
      const s = devStatus(ctx.home);
      ctx.out.result(s, () =>
        s.state
          ? [
              ...summary(s.state).slice(0, -4),
              table(["process", "pid", "running", "log"], s.processes.map((p) => [p.name, p.pid, p.alive ? "yes" : "NO", p.log])),
            ]
          : `no dev stack recorded in ${ctx.home} (start one with \`twinpath dev up\`)`,
      );
      if (s.state && s.processes.some((p) => !p.alive)) process.exitCode = 1;
    });

  return dev;
}
