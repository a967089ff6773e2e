/**
 * One vote per verification node and round, ever (workers/verifier-node/attestationBatcher.ts `shared`, settleDuty.ts
 * `voteAndSettle`). The jobs of a ZKML_ATTESTED batch proof's requests share its one round and so one vote; a node
 * must never sign the other verdict in a round it voted in — the chain refuses the second vote, but its signature is
 * public and `reportEquivocation` slashes the node with it. Written as the failure that would cost an honest node its
 * stake: a verdict that changed between two jobs of one batch (proof bytes unavailable, then served), in this process
 * or after a restart (the chain's record).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak256, type Address, type Hex } from "viem";

import type { Attestation } from "../../protocol/attestation.js";
import type { VerifyJobData } from "../../workers/queues/jobs.js";
import { AttestationBatcher, type AttestationOutcome } from "../../workers/verifier-node/attestationBatcher.js";
import { voteAndSettle, type SettleDutyContext } from "../../workers/verifier-node/settleDuty.js";
import { createLogger } from "../../workers/shared/logger.js";

const NODE = "0x00000000000000000000000000000000000000a1" as Address;
const round: Attestation = { requestId: 5n, proofHash: keccak256("0x01"), instancesHash: keccak256("0x02"), valid: true };

/** A batcher whose transactions never complete (nothing here reaches a chain), or fail with `fail`: what it was asked to
 * send is recorded. */
function batcher(fail?: Error) {
  const sent: Attestation[][] = [];
  const b = new AttestationBatcher({
    quorum: "0x00000000000000000000000000000000000000b2",
    chainId: 31337,
    wallet: { signTypedData: async () => "0x" } as never,
    sender: { address: NODE, send: () => (fail ? Promise.reject(fail) : new Promise(() => {})) } as never,
    maxWaitMs: 0,
  });
  const inner = (b as unknown as { batcher: { submit: (a: Attestation) => Promise<AttestationOutcome> } }).batcher;
  const submit = inner.submit.bind(inner);
  inner.submit = (a) => {
    sent.push([a]);
    return submit(a);
  };
  return { b, sent };
}

describe("one vote per node and round", () => {
  it("the jobs of a batch's other requests share the vote; a retried job of the same request does not; the other verdict is never signed", () => {
    const { b, sent } = batcher();
    assert.equal(b.shared(round, 5n), null, "nothing cast yet");
    const first = b.submit(round, 5n);
    assert.equal(b.shared(round, 6n), first, "request 6 of the batch takes request 5's vote");
    assert.equal(b.shared(round, 6n), null, "…once: its retried job asks the chain");
    assert.equal(b.shared(round, 5n), null, "request 5's retried job asks the chain");
    assert.equal(b.shared({ ...round, valid: false }, 7n), "conflict", "the other verdict, in this round: never signed");
    assert.equal(b.shared({ ...round, requestId: 9n, valid: false }, 9n), null, "another round is another vote");
    assert.equal(sent.length, 1, "one vote sent for the batch");
  });

  it("the jobs of a batch that read the chain's ballot at the same time still send one vote, and a conflicting one none", async () => {
    const { b, sent } = batcher();
    const ctx = {
      // nothing on chain yet, and the read takes a while: every job is past its first look before any has queued
      client: { readContract: () => new Promise((resolve) => setTimeout(() => resolve([0, 0n]), 20)) },
      quorum: "0x00000000000000000000000000000000000000b2" as Hex,
      sender: { address: NODE },
      batcher: b,
      verifyQueue: { name: "verify", add: async () => undefined } as never,
      settleGraceMs: 1000,
    } as unknown as SettleDutyContext;
    const job = (requestId: bigint) =>
      ({ chainId: 31337, hub: NODE, requestId: String(requestId), roundId: "5", proofHash: round.proofHash, instancesHash: round.instancesHash, output: [], proofStore: "", prover: NODE, blockNumber: 1, txHash: round.proofHash, seenAt: 0 }) as unknown as VerifyJobData;
    const log = createLogger("verifier-node", "silent");
    // four jobs of the batch's round (its vote never completes here: the sender hangs) and one with the other verdict
    for (const id of [5n, 6n, 7n, 8n]) void voteAndSettle(ctx, job(id), round, { electorate: 3n }, log);
    const conflicting = voteAndSettle(ctx, job(9n), { ...round, valid: false }, { electorate: 3n }, log);
    // (a signed conflicting vote would wait on the hung sender: the race names that)
    const outcome = await Promise.race([conflicting, new Promise<{ reason?: string }>((r) => setTimeout(() => r({ reason: "signed and queued" }), 500))]);
    assert.match(outcome.reason ?? "", /other verdict/);
    assert.equal(sent.length, 1, "one vote for the round, not one per job");
  });

  it("a vote that failed may be sent again, but never with the other verdict (its signature may have been seen)", async () => {
    const { b, sent } = batcher(new Error("node unreachable"));
    await assert.rejects(b.submit(round, 5n), /node unreachable/);
    assert.equal(b.shared({ ...round, valid: false }, 6n), "conflict", "the other verdict, after a failed vote: never signed");
    assert.equal(b.vote({ ...round, valid: false }, 5n), "conflict");
    assert.equal(b.shared(round, 5n), null, "the same verdict: the job may vote again");
    await assert.rejects(b.vote(round, 5n) as Promise<unknown>, /node unreachable/);
    assert.equal(sent.length, 2, "the failed vote and its retry, nothing else");
  });

  it("a node that voted before (the chain says so) signs nothing more in that round, whichever the verdict", async () => {
    for (const [onChain, valid, reason] of [[1, false, /other verdict/], [1, true, /already voted in this round/], [2, true, /other verdict/]] as const) {
      const { b, sent } = batcher();
      const scheduled: unknown[] = [];
      const ctx = {
        client: { readContract: async () => [onChain, 10n ** 18n] },
        requests: {} as never,
        quorum: "0x00000000000000000000000000000000000000b2" as Hex,
        sender: { address: NODE },
        batcher: b,
        settler: {} as never,
        verifyQueue: { name: "verify", add: async (_n: string, data: unknown) => void scheduled.push(data) } as never,
        settleGraceMs: 1000,
      } as unknown as SettleDutyContext;
      const d = { chainId: 31337, hub: NODE, requestId: "6", roundId: "5", proofHash: round.proofHash, instancesHash: round.instancesHash, output: [], proofStore: "", prover: NODE, blockNumber: 1, txHash: round.proofHash, seenAt: 0 } as unknown as VerifyJobData;
      const result = await voteAndSettle(ctx, d, { ...round, valid }, { electorate: 3n * 10n ** 18n }, createLogger("verifier-node", "silent"));
      assert.equal(result.outcome, "skipped");
      assert.match(result.reason!, reason);
      assert.equal(sent.length, 0, "nothing signed or sent");
      assert.equal(scheduled.length, 1, "its settle check instead (the request may still need settling)");
    }
  });
});
