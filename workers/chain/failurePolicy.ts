import { TwinpathError } from "../shared/errors.js";
import { protocolErrorOf, type ProtocolError, type ProtocolErrorName } from "./protocolError.js";

/**
 * What a stage does with a failure:
 * - `permanent`: retrying cannot help; the job fails now (dead letter) with its reason.
 * - `skip`: the request moved on (another node's result, a quorum, a refund): re-read the chain; nothing to do.
 * - `delay`: not yet (a window not open, a deadline not reached): come back later.
 * - `retry`: anything else (RPC, Redis, state changing under us): BullMQ retries with backoff.
 */
export type FailureAction = "permanent" | "skip" | "delay" | "retry";
export type StagePolicy = { readonly [name in ProtocolErrorName]?: Exclude<FailureAction, "retry"> };

/**
 * One table per stage: how each hub revert is handled. Names are checked against the contracts' ABIs (a renamed
 * error fails the type-check); an error not listed is retried.
 */
export const STAGE_POLICIES = {
  /** sender: deliver a result */
  submit: {
    InferenceHubNotAssigned: "delay", // wait for the window that opens the request to every executor
    InferenceHubNotEligible: "delay", // this key is slashed or unbonding: bench it, another key once the window opens
    InferenceHubDeadlinePassed: "permanent", // too late: refund it
  },
  /** sender: refundExpired */
  refund: { InferenceHubDeadlineNotReached: "delay" },
  /** prover: submitProof / challenge */
  prove: {
    InferenceHubUnexpectedStatus: "skip",
    InferenceHubDeadlinePassed: "permanent",
    InferenceHubNotEligible: "permanent",
    InferenceHubInputMismatch: "permanent",
    InferenceHubWrongMode: "permanent",
  },
  /** prover: settleUnchallenged */
  settle: { InferenceHubDeadlineNotReached: "delay" },
  /** verifier-node: submitAttestations */
  attest: {
    InferenceHubUnexpectedStatus: "skip", // quorum reached or proof rejected meanwhile
    InferenceHubAttestationMismatch: "skip", // another proof is under attestation now
    InferenceHubDuplicateAttestation: "skip",
    InferenceHubDeadlinePassed: "skip",
  },
  /** verifier-node: claimVerifierReward */
  claim: { InferenceHubNothingToClaim: "skip" },
} as const satisfies Record<string, StagePolicy>;
export type Stage = keyof typeof STAGE_POLICIES;

/** The stage's action for a decoded hub error (null: no revert of ours, retried). */
export function classifyProtocolError(stage: Stage, error: ProtocolError | null): FailureAction {
  if (!error) return "retry";
  return (STAGE_POLICIES[stage] as StagePolicy)[error.errorName] ?? "retry";
}

/** The stage's action for any thrown value: a TwinpathError marked permanent, else its hub revert, else retry. */
export function classifyFailure(stage: Stage | null, err: unknown): { action: FailureAction; error: ProtocolError | null } {
  if (err instanceof TwinpathError && err.permanent) return { action: "permanent", error: null };
  const error = protocolErrorOf(err);
  return { action: stage ? classifyProtocolError(stage, error) : "retry", error };
}
