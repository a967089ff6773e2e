/**
 * The `twinpath` command line: every command is a commander module; `twinpath <command> --help` explains each option.
 * The root options below apply to every command that talks to a chain (cli/context.ts). cli/main.ts runs it.
 */
import { Command, CommanderError, Option } from "commander";
import { parseIndex } from "./args.js";
import { devCommand } from "./commands/dev.js";
import { jobsCommand } from "./commands/jobs.js";
import { buildCommand, verifyCommand } from "../compiler/cli/model.js";
import { compilerIo, modelCommand } from "./commands/model.js";
import { nodeCommand } from "./commands/node.js";
import { requestCommand, statusCommand } from "./commands/request.js";
import { DEFAULT_KEY_VAR, DEFAULT_RPC_URL } from "./context.js";
import { describeError, exitCodeOf } from "./errors.js";

export function program(): Command {
  const root = new Command("twinpath")
    .description(
      "Twinpath: verifiable AI inference for EVM chains. Run a local stack (dev), stake nodes (node), build and register " +
        "models (model), send requests and follow them to settlement (request, status), and look after the workers' jobs (jobs).",
    )
    .addOption(new Option("--rpc <url>", `JSON-RPC endpoint (env TWINPATH_RPC_URL; default: the running dev stack, else ${DEFAULT_RPC_URL})`))
    .addOption(new Option("--deployment <file>", "contract addresses (default deployments/<chainId>.json; env TWINPATH_DEPLOYMENTS_DIR moves the folder)"))
    .addOption(new Option("--key-var <name>", `environment or Hardhat keystore variable holding the signing key (default ${DEFAULT_KEY_VAR})`))
    .addOption(new Option("--dev-account <index>", "sign with Hardhat's public test account <index> (local chain only)").argParser(parseIndex))
    .addOption(new Option("--home <dir>", "where the dev stack's state, logs and derived keys live (env TWINPATH_HOME; default <repo>/.twinpath)"))
    .option("-q, --quiet", "no progress lines on stderr")
    .showHelpAfterError("(run with --help for usage)")
    .addCommand(devCommand())
    .addCommand(nodeCommand())
    .addCommand(modelCommand())
    .addCommand(requestCommand())
    .addCommand(statusCommand())
    .addCommand(jobsCommand())
    // the compiler's earlier names, kept for scripts written against them
    .addCommand(buildCommand("build-model", compilerIo).description("same as `twinpath model build`"), { hidden: true })
    .addCommand(verifyCommand("verify-bundle", compilerIo).description("same as `twinpath model verify`"), { hidden: true });
  // usage errors exit 2 and help exits 0, through CommanderError (never process.exit inside commander)
  const exitOverride = (c: Command) => {
    c.exitOverride();
    for (const sub of c.commands) exitOverride(sub);
  };
  exitOverride(root);
  return root;
}

/** Runs the CLI with `argv` (process.argv layout); resolves with the exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander printed the message
    const text = describeError(err);
    if (text === undefined) {
      console.error(err);
      return 1;
    }
    console.error(`error: ${text}`);
    return exitCodeOf(err);
  }
}
