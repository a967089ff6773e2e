import { DelayedError } from "bullmq";
import type { Address, Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi } from "../../protocol/abi/generated.js";
import { Ballot, ballotOf, proofKey, QuorumOutcome, quorumOutcome, type Attestation } from "../../protocol/attestation.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";
import type { TwinpathPublicClient } from "../chain/client.js";
import { classifyProtocolError } from "../chain/failurePolicy.js";
import type { RequestReader } from "../chain/requestReader.js";
import { addJob, type TypedJob, type TypedQueue } from "../queues/connection.js";
import type { SettleCheck, VerifyJobData, VerifyJobResult } from "../queues/jobs.js";
import type { Logger } from "../shared/logger.js";
import type { ProofMetrics } from "../proofs/metrics.js";
import { getRound } from "../proofs/chain.js";
import type { AttestationBatcher, AttestationOutcome } from "./attestationBatcher.js";
import type { SettleBatcher } from "./settleBatcher.js";

/*
 * Who settles a decided round. Every voter sees the quorum decide, but one settlement is enough: the node whose vote
 * decided it (its own AttestationRecorded tallies cross the pass mark, which exactly one vote of a round does, since
 * the chain orders them) settles at once, knowing the round is decided when its settleMany is estimated. Every other
 * voter is a fallback: it checks again after a grace period (VERIFIER_SETTLE_GRACE_MS, staggered by its place in the
 * vote order so fallbacks do not race each other) and settles only if the request still waits, so a designated settler
 * that went silent (crashed, out of gas, partitioned) delays settlement by about the grace period and never stalls it.
 * The checks are delayed jobs in the node's own verify queue (Redis), so they survive a restart of the node.
 */

/**
 * A voter's duty for a round after its vote: `decider` (its vote decided the quorum: settle now), `late` (decided
 * before its vote: fallback, settle after the grace period if nobody did), `early` (still pending after its vote: a
 * later vote decides; fallback as well, the last resort: after it first sees the round decided it waits two grace
 * periods more than its own wait, since the decision may be fresh and its settler at work, and a `late` voter checks
 * at most two grace periods after its vote — which may have come just before this sighting). Fallbacks can still
 * meet (a late vote that lands about one wait after the sighting); the second settle item is then refused on chain
 * and costs only its gas.
 */
export type SettleRole = "decider" | "late" | "early";

export interface RecordedVote {
  valid: boolean;
  /** the voter's stake at the round's snapshot (the vote's weight) */
  weight: bigint;
  /** the round's tallies right after the vote (AttestationRecorded) */
  validStake: bigint;
  invalidStake: bigint;
}

/** The request the job's proof round is keyed by: a batch proof's first request (VerifyJobData.roundId), else its own. */
export const roundRequestId = (d: VerifyJobData): bigint => BigInt(d.roundId ?? d.requestId);
const roundKeyOf = (d: VerifyJobData): Hex => proofKey(roundRequestId(d), d.proofHash, d.instancesHash);

/** The voter's settle duty, from its own vote's tallies and the round's electorate at the hub's quorumBps. */
export function settleRole(vote: RecordedVote, electorate: bigint, quorumBps: number): SettleRole {
  if (quorumOutcome(vote.validStake, vote.invalidStake, electorate, quorumBps) === QuorumOutcome.Pending) return "early";
  const validBefore = vote.valid ? vote.validStake - vote.weight : vote.validStake;
  const invalidBefore = vote.valid ? vote.invalidStake : vote.invalidStake - vote.weight;
  return quorumOutcome(validBefore, invalidBefore, electorate, quorumBps) === QuorumOutcome.Pending ? "decider" : "late";
}

/**
 * How long a fallback waits between its checks: the grace period plus the share of the electorate that had voted up
 * to its vote, times the grace period. Each vote adds stake, so no two voters of a round wait the same, and the
 * first fallback's settlement is mined before the next one looks (when the gap, grace × weight / electorate, exceeds
 * a settlement's latency).
 */
function fallbackDelayMs(graceMs: number, votedStake: bigint, electorate: bigint): number {
  if (electorate <= 0n) return graceMs;
  const share = Number((votedStake * 10_000n) / electorate) / 10_000;
  return Math.round(graceMs * (1 + Math.min(1, share)));
}

