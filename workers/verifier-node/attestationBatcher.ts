import { parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";
import { attestationQuorumAbi } from "../../protocol/abi/generated.js";
import { attestationBatchTypedData, attestationTypedData, proofKey, type Attestation } from "../../protocol/attestation.js";
import { buildAttestationBatch } from "../../protocol/attestationBatch.js";
import type { TwinpathWalletClient } from "../chain/client.js";
import { decodeRevertData, describeRevertData, type ProtocolError } from "../chain/protocolError.js";
import type { TxSender } from "../chain/sender/txSender.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { Batcher, type Settled } from "../shared/batcher.js";
import { submitAttestationsCall } from "../proofs/chain.js";
import { submitAttestationBatchCall } from "./calls.js";

export type AttestationOutcome =
  | { kind: "recorded"; txHash: Hex; gasUsed: bigint; batchSize: number; stakeValid: bigint; stakeInvalid: bigint }
  | { kind: "rejected"; txHash?: Hex; reason: string; error: ProtocolError | null };

/**
 * How a node's votes go on chain. `batch`: one EIP-712 AttestationBatch signature over a Merkle root of the batch's
 * verdicts (AttestationQuorum.submitAttestationBatch: one signer recovery per batch). `single`: each verdict signed
 * alone, many per transaction (submitAttestations: one recovery per vote); the per-request path, kept for comparison.
 */
export type AttestationMode = "batch" | "single";

/** How long a recorded vote is shared with the jobs of other requests of its round (a batch proof's). */
const SHARED_VOTE_MS = 10 * 60_000;
/** How long the verdict this node signed in a round is remembered (far longer than the default 10-minute attestation
 * window), whatever became of the vote: it never signs the other one there. */
const SIGNED_MEMORY_MS = 24 * 3_600_000;

/** The quorum's round an attestation votes in (its key). */
const roundOf = (a: Attestation): Hex => proofKey(a.requestId, a.proofHash, a.instancesHash);

export interface AttestationBatcherOptions {
  /** the hub's AttestationQuorum, where votes go (and the EIP-712 verifying contract) */
  quorum: Address;
  chainId: number;
  /** signs the votes (this node's key; the sender's too) */
  wallet: TwinpathWalletClient;
  sender: TxSender;
  /** @defaultValue "batch" */
  mode?: AttestationMode;
  /** Verdicts per transaction at most (bounds the transaction's gas). @defaultValue 16 */
  maxBatchSize?: number;
  /** How long the first verdict waits for others. @defaultValue 50 */
  maxWaitMs?: number;
  logger?: Logger;
}

/**
 * Gathers a node's verdicts into vote transactions to the AttestationQuorum (a Batcher: one transaction per batch of
 * at most maxBatchSize, the first verdict waiting at most maxWaitMs). Each verdict succeeds or fails on its own
 * (AttestationRejected names it), read from the receipt's events: AttestationRecorded for this node. Settling is a
 * step of its own (SettleBatcher), not part of the vote.
 */
export class AttestationBatcher {
  readonly mode: AttestationMode;
  private readonly batcher: Batcher<Attestation, AttestationOutcome>;
  /** This node's votes by round (requestId, proofHash, instancesHash), in flight or recorded, for SHARED_VOTE_MS, with
   * the requests whose jobs took them: the jobs of the requests of one batch proof share its one round, and so one
   * vote (the quorum takes one per node and round). */
  private readonly votes = new Map<Hex, { at: number; outcome: Promise<AttestationOutcome>; requests: Set<bigint> }>();
  /** The verdict this node queued (so signed, or about to be) per round, kept for SIGNED_MEMORY_MS even when that vote
   * failed or was refused: its signature may have been seen (the mempool, a reverted transaction), and one with the
   * other verdict would complete the equivocation evidence. */
  private readonly signed = new Map<Hex, { at: number; valid: boolean }>();

  constructor(private readonly o: AttestationBatcherOptions) {
    this.mode = o.mode ?? "batch";
    this.batcher = new Batcher({ maxBatchSize: o.maxBatchSize, maxWaitMs: o.maxWaitMs ?? 50, send: (items) => this.send(items) });
  }

  /**
   * This node's vote in `attestation`'s round for the job of request `request`, when it has one in flight or recorded
   * that this request's job has not taken yet (another request of a batch proof's round): its outcome. "conflict" when
   * that vote has the other verdict: a node must never sign both (the two signatures are equivocation). Null: none.
   */
  shared(attestation: Attestation, request: bigint): Promise<AttestationOutcome> | "conflict" | null {
    const now = Date.now();
    for (const [k, v] of this.votes) if (now - v.at > SHARED_VOTE_MS) this.votes.delete(k);
    for (const [k, v] of this.signed) if (now - v.at > SIGNED_MEMORY_MS) this.signed.delete(k);
    const round = roundOf(attestation);
    // every vote in `votes` was signed first: `signed` holds its verdict (for longer)
    if (this.signed.get(round)?.valid === !attestation.valid) return "conflict";
    const cast = this.votes.get(round);
    if (!cast || cast.requests.has(request)) return null;
    cast.requests.add(request);
    return cast.outcome;
  }

  /**
   * This node's vote for the job of request `request`: the round's vote when one is in flight or recorded (`shared`),
   * else this verdict queued (`submit`). The check and the queueing are one step, so the jobs of a batch proof's
   * requests that looked (`shared`, then the chain's ballot) at the same time still send one vote, not one each.
   */
  vote(attestation: Attestation, request: bigint): Promise<AttestationOutcome> | "conflict" {
    return this.shared(attestation, request) ?? this.submit(attestation, request);
  }

  /**
   * Queues this node's verdict for the job of request `request` (by default the attestation's own); resolves with its
   * outcome once its batch is mined. Callers take a shared vote first (`shared`); a refused or failed vote is not kept,
   * so it can be tried again.
   */
  submit(attestation: Attestation, request: bigint = attestation.requestId): Promise<AttestationOutcome> {
    const key = roundOf(attestation);
    if (!this.signed.has(key)) this.signed.set(key, { at: Date.now(), valid: attestation.valid });
    const outcome = this.batcher.submit(attestation);
    if (!this.votes.has(key)) {
      const entry = { at: Date.now(), outcome, requests: new Set([request]) };
      this.votes.set(key, entry);
      const forget = () => this.votes.get(key) === entry && this.votes.delete(key);
      outcome.then((o) => o.kind === "recorded" || forget(), forget);
    }
    return outcome;
  }

  flush(): void {
    this.batcher.flush(true);
  }

  private async call(batch: Attestation[]) {
    const { wallet, chainId, quorum } = this.o;
    if (this.mode === "single") {
      const signed = [];
      for (const attestation of batch) signed.push({ attestation, signature: await wallet.signTypedData(attestationTypedData(chainId, quorum, attestation)) });
      return submitAttestationsCall(quorum, signed);
    }
    const tree = buildAttestationBatch(batch);
    const signature = await wallet.signTypedData(attestationBatchTypedData(chainId, quorum, tree.root));
    return submitAttestationBatchCall(quorum, tree.root, signature, tree.votes);
  }

  private async send(batch: Attestation[]): Promise<Settled<AttestationOutcome>[]> {
    try {
      const call = await this.call(batch);
      const sent = await this.o.sender.send({ call, label: call.functionName });
      const outcomes = parseAttestationReceipt(sent.receipt, this.o.quorum, this.o.sender.address, batch.map((a) => a.requestId));
      this.o.logger?.debug({ txHash: sent.hash, mode: this.mode, batch: batch.length, gasUsed: String(sent.receipt.gasUsed) }, "attestations sent");
      return outcomes.map((o) => ({
        ok: true,
        value: o.kind === "recorded" ? { ...o, txHash: sent.hash, gasUsed: sent.receipt.gasUsed, batchSize: batch.length } : { ...o, txHash: sent.hash },
      }));
    } catch (err) {
      this.o.logger?.warn({ err: errorMessage(err), mode: this.mode, batch: batch.length }, "attestations failed");
      throw err;
    }
  }
}

type ParsedOutcome =
  | { kind: "recorded"; stakeValid: bigint; stakeInvalid: bigint }
  | { kind: "rejected"; reason: string; error: ProtocolError | null };

export function parseAttestationReceipt(receipt: TransactionReceipt, quorum: Address, node: Address, requestIds: readonly bigint[]): ParsedOutcome[] {
  const logs = parseEventLogs({ abi: attestationQuorumAbi, logs: receipt.logs }).filter((l) => l.address.toLowerCase() === quorum.toLowerCase());
  const recorded = new Map<bigint, { stakeValid: bigint; stakeInvalid: bigint }>();
  const rejected = new Map<bigint, Hex>();
  for (const l of logs) {
    if (l.eventName === "AttestationRecorded" && l.args.verifier.toLowerCase() === node.toLowerCase()) {
      recorded.set(l.args.requestId, { stakeValid: l.args.validStake, stakeInvalid: l.args.invalidStake });
    }
    if (l.eventName === "AttestationRejected") rejected.set(l.args.requestId, l.args.reason);
  }
  return requestIds.map((id) => {
    const r = recorded.get(id);
    if (r) return { kind: "recorded", ...r };
    const reason = rejected.get(id);
    if (reason !== undefined) return { kind: "rejected", reason: describeRevertData(reason), error: decodeRevertData(reason) };
    return { kind: "rejected", reason: `no AttestationRecorded for request ${id} (tx status ${receipt.status})`, error: null };
  });
}
