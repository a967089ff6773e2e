/**
 * A request's life as the CLI shows it: each event the client library decodes (client/chain/events.ts: the hub's
 * and its AttestationQuorum's) as one step with its time, and the answer decoded at the model's output scale (a class
 * label when labels are known). `twinpath request` and `twinpath status` print through here.
 */
import { formatEther, type Address } from "viem";
import { decodeOutput, type DecodedOutput, type RequestEvent, type RequestTimeline, type TwinpathModel } from "../client/index.js";
import { requestStatusName } from "../protocol/enums.js";

export interface LifecycleStep {
  /** requested | result | proof | proof rejected | verification | attestation | mismatch | settled | refunded | … */
  step: string;
  event: string;
  blockNumber: bigint;
  transactionHash: string;
  /** chain seconds since the request's block */
  chainSeconds?: number;
  /** wall-clock seconds since the request was mined (when followed live) */
  seconds?: number;
  detail: string;
}

const short = (a: Address | string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
const num = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString());

/** "virginica [-5.09, -0.617, 4.91]", or the values alone without labels. */
export function answerText(d: DecodedOutput): string {
  const values = `[${d.values.map(num).join(", ")}]`;
  return d.label !== undefined ? `${d.label} ${values}` : values;
}

/** An output as the hub emitted it, decoded with the model's scale (and labels when there is one per value). */
export function decodeAnswer(model: Pick<TwinpathModel, "output">, raw: readonly bigint[], labels?: readonly string[]): DecodedOutput {
  return decodeOutput(model.output, raw, { labels: labels && labels.length === raw.length ? labels : undefined });
}

/** One event as a step of the request's life (undefined for events the display leaves out). */
export function describeEvent(e: RequestEvent, ctx: { model?: Pick<TwinpathModel, "output">; labels?: readonly string[]; requestedAt?: number }): LifecycleStep | undefined {
  const base = { event: e.eventName, blockNumber: e.blockNumber, transactionHash: e.transactionHash, chainSeconds: ctx.requestedAt !== undefined && e.timestamp !== undefined ? e.timestamp - ctx.requestedAt : undefined };
  const answer = (raw: readonly bigint[]) => (ctx.model ? answerText(decodeAnswer(ctx.model, raw, ctx.labels)) : `[${raw.join(", ")}]`);
  switch (e.eventName) {
    case "InferenceRequested":
      return { ...base, step: "requested", detail: `model #${e.args.modelId}, executor ${short(e.args.executor)}, fee ${formatEther(e.args.fee)} ETH` };
    case "ResultSubmitted":
      return { ...base, step: "result", detail: `${answer(e.args.output)} from executor ${short(e.args.executor)} (fast path, not verified yet)` };
    case "ProofSubmitted":
      return { ...base, step: "proof", detail: `by prover ${short(e.args.prover)}, proof ${e.args.proofHash.slice(0, 10)}…` };
    case "ProofRejected":
      return { ...base, step: "proof rejected", detail: `proof of round ${e.args.round.slice(0, 10)}… by ${short(e.args.prover)}: the request waits for another` };
    case "RoundOpened":
      return { ...base, step: "verification", detail: `round ${e.args.seq} opened for the verification nodes` };
    case "AttestationRecorded":
      return { ...base, step: "attestation", detail: `${short(e.args.verifier)} attests ${e.args.valid ? "valid" : "INVALID"} (valid stake ${formatEther(e.args.validStake)} ETH)` };
    case "AttestationRejected":
      return { ...base, step: "attestation rejected", detail: "a vote the quorum refused" };
    case "Challenged":
      return { ...base, step: "challenged", detail: `by ${short(e.args.challenger)}` };
    case "ExecutorMismatch":
      return { ...base, step: "mismatch", detail: `the proof contradicts executor ${short(e.args.executor)}'s result: it is slashed, the proven output settles` };
    case "RequestSettled":
      return { ...base, step: "settled", detail: `verified; rewards ${formatEther(e.args.executorReward + e.args.proverReward + e.args.verifierReward)} ETH to the nodes` };
    case "RequestRefunded":
      return { ...base, step: "refunded", detail: `${formatEther(e.args.amount)} ETH back to ${short(e.args.consumer)} (was ${requestStatusName(e.args.atStatus)})` };
    case "CallbackDelivered":
      return { ...base, step: "callback", detail: `${e.args.settled ? "onSettled" : "onResult"} ${e.args.success ? "delivered" : "FAILED"} (${e.args.gasUsed} gas)` };
    default:
      return undefined;
  }
}

/** "+12.3 s  settled      …" */
export function stepLine(s: LifecycleStep): string {
  const t = s.seconds ?? s.chainSeconds;
  return `  ${t === undefined ? "" : `+${t.toFixed(1)} s`.padStart(9)}  ${s.step.padEnd(20)} ${s.detail}  (block ${s.blockNumber})`;
}

/** The answer a timeline holds: the settled output, else the fast result (unverified). */
export function timelineAnswer(t: RequestTimeline): { raw: readonly bigint[]; verified: boolean } | undefined {
  if (t.settled?.output) return { raw: t.settled.output, verified: true };
  if (t.result && !t.refunded) return { raw: t.result.output, verified: false };
  return undefined;
}
