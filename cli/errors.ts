/**
 * Errors as the CLI shows them: one short message a user can act on, never a stack for a known failure. A revert
 * is shown as the contract's custom error with its arguments (decoded with the protocol's ABIs) and, for the ones a
 * newcomer meets first, what to do about it.
 */
import { BaseError } from "viem";
import { BundleError } from "../compiler/manifest.js";
import { CompileError } from "../compiler/graph/errors.js";
import { OnnxError } from "../compiler/onnx/read.js";
import { DomainError } from "../compiler/domain.js";
import { SamplesError } from "../compiler/cli/samples.js";
import { SrsError } from "../compiler/srs/srs.js";
import { DevStackError } from "../devnet/dev/up.js";
import { DevStateError } from "../devnet/dev/state.js";
import { formatProtocolError, protocolErrorOf } from "../workers/chain/protocolError.js";
import { TwinpathError } from "../workers/shared/errors.js";
import { describeUserError } from "../scripts/lib/run.js";

/** A problem with the command's input or environment; the message says how to fix it. Exit code 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/** A known failure (chain refused, nothing to follow); the message says what happened. Exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/** What to do about the reverts people meet first. */
const HINTS: Record<string, string> = {
  InferenceHubNoExecutors: "No executor node is staked: `twinpath node register --role executor` (or start the local stack with `twinpath dev up`).",
  InferenceHubNoVerifiers: "No verification node is staked for this ZKML_ATTESTED model: `twinpath node register --role verifier`.",
  InferenceHubModelInactive: "The model is deactivated (or the id is wrong): `twinpath model list` shows the registered ones.",
  InferenceHubFeeTooLow: "Pay at least the quoted fee (leave --fee out to pay the quote).",
  InferenceHubInputOutOfDomain: "The input is outside the model's admitted domain (the range its bundle was calibrated and proven for).",
  InferenceHubWrongInputLength: "Give one number per input element (the model's input shape).",
  NodeRegistryStakeTooLow: "Stake at least the role's minimum (`twinpath node status` shows it).",
  NodeRegistryAlreadyRegistered: "Already registered for this role: add stake with `twinpath node stake`.",
  NodeRegistryNotRegistered: "Register for this role first: `twinpath node register`.",
  NodeRegistryUnbondingNotReady: "The unbonding delay has not passed yet (`twinpath node status` shows when it has).",
  NodeRegistryDutiesOpen: "The node still owes results or proofs on open requests; withdraw once they are done.",
  NodeRegistryNothingToWithdraw: "Nothing is unbonding for this role: start with `twinpath node unbond`.",
  InferenceHubNothingToWithdraw: "No balance at the hub to withdraw.",
  ModelRegistryNotOwner: "Only the model's owner registers new versions of it.",
  ModelRegistryMissingVerifier: "This mode needs a verifier contract: leave --verifier out to deploy the bundle's own.",
};

/** The text to print for `err`, or undefined for an unexpected error (a bug: print its stack). */
export function describeError(err: unknown): string | undefined {
  if (err instanceof CliUsageError || err instanceof CliError || err instanceof DevStackError || err instanceof DevStateError) return err.message;
  const revert = protocolErrorOf(err);
  if (revert) {
    const short = err instanceof BaseError ? err.shortMessage.split("\n")[0] : err instanceof Error ? err.message.split("\n")[0] : String(err);
    const hint = HINTS[revert.errorName];
    return [`${short}`, `  reverted with ${formatProtocolError(revert)}`, ...(hint ? [`  ${hint}`] : [])].join("\n");
  }
  if (err instanceof TwinpathError) return err.message;
  if (err instanceof BundleError || err instanceof SamplesError) return err.message;
  // the compiler's refusals name the model's problem (unsupported ops with node names, a circuit too large, an SRS too small)
  if (err instanceof CompileError || err instanceof OnnxError || err instanceof DomainError || err instanceof SrsError) return `${err.name}: ${err.message}`;
  const known = describeUserError(err);
  if (known !== undefined) return known;
  if (err instanceof BaseError) return err.shortMessage;
  return undefined;
}

/** Exit code for `err`: 2 for usage errors, 1 otherwise. */
export const exitCodeOf = (err: unknown): number => (err instanceof CliUsageError ? 2 : 1);
