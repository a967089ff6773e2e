import { parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";
import { attestationQuorumAbi } from "../../protocol/abi/generated.js";
import { decodeRevertData, describeRevertData, type ProtocolError } from "../chain/protocolError.js";
import type { TxSender } from "../chain/sender/txSender.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { submitAttestationsCall } from "../proofs/chain.js";
import { Batcher, type Settled } from "../chain/sender/batcher.js";
import { type Attestation } from "../../protocol/attestation.js";

export type AttestationOutcome =
  | { kind: "recorded"; txHash: Hex; gasUsed: bigint; batchSize: number; stakeValid: bigint; stakeInvalid: bigint }
  | { kind: "rejected"; txHash?: Hex; reason: string; error: ProtocolError | null };

export interface AttestationBatcherOptions {
  /** the hub's AttestationQuorum, where votes go */
  quorum: Address;
  sender: TxSender;
  /** @defaultValue 16 */
  maxBatchSize?: number;
  /** How long the first attestation waits for others. @defaultValue 50 */
  maxWaitMs?: number;
  logger?: Logger;
}

interface SignedAttestation {
  attestation: Attestation;
  signature: Hex;
}

/**
 * Gathers a node's signed attestations into AttestationQuorum.submitAttestations transactions (a Batcher: one
 * transaction per batch). Each item succeeds or fails on its own (AttestationRejected), and its outcome is read from
 * the receipt's events: AttestationRecorded for this node. Settling is a step of its own (the hub's `settle`), not
 * part of the vote.
 */
export class AttestationBatcher {
  private readonly batcher: Batcher<SignedAttestation, AttestationOutcome>;

  constructor(private readonly o: AttestationBatcherOptions) {
    this.batcher = new Batcher({ maxBatchSize: o.maxBatchSize, maxWaitMs: o.maxWaitMs ?? 50, send: (items) => this.send(items) });
  }

  submit(attestation: Attestation, signature: Hex): Promise<AttestationOutcome> {
    return this.batcher.submit({ attestation, signature });
  }

  flush(): void {
    this.batcher.flush(true);
  }

  private async send(batch: SignedAttestation[]): Promise<Settled<AttestationOutcome>[]> {
    try {
      const sent = await this.o.sender.send({ call: submitAttestationsCall(this.o.quorum, batch), label: "submitAttestations" });
      const outcomes = parseAttestationReceipt(sent.receipt, this.o.quorum, this.o.sender.address, batch.map((p) => p.attestation.requestId));
      this.o.logger?.debug({ txHash: sent.hash, batch: batch.length, gasUsed: String(sent.receipt.gasUsed) }, "attestations sent");
      return outcomes.map((o) => ({
        ok: true,
        value: o.kind === "recorded" ? { ...o, txHash: sent.hash, gasUsed: sent.receipt.gasUsed, batchSize: batch.length } : { ...o, txHash: sent.hash },
      }));
    } catch (err) {
      this.o.logger?.warn({ err: errorMessage(err), batch: batch.length }, "submitAttestations failed");
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
