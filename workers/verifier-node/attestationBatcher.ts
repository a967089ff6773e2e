import { parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { decodeRevertData, describeRevertData, type ProtocolError } from "../chain/protocolError.js";
import type { TxSender } from "../chain/sender/txSender.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { submitAttestationsCall } from "../proofs/chain.js";
import { Batcher, type Settled } from "../chain/sender/batcher.js";
import { type Attestation } from "../../protocol/attestation.js";

export type AttestationOutcome =
  | { kind: "recorded"; txHash: Hex; gasUsed: bigint; batchSize: number; stakeValid: bigint; stakeInvalid: bigint; settled: boolean; rejectedProof: boolean }
  | { kind: "rejected"; txHash?: Hex; reason: string; error: ProtocolError | null };

export interface AttestationBatcherOptions {
  hub: Address;
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
 * Gathers a node's signed attestations into submitAttestations transactions (a Batcher: one transaction per batch).
 * Each item succeeds or fails on its own in the hub (ItemRejected), and its outcome is read from the receipt's
 * events: AttestationRecorded for this node, RequestSettled / ProofRejected when this attestation decided the quorum.
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
      const sent = await this.o.sender.send({ call: submitAttestationsCall(this.o.hub, batch), label: "submitAttestations" });
      const outcomes = parseAttestationReceipt(sent.receipt, this.o.hub, this.o.sender.address, batch.map((p) => p.attestation.requestId));
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
  | { kind: "recorded"; stakeValid: bigint; stakeInvalid: bigint; settled: boolean; rejectedProof: boolean }
  | { kind: "rejected"; reason: string; error: ProtocolError | null };

export function parseAttestationReceipt(receipt: TransactionReceipt, hub: Address, node: Address, requestIds: readonly bigint[]): ParsedOutcome[] {
  const logs = parseEventLogs({ abi: inferenceHubAbi, logs: receipt.logs }).filter((l) => l.address.toLowerCase() === hub.toLowerCase());
  const recorded = new Map<bigint, { stakeValid: bigint; stakeInvalid: bigint }>();
  const rejected = new Map<bigint, Hex>();
  const settled = new Set<bigint>();
  const proofRejected = new Set<bigint>();
  for (const l of logs) {
    if (l.eventName === "AttestationRecorded" && l.args.verifier.toLowerCase() === node.toLowerCase()) {
      recorded.set(l.args.requestId, { stakeValid: l.args.stakeValid, stakeInvalid: l.args.stakeInvalid });
    }
    if (l.eventName === "ItemRejected") rejected.set(l.args.requestId, l.args.reason);
    if (l.eventName === "RequestSettled") settled.add(l.args.requestId);
    if (l.eventName === "ProofRejected") proofRejected.add(l.args.requestId);
  }
  return requestIds.map((id) => {
    const r = recorded.get(id);
    if (r) return { kind: "recorded", ...r, settled: settled.has(id), rejectedProof: proofRejected.has(id) };
    const reason = rejected.get(id);
    if (reason !== undefined) return { kind: "rejected", reason: describeRevertData(reason), error: decodeRevertData(reason) };
    return { kind: "rejected", reason: `no AttestationRecorded for request ${id} (tx status ${receipt.status})`, error: null };
  });
}