/** What the vote-and-settle step and the settle checks need of a verification node. */
export interface SettleDutyContext {
  client: TwinpathPublicClient;
  /** the hub's records, the concurrent jobs' reads sharing one call */
  requests: RequestReader;
  /** the hub's AttestationQuorum */
  quorum: Hex;
  /** this node's key (its vote's weight is read under it) */
  sender: { address: Address };
  batcher: AttestationBatcher;
  settler: SettleBatcher;
  /** this node's verify queue, where its fallback settle checks wait (delayed jobs) */
  verifyQueue: TypedQueue<"verify">;
  /** how long a fallback leaves the designated settler (VERIFIER_SETTLE_GRACE_MS) */
  settleGraceMs: number;
  proofMetrics?: ProofMetrics;
}

/**
 * The verify job's last step once the node has its verdict: the vote (through the AttestationBatcher), then this
 * node's settle duty for the round: settle now when its vote decided the quorum, else a delayed settle check. A vote
 * refused as not needed any more (already voted: this job ran before and crashed after its vote; the round closed)
 * still gets a settle check, so a settlement lost with a crashed attempt is made up for.
 */
export async function voteAndSettle(ctx: SettleDutyContext, d: VerifyJobData, attestation: Attestation, round: { electorate: bigint }, log: Logger): Promise<VerifyJobResult> {
  const { valid } = attestation;
  const request = BigInt(d.requestId);
  // One vote per node and round, ever: a batch's jobs share it; a node that voted (before a restart, or long enough
  // ago that it forgot) signs nothing more there, since a second signature with the other verdict would be public
  // evidence of equivocation even though the chain refuses the vote.
  let vote: ReturnType<AttestationBatcher["vote"]> | "voted" | null = ctx.batcher.shared(attestation, request);
  if (vote === null) {
    const [cast] = await ctx.client.readContract({ address: ctx.quorum, abi: attestationQuorumAbi, functionName: "attestationOf", args: [roundKeyOf(d), ctx.sender.address] });
    // another job of the round may have queued the vote while this one read the chain: `vote` joins it
    vote = cast !== Ballot.None ? (cast === ballotOf(valid) ? "voted" : "conflict") : ctx.batcher.vote(attestation, request);
  }
  if (vote === "conflict" || vote === "voted") {
    if (vote === "conflict") log.error({ valid }, "this node already voted the other verdict in this round: not signing this one");
    else log.info({ valid }, "this node already voted in this round");
    await scheduleSettleCheck(ctx, d, { role: "early", delayMs: 2 * ctx.settleGraceMs });
    return { outcome: "skipped", valid, reason: vote === "conflict" ? "already voted the other verdict in this round" : "already voted in this round" };
  }
  const outcome = await vote;
  if (outcome.kind === "rejected") {
    ctx.proofMetrics?.attestations.inc({ verdict: String(valid), outcome: "rejected" });
    if (classifyProtocolError("attest", outcome.error) !== "skip") throw new Error(`the quorum rejected the attestation for request ${d.requestId}: ${outcome.reason}`);
    log.info({ valid, reason: outcome.reason }, "attestation not needed any more (already voted, or the round closed)");
    // its place in the vote order is unknown here: it waits as the last voter would, and once more after it sees
    // the round decided (the last resort among the fallbacks)
    await scheduleSettleCheck(ctx, d, { role: "early", delayMs: 2 * ctx.settleGraceMs });
    return { outcome: "skipped", valid, reason: outcome.reason, txHash: outcome.txHash };
  }
  ctx.proofMetrics?.attestations.inc({ verdict: String(valid), outcome: "recorded" });
  const settled = await settleAfterVote(ctx, d, valid, outcome, round.electorate, log);
  return { outcome: "attested", valid, txHash: outcome.txHash, gasUsed: outcome.gasUsed.toString(), batchSize: outcome.batchSize, ...settled };
}

async function settleAfterVote(
  ctx: SettleDutyContext,
  d: VerifyJobData,
  valid: boolean,
  vote: Extract<AttestationOutcome, { kind: "recorded" }>,
  electorate: bigint,
  log: Logger,
): Promise<Pick<VerifyJobResult, "settled" | "rejectedProof" | "settleTx" | "settleRole">> {
  const key = roundKeyOf(d);
  const quorumBps = await hubQuorumBps(ctx, d.hub);
  const tallies = { validStake: vote.stakeValid, invalidStake: vote.stakeInvalid };
  let role: SettleRole = "early";
  if (quorumOutcome(tallies.validStake, tallies.invalidStake, electorate, quorumBps) !== QuorumOutcome.Pending) {
    const [, weight] = await ctx.client.readContract({ address: ctx.quorum, abi: attestationQuorumAbi, functionName: "attestationOf", args: [key, ctx.sender.address] });
    role = settleRole({ valid, weight, ...tallies }, electorate, quorumBps);
  }
  if (role !== "decider") {
    const delayMs = fallbackDelayMs(ctx.settleGraceMs, tallies.validStake + tallies.invalidStake, electorate);
    await scheduleSettleCheck(ctx, d, { role, delayMs });
    log.debug({ role, delayMs }, "settle check scheduled (fallback)");
    return { settleRole: role };
  }
  return { settleRole: role, ...(await settleNow(ctx, d, key, log)) };
}

