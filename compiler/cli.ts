/**
 * The compiler's command line (bin/twinpath.mjs runs it):
 *   twinpath model build <model.onnx> --out <dir> [options]     (alias: twinpath build-model)
 *   twinpath model verify <dir>                                 (alias: twinpath verify-bundle)
 * `twinpath <command> --help` explains every option.
 */
import { Command, CommanderError } from "commander";
import { buildCommand, modelCommand, verifyCommand } from "./cli/model.js";
import { SamplesError } from "./cli/samples.js";

const io = { stdout: (s: string) => console.log(s), stderr: (s: string) => console.error(s) };
const program = new Command("twinpath")
  .description("Twinpath: verifiable inference for EVM chains — model compiler")
  .exitOverride()
  .showHelpAfterError("(run with --help for usage)")
  .addCommand(modelCommand(io))
  .addCommand(buildCommand("build-model", io).description("same as `twinpath model build`"))
  .addCommand(verifyCommand("verify-bundle", io).description("same as `twinpath model verify`"));
for (const c of program.commands) {
  c.exitOverride();
  for (const s of c.commands) s.exitOverride();
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version exit 0; usage errors (already printed by commander) exit 2
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`error: ${e instanceof Error ? `${e instanceof SamplesError ? "" : `${e.name}: `}${e.message}` : String(e)}`);
    process.exitCode = 1;
  }
}
