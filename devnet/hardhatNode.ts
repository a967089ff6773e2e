import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { toHex, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { REPO_ROOT } from "../protocol/repoRoot.js";
import { ProcessError } from "../workers/shared/errors.js";
import { freePort, waitForPort } from "./ports.js";
import { killOnExit } from "./exitCleanup.js";

/** Hardhat's default development mnemonic: the node funds its first 20 accounts with 10000 ETH. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
export const devKey = (index: number): Hex => toHex(mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);

export interface HardhatNode {
  url: string;
  port: number;
  chainId: number;
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** `hardhat node` on 127.0.0.1:`port`, run by the project's Node 22 (also what `twinpath dev up` starts). */
export function hardhatNodeCommand(port: number): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const bin = join(REPO_ROOT, "node_modules", ".bin");
  return {
    command: join(bin, "node"),
    args: [join(REPO_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js"), "node", "--port", String(port), "--hostname", "127.0.0.1"],
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FORCE_COLOR: "0" },
  };
}

/**
 * Starts `hardhat node` (Node 22 from node_modules) on a free loopback port as a child process: worker processes
 * need an RPC URL, so an in-process EDR chain will not do. Automining: every transaction gets its own block.
 */
export async function startHardhatNode(options: { port?: number } = {}): Promise<HardhatNode> {
  const port = options.port ?? (await freePort());
  const cmd = hardhatNodeCommand(port);
  const child = spawn(cmd.command, cmd.args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: cmd.env, detached: false });
  let tail = "";
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new ProcessError(`hardhat node exited with code ${code}`, { details: tail }))));
  exited.catch(() => {});
  await Promise.race([waitForPort(port, 60_000), exited]);
  const forget = killOnExit(() => child.kill("SIGKILL"));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    chainId: 31337,
    child,
    stop: async () => {
      forget();
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      });
    },
  };
}
