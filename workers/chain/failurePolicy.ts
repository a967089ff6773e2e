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
    InferenceHubNotEligible: "delay", // this key is slashed, suspended or unbonding: bench it, another key once the window opens
    InferenceHubDeadlinePassed: "permanent", // too late: refund it
  },
  /** sender: refundExpired */
  refund: { InferenceHubDeadlineNotReached: "delay" },
  /** prover: submitProof / challenge */
  prove: {
    InferenceHubUnexpectedStatus: "skip",
    InferenceHubChallengeNotCommitted: "delay", // OPTIMISTIC: the commitment must be in an earlier block
    InferenceHubDeadlinePassed: "permanent",
    InferenceHubNotEligible: "permanent",
    InferenceHubInputMismatch: "permanent",
    InferenceHubWrongMode: "permanent",
  },
  /** prover: settleUnchallenged */
  settle: { InferenceHubDeadlineNotReached: "delay" },
  /** verifier-node: AttestationQuorum.submitAttestations (a vote counts while its proof's round is open) */
  attest: {
    InferenceHubAttestationMismatch: "skip", // no round for this proof (replaced by a reorg)
    InferenceHubDuplicateAttestation: "skip", // already voted
    InferenceHubDeadlinePassed: "skip", // the round closed
    InferenceHubNotInElectorate: "permanent", // not in the round's fixed electorate: no vote of this key counts
  },
  /** anyone: the hub's settle of a ZKML_ATTESTED request once its quorum decided */
  settleQuorum: {
    InferenceHubQuorumPending: "skip", // a later vote (or the round's end) decides
    InferenceHubUnexpectedStatus: "skip", // settled or rejected by another node meanwhile
  },
  /** verifier-node: claimVerifierReward (after the round's window) */
  claim: { InferenceHubNothingToClaim: "skip", InferenceHubClaimTooEarly: "delay" },
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