async function settleNow(ctx: SettleDutyContext, d: VerifyJobData, key: Hex, log: Logger): Promise<Pick<VerifyJobResult, "settled" | "rejectedProof" | "settleTx">> {
  // the proven output from the proof's event: the hub kept only its hash and checks it
  const settled = await ctx.settler.submit({ requestId: BigInt(d.requestId), output: d.output.map(BigInt), proofKey: key });
  if (settled.kind === "skipped") {
    log.info({ reason: settled.reason }, "settle skipped");
    return {};
  }
  log.info({ txHash: settled.txHash, gasUsed: String(settled.gasUsed), batch: settled.batchSize, outcome: settled.kind }, "quorum decided: settled");
  return { settled: settled.kind === "settled", rejectedProof: settled.kind === "rejected", settleTx: settled.txHash };
}

const hubQuorumBps = async (ctx: SettleDutyContext, hub: Hex): Promise<number> =>
  Number((await ctx.client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "parameters" })).quorumBps);

async function scheduleSettleCheck(ctx: SettleDutyContext, d: VerifyJobData, check: SettleCheck): Promise<void> {
  const { settleCheck: _, ...data } = d;
  await addJob(ctx.verifyQueue, { ...data, settleCheck: check }, { delay: check.delayMs });
}

/**
 * A fallback's settle check (a delayed verify job with `settleCheck`): nothing to do once the request left this
 * proof's round (settled by the designated node, rejected, refunded) or when the round closed undecided; checks again
 * later while the round is pending, or when an `early` voter sees the decision for the first time; otherwise the
 * designated settler is silent and this node settles.
 */
export async function runSettleCheck(ctx: SettleDutyContext, job: TypedJob<"verify">, token: string | undefined, log: Logger): Promise<VerifyJobResult> {
  const d = job.data;
  const check = d.settleCheck!;
  const requestId = BigInt(d.requestId);
  const key = roundKeyOf(d);
  const record = await ctx.requests.get(d.hub, requestId);
  if (record.status !== RequestStatus.ProofSubmitted || record.proofKey !== key) {
    return { outcome: "skipped", reason: `request is ${requestStatusName(record.status)}${record.proofKey === key ? "" : " (another proof)"}: nothing to settle`, settleRole: check.role };
  }
  const [round, quorumBps] = await Promise.all([getRound(ctx.client, ctx.quorum, roundRequestId(d), d.proofHash, d.instancesHash), hubQuorumBps(ctx, d.hub)]);
  const decided = quorumOutcome(round.validStake, round.invalidStake, round.electorate, quorumBps) !== QuorumOutcome.Pending;
  if (!decided) {
    const now = (await ctx.client.getBlock({ blockTag: "latest" })).timestamp;
    if (now > BigInt(round.deadline)) return { outcome: "skipped", reason: "round closed undecided: nothing to settle", settleRole: check.role };
    // (at least a second apart: with a zero grace period a pending round would otherwise be polled in a loop)
    return later(job, token, check, Math.max(check.delayMs, 1000));
  }
  // an early voter is the last resort: a late voter (voted after the decision, maybe just before this sighting) checks
  // within two grace periods of its vote; waiting longer than that keeps the two apart unless the late vote comes well
  // after this sighting
  if (check.role === "early" && !check.sawDecided) return later(job, token, { ...check, sawDecided: true }, 2 * ctx.settleGraceMs + check.delayMs);
  log.warn({ role: check.role }, "the designated settler has not settled within the grace period: settling as fallback");
  return { outcome: "checked", settleRole: check.role, fallback: true, ...(await settleNow(ctx, d, key, log)) };
}

async function later(job: TypedJob<"verify">, token: string | undefined, check: SettleCheck, delayMs: number): Promise<never> {
  await job.updateData({ ...job.data, settleCheck: check });
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}
