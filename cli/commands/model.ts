/** `twinpath model …`: register (cli/commands/modelRegister.ts) and list, next to the compiler's build and verify. */
import { Command } from "commander";
import { formatEther } from "viem";
import { contextOf } from "../command.js";
import { table } from "../output.js";
import { buildCommand, verifyCommand } from "../../compiler/cli/model.js";
import { registerCommand } from "./modelRegister.js";

function listCommand(): Command {
  return new Command("list")
    .description("the registered model versions: id, mode, price, input and output shapes, whether active, and the labels the dev stack knows")
    .option("--json", "print them as JSON")
    .action(async (_o, cmd: Command) => {
      const ctx = contextOf(cmd);
      const tp = await ctx.twinpath();
      const models = await tp.listModels();
      const rows = await Promise.all(models.map(async (m) => ({ ...m, labels: await ctx.labelsFor(m.id) })));
      ctx.out.result({ models: rows }, () =>
        rows.length
          ? table(
              ["model id", "mode", "active", "price (ETH)", "input", "output", "previous", "labels"],
              rows.map((m) => [m.id, m.modeName, m.active ? "yes" : "no", formatEther(m.price), `[${m.input.shape.join(",")}]`, `[${m.output.shape.join(",")}]`, m.previousVersion || "-", m.labels?.join(", ") ?? "-"]),
            )
          : "no models registered yet (twinpath model register <bundle>)",
      );
    });
}

/** The compiler's own build/verify commands (compiler/cli/model.ts), printing as every other command does. */
export const compilerIo = { stdout: (s: string) => console.log(s), stderr: (s: string) => console.error(s) };

export function modelCommand(): Command {
  return new Command("model")
    .description("build, check, register and list model bundles")
    .addCommand(buildCommand("build", compilerIo))
    .addCommand(verifyCommand("verify", compilerIo))
    .addCommand(registerCommand())
    .addCommand(listCommand());
}
