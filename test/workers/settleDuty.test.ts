// @tier slow  (three nodes' settle checks wait out grace periods: ~30 s alone, ~50 s in a full run)
/**
 * Who settles a decided round (workers/verifier-node/settleDuty.ts), three verification nodes against the real hub on
 * the in-process network, with real Redis and BullMQ for the nodes' delayed settle checks. Each node is its vote and
 * settle step as the verify job runs it after verifying (voteAndSettle: its AttestationBatcher, its SettleBatcher,
 * its TxSender with its own key) and a worker on its own verify queue running the settle checks (runSettleCheck, the
 * processor's first branch); the off-chain proof verification before it is not the subject and is not run.
 *
 * - three nodes voting on the same requests at once: every request settles, and exactly one settle item per request is
 *   sent (the node whose vote decided the quorum settles; the other two only check after the grace period);
 * - the same with invalid votes: each proof rejected once (its prover slashed once), by one settle item;
 * - the designated settler silent after its vote: a fallback settles after the grace period, once (also when the only
 *   other voter voted before the decision: one node offline);
 * - the designated settler's settlement fails (no funds for gas) and its job retries: nothing lost, nothing doubled.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { network } from "hardhat";
import pino from "pino";
import { createWalletClient, custom, decodeFunctionData, keccak256, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { devKey } from "../../devnet/hardhatNode.js";
import { proofKey, type Attestation } from "../../protocol/attestation.js";
import { TxSender } from "../../workers/chain/sender/txSender.js";
import { RequestReader } from "../../workers/chain/requestReader.js";
import { openQueue, openWorker, type TypedQueue } from "../../workers/queues/connection.js";
import type { VerifyJobData } from "../../workers/queues/jobs.js";
import { QueueName } from "../../workers/queues/names.js";
import { getRound } from "../../workers/proofs/chain.js";
import { AttestationBatcher } from "../../workers/verifier-node/attestationBatcher.js";
import { SettleBatcher } from "../../workers/verifier-node/settleBatcher.js";
import { runSettleCheck, settleRole, voteAndSettle, type SettleDutyContext } from "../../workers/verifier-node/settleDuty.js";
import { queueFixture } from "../helpers/queueFixture.js";
import { deployHub, INPUT, instancesHash, OUTPUT, PROOF_STORE, proofFor, Status } from "../contracts/helpers/hub.js";
import { until } from "../helpers/until.js";

const { viem, networkHelpers, provider } = await network.create();
const fixture = () => deployHub(viem);
type Fixture = Awaited<ReturnType<typeof fixture>>;

const GRACE_MS = 1500;
const log = pino({ level: "silent" });

interface Node {
  address: Address;
  ctx: SettleDutyContext;
  queue: TypedQueue<"verify">;
  /** settleMany waits this long for company before sending (a long one lets a test act between vote and settle) */
  settler: SettleBatcher;
}

