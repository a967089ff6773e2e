/**
 * Runs a script's main function and turns the errors a user can fix (bad environment, bad bundle, missing
 * deployment, a contract revert) into a short message and exit code 1 instead of a stack trace. Anything else is
 * rethrown as it is (a bug should show its stack).
 */
import { BaseError } from "viem";

import { DeploymentNotFoundError } from "./deployments.js";
import { ScriptEnvError } from "./env.js";
import { BundleManifestError } from "../../compiler/manifest.js";
import { QuantizeError } from "../../protocol/fixedPoint.js";
import { formatProtocolError, protocolErrorOf } from "../../workers/chain/protocolError.js";

/** A problem with the script's input that the user must fix (the message says how). */
export class ScriptInputError extends Error {
  override name = "ScriptInputError";
}

const USER_ERRORS = [ScriptEnvError, BundleManifestError, DeploymentNotFoundError, QuantizeError, ScriptInputError];

export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const message = describeUserError(error);
    if (message === undefined) throw error;
    console.error(`\n${message}`);
    process.exitCode = 1;
  }
}

/** The user-facing text for a known error, or undefined for anything else. */
export function describeUserError(error: unknown): string | undefined {
  if (USER_ERRORS.some((E) => error instanceof E)) return (error as Error).message;
  if (error instanceof BaseError) {
    // decoded with every protocol ABI (also a revert the calling contract's ABI does not declare)
    const revert = protocolErrorOf(error);
    return revert ? `${error.shortMessage.split("\n")[0]}\n  reverted with ${formatProtocolError(revert)}` : error.shortMessage;
  }
  return undefined;
}
