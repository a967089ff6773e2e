/** Glue between commander and a command's work: the context (chain, key, output) built from the global options. */
import type { Command } from "commander";
import { CliContext, type GlobalOptions } from "./context.js";
import { Output } from "./output.js";

export interface CommandOptions {
  json?: boolean;
}

/** The context of the running command (its options merged with the root program's). */
export function contextOf(cmd: Command): CliContext {
  const o = cmd.optsWithGlobals<GlobalOptions & CommandOptions>();
  return new CliContext(o, new Output({ json: o.json, quiet: o.quiet }));
}

/** Options of the command itself plus the root program's. */
export const optionsOf = <T>(cmd: Command): T & GlobalOptions => cmd.optsWithGlobals<T & GlobalOptions>();