describe("settle duty: one settlement per decided round", { timeout: 120_000 }, () => {
  const fx = queueFixture("sd");
  before(fx.setUp);
  after(fx.tearDown);
  const { closers } = fx;

  /** Verification node `i` (0..2: the fixture's ver1..ver3, the network's accounts 6..8), with its own queue prefix. */
  function startNode(f: Fixture, i: number, run: string, settleWaitMs = 20, graceMs = GRACE_MS): Node {
    const wallet = createWalletClient({ account: privateKeyToAccount(devKey(6 + i)), chain: f.publicClient.chain, transport: custom(provider) });
    const client = f.publicClient as never;
    const sender = new TxSender({ publicClient: client, walletClient: wallet as never, pollIntervalMs: 5 });
    const batcher = new AttestationBatcher({ quorum: f.quorum.address, chainId: f.chainId, wallet: wallet as never, sender, maxWaitMs: 20 });
    const settler = new SettleBatcher({ hub: f.hub.address, publicClient: client, sender, maxWaitMs: settleWaitMs });
    const nodeCtx = { ...fx.ctx, prefix: `${fx.ctx.prefix}.${run}.vn${i}` };
    const queue = openQueue(nodeCtx, QueueName.verify, { defaultJobOptions: { attempts: 3, backoff: { type: "fixed", delay: 100 } } });
    const ctx: SettleDutyContext = { client, requests: new RequestReader(client), quorum: f.quorum.address, sender, batcher, settler, verifyQueue: queue, settleGraceMs: graceMs };
    const worker = openWorker(nodeCtx, QueueName.verify, (job, token) => runSettleCheck(ctx, job, token, log), { concurrency: 4 });
    closers.push(() => worker.close(), () => queue.close());
    return { address: wallet.account.address, ctx, queue, settler };
  }

  /** `n` ZKML_ATTESTED requests delivered and with a proof committed: the verify jobs' data, as the follower builds it. */
  async function proven(f: Fixture, n: number): Promise<VerifyJobData[]> {
    const jobs: VerifyJobData[] = [];
    for (let k = 0; k < n; k++) {
      const id = await f.request(f.models.attested);
      await f.deliver(id);
      const proof = proofFor(INPUT, OUTPUT);
      const prover = await f.prove(id, OUTPUT, proof);
      jobs.push({
        chainId: f.chainId,
        hub: f.hub.address,
        requestId: id.toString(),
        prover: prover.account.address,
        proofHash: keccak256(proof),
        instancesHash: instancesHash(INPUT, OUTPUT),
        output: OUTPUT.map(String),
        proofStore: PROOF_STORE,
        blockNumber: 0,
        txHash: `0x${"00".repeat(32)}`,
        seenAt: Date.now(),
      });
    }
    return jobs;
  }

  const attestation = (d: VerifyJobData): Attestation => ({ requestId: BigInt(d.requestId), proofHash: d.proofHash, instancesHash: d.instancesHash, valid: true });

  /** The verify job's last step on `node` (after verifying): the round read before signing, then vote and settle. */
  async function vote(f: Fixture, node: Node, d: VerifyJobData) {
    const round = await getRound(f.publicClient as never, f.quorum.address, BigInt(d.requestId), d.proofHash, d.instancesHash);
    return voteAndSettle(node.ctx, d, attestation(d), round, log);
  }

  /** Settle items sent to the hub since `fromBlock` (settleMany items and single settles), by request, with senders. */
  async function settleItems(f: Fixture, fromBlock: bigint) {
    const items = new Map<bigint, Address[]>();
    const head = await f.publicClient.getBlockNumber();
    for (let b = fromBlock; b <= head; b++) {
      const block = await f.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        if (tx.to?.toLowerCase() !== f.hub.address.toLowerCase()) continue;
        const call = decodeFunctionData({ abi: f.hub.abi, data: tx.input });
        const ids = call.functionName === "settleMany" ? (call.args[0] as readonly bigint[]) : call.functionName === "settle" ? [call.args[0] as bigint] : [];
        for (const id of ids) items.set(id, [...(items.get(id) ?? []), tx.from]);
      }
    }
    return items;
  }

  /** Every settle check of every node ran (none waiting, delayed or active). */
  const checksDone = (nodes: Node[]) =>
    until(async () => {
      for (const n of nodes) {
        const c = await n.queue.getJobCounts("waiting", "delayed", "active", "prioritized");
        if (Object.values(c).some((v) => v > 0)) return false;
      }
      return true;
    }, "the settle checks to run");

  async function settledOnce(f: Fixture, jobs: VerifyJobData[], fromBlock: bigint) {
    const events = await f.publicClient.getContractEvents({ address: f.hub.address, abi: f.hub.abi, eventName: "RequestSettled", fromBlock });
    for (const d of jobs) {
      const id = BigInt(d.requestId);
      assert.equal(await f.hub.read.status([id]), Status.Settled, `request ${id} settled`);
      assert.equal(events.filter((e) => (e.args as { requestId: bigint }).requestId === id).length, 1, `request ${id} settled exactly once`);
    }
  }

  it("the role rule: exactly one vote of a round decides it", () => {
    const e = parseEther("3");
    const w = parseEther("1");
    // 3 equal voters, quorum 66.66%: 2 of 3 decide
    assert.equal(settleRole({ valid: true, weight: w, validStake: w, invalidStake: 0n }, e, 6666), "early");
    assert.equal(settleRole({ valid: true, weight: w, validStake: 2n * w, invalidStake: 0n }, e, 6666), "decider");
    assert.equal(settleRole({ valid: true, weight: w, validStake: 3n * w, invalidStake: 0n }, e, 6666), "late");
    // a rejection is decided by the vote that makes acceptance impossible
    assert.equal(settleRole({ valid: false, weight: w, validStake: 0n, invalidStake: w }, e, 6666), "early");
    assert.equal(settleRole({ valid: false, weight: w, validStake: w, invalidStake: 2n * w }, e, 6666), "decider");
    assert.equal(settleRole({ valid: false, weight: w, validStake: 0n, invalidStake: 3n * w }, e, 6666), "late");
    // unequal stakes: the big voter's vote decides whatever came before it
    assert.equal(settleRole({ valid: true, weight: 5n * w, validStake: 6n * w, invalidStake: 0n }, 8n * w, 6666), "decider");
  });

  it("three nodes voting at once: every request settles, one settle item per request", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const nodes = [0, 1, 2].map((i) => startNode(f, i, "a"));
    const jobs = await proven(f, 6);
    const from = (await f.publicClient.getBlockNumber()) + 1n;

    const results = await Promise.all(nodes.flatMap((n) => jobs.map((d) => vote(f, n, d))));
    assert.ok(results.every((r) => r.outcome === "attested"));
    // per request: one decider, and every request settled by it before any grace period passed
    for (const d of jobs) {
      const roles = results.filter((_, k) => k % jobs.length === jobs.indexOf(d)).map((r) => r.settleRole);
      assert.deepEqual(roles.filter((r) => r === "decider").length, 1, `request ${d.requestId}: one decider (${roles})`);
    }
    // settled by the deciders inside their vote step, before any grace period
    for (const d of jobs) assert.equal(await f.hub.read.status([BigInt(d.requestId)]), Status.Settled);

    await checksDone(nodes);
    await settledOnce(f, jobs, from);
    const items = await settleItems(f, from);
    const sent = [...items.values()].reduce((s, v) => s + v.length, 0);
    assert.equal(sent, jobs.length, `settle items sent: ${sent} for ${jobs.length} requests (duplicates: ${sent - jobs.length})`);
  });

  it("three nodes voting invalid at once: each proof is rejected once, by one settle item", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const nodes = [0, 1, 2].map((i) => startNode(f, i, "r"));
    const jobs = await proven(f, 3);
    const from = (await f.publicClient.getBlockNumber()) + 1n;

    const results = await Promise.all(
      nodes.flatMap((n) =>
        jobs.map(async (d) => {
          const round = await getRound(f.publicClient as never, f.quorum.address, BigInt(d.requestId), d.proofHash, d.instancesHash);
          return voteAndSettle(n.ctx, d, { ...attestation(d), valid: false }, round, log);
        }),
      ),
    );
    assert.equal(results.filter((r) => r.settleRole === "decider").length, jobs.length, "one decider per round");
    assert.equal(results.filter((r) => r.rejectedProof).length, jobs.length, "each decider rejected its proof");
    await checksDone(nodes);
    const rejected = await f.publicClient.getContractEvents({ address: f.hub.address, abi: f.hub.abi, eventName: "ProofRejected", fromBlock: from });
    const slashed = await f.publicClient.getContractEvents({ address: f.nodeRegistry.address, abi: f.nodeRegistry.abi, eventName: "NodeSlashed", fromBlock: from });
    const items = await settleItems(f, from);
    for (const d of jobs) {
      const id = BigInt(d.requestId);
      assert.equal(rejected.filter((e) => (e.args as { requestId: bigint }).requestId === id).length, 1, `request ${id}: rejected once`);
      assert.equal(items.get(id)?.length, 1, `request ${id}: one settle item`);
      assert.equal(await f.hub.read.status([id]), Status.Executed, "reopened for another proof");
    }
    assert.equal(slashed.length, jobs.length, "the prover slashed once per rejected proof");
    await f.assertBooksBalance();
  });

  it("the designated settler silent after its vote: a fallback settles after the grace period, once", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const [a, b, c] = [0, 1, 2].map((i) => startNode(f, i, "b"));
    const jobs = await proven(f, 2);
    const from = (await f.publicClient.getBlockNumber()) + 1n;

    // b votes first (pending after it), a's vote decides and a goes silent (crashed before its settle step: only its
    // vote reached the chain), c votes last (decided before it), two thirds of a grace period after b: where c's check
    // (two grace periods after its vote) met b's second one under the old rule (b waited its own 4/3 grace twice)
    const bVoted = Date.now();
    for (const d of jobs) assert.equal((await vote(f, b, d)).settleRole, "early");
    const decided = Date.now();
    for (const d of jobs) assert.equal((await a.ctx.batcher.submit(attestation(d))).kind, "recorded");
    await new Promise((r) => setTimeout(r, Math.max(0, bVoted + (2 * GRACE_MS) / 3 - Date.now())));
    for (const d of jobs) assert.equal((await vote(f, c, d)).settleRole, "late");
    for (const d of jobs) assert.equal(await f.hub.read.status([BigInt(d.requestId)]), Status.ProofSubmitted, "nobody settled at once");

    await until(async () => (await Promise.all(jobs.map((d) => f.hub.read.status([BigInt(d.requestId)])))).every((s) => s === Status.Settled), "a fallback to settle");
    assert.ok(Date.now() - decided >= GRACE_MS, "the fallback left the designated settler its grace period");
    await checksDone([a, b, c]);
    await settledOnce(f, jobs, from);
    const items = await settleItems(f, from);
    for (const d of jobs) {
      const by = items.get(BigInt(d.requestId)) ?? [];
      assert.equal(by.length, 1, `request ${d.requestId}: one settle item (${by.length})`);
      assert.notEqual(by[0].toLowerCase(), a.address.toLowerCase(), "settled by a fallback, not the silent node");
    }
  });

  it("the designated settler silent and no vote after it (one node offline): the earlier voter settles after its wait", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const [a, b] = [0, 1].map((i) => startNode(f, i, "b2"));
    const [d] = await proven(f, 1);
    const from = (await f.publicClient.getBlockNumber()) + 1n;

    assert.equal((await vote(f, b, d)).settleRole, "early");
    const decided = Date.now();
    assert.equal((await a.ctx.batcher.submit(attestation(d))).kind, "recorded"); // decides, then silent
    await until(async () => (await f.hub.read.status([BigInt(d.requestId)])) === Status.Settled, "the earlier voter to settle");
    // b saw the round decided at its first check and waited once more before settling
    assert.ok(Date.now() - decided >= 2 * GRACE_MS, "the earlier voter waited a second period after seeing the decision");
    await checksDone([a, b]);
    await settledOnce(f, [d], from);
    assert.deepEqual((await settleItems(f, from)).get(BigInt(d.requestId))?.map((x) => x.toLowerCase()), [b.address.toLowerCase()]);
  });

  it("the designated settler's settlement fails and its job retries: nothing lost, nothing doubled", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    // a's settleMany gathers for long: the test takes its funds between its vote and its settlement
    const a = startNode(f, 0, "c", 60_000);
    // b, the first voter, is a fallback that must not settle before a's settlement fails (on a loaded machine the
    // steps below took longer than its ~7 s at the usual grace); c, a late voter, is the fallback that settles
    const [b, c] = [startNode(f, 1, "c", 20, 10_000), startNode(f, 2, "c")];
    const jobs = await proven(f, 3);
    const from = (await f.publicClient.getBlockNumber()) + 1n;

    await Promise.all(jobs.map((d) => vote(f, b, d)));
    const attempt = Promise.all(jobs.map((d) => vote(f, a, d)));
    const key = (d: VerifyJobData) => proofKey(BigInt(d.requestId), d.proofHash, d.instancesHash);
    await until(async () => (await Promise.all(jobs.map((d) => f.quorum.read.attestationOf([key(d), a.address])))).every(([verdict]) => verdict !== 0), "a's votes");
    const funds = await f.publicClient.getBalance({ address: a.address });
    await networkHelpers.setBalance(a.address, 0n);
    // a's vote jobs queue their settlements once their votes are seen mined: flush when all three wait (a flush
    // before would leave them gathering for a minute, long after b's fallback settled them)
    await until(async () => a.settler.depth.waiting === jobs.length, "a's settlements gathering");
    a.settler.flush();
    await assert.rejects(attempt, "a's settlement cannot be paid for: its verify jobs fail");
    await networkHelpers.setBalance(a.address, funds);
    await Promise.all(jobs.map((d) => vote(f, c, d)));

    // a's jobs retry: its votes are already on chain (skipped), and each gets a settle check instead
    const retried = await Promise.all(jobs.map((d) => vote(f, a, d)));
    assert.ok(retried.every((r) => r.outcome === "skipped"));

    await until(async () => (await Promise.all(jobs.map((d) => f.hub.read.status([BigInt(d.requestId)])))).every((s) => s === Status.Settled), "a fallback to settle");
    await checksDone([a, b, c]);
    await settledOnce(f, jobs, from);
    const items = await settleItems(f, from);
    for (const d of jobs) assert.equal(items.get(BigInt(d.requestId))?.length, 1, `request ${d.requestId}: one settle item`);
    // every vote valid, so each verifier's reward was booked once: claims are the hub's business, the books balance
    await f.assertBooksBalance();
  });
});
