/** `twinpath model …`: register (cli/commands/modelRegister.ts) next to the compiler's build and verify. */
import { Command } from "commander";
import { registerCommand } from "./modelRegister.js";

export function modelCommand(): Command {
  return new Command("model").description("build, check and register model bundles").addCommand(registerCommand());
}
