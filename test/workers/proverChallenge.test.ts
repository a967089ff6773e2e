/**
 * The prover's OPTIMISTIC challenge (workers/prover/processor.ts, challengeStep) as its prove worker runs it: the real
 * hub on the in-process network (automining: a block comes only with a transaction), real Redis and BullMQ, the
 * real proof store and TxSender. The proving engine is a stand-in making proofs the test-only instance-checking
 * verifier accepts, each with fresh random padding (as real proofs differ from run to run) unless asked to be
 * deterministic: the subject is how the job waits between the commitment and the challenge, not the proof (the
 * real Halo2 path is test/proofpath/onchain.e2e.test.ts).
 *
 * - waiting for a block after its commitment, a challenge does not hold the prover's only worker slot;
 * - the rerun reuses the committed proof and records, sends one commitment and one challenge;
 * - a restart between commitment and challenge: the committed proof from the store (no second commitment), or,
 *   with the store gone, a new proof and a new commitment the challenge matches;
 * - no later block: the stall error; the window closing: no waiting, no commitment that cannot be followed.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { network } from "hardhat";
import pino from "pino";
import { createWalletClient, custom, decodeFunctionData, hexToBytes, keccak256, toHex, zeroAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { devKey } from "../../devnet/hardhatNode.js";
import { TxSender } from "../../workers/chain/sender/txSender.js";
import { challengeCommitment } from "../../workers/proofs/chain.js";
import { ProofModelCache } from "../../workers/proofs/models.js";
import { engineProofJson } from "../../workers/proofs/proofJson.js";
import type { ProvingEngine } from "../../workers/proofs/provingEngine.js";
import { ProofStore } from "../../workers/proofs/store.js";
import { createProveProcessor, type ProverContext } from "../../workers/prover/processor.js";
import { RequestReader } from "../../workers/chain/requestReader.js";
import { addJob, openQueue, openWorker, type QueueContext, type TypedQueue } from "../../workers/queues/connection.js";
import { queueFixture } from "../helpers/queueFixture.js";
import { jobIdFor, type ProveJobData } from "../../workers/queues/jobs.js";
import { QueueName } from "../../workers/queues/names.js";
import { deployHub, INPUT, instancesOf, OUTPUT, proofFor, Status } from "../contracts/helpers/hub.js";
import { until } from "../helpers/until.js";

const { viem, networkHelpers, provider } = await network.create();
const fixture = () => deployHub(viem);
type Fixture = Awaited<ReturnType<typeof fixture>>;

const log = pino({ level: "silent" });
/** What the model really computes on INPUT (the stand-in engine's output); OUTPUT (the fixture's) is a lie beyond the
 * OPTIMISTIC model's tolerance of 5. */
const PROVEN = [100n, 0n, -7n];
const CHALLENGER = 10; // the fixture's `challenger` wallet

/** Proofs the TestOnlyInstanceCheckingVerifier accepts for (input, PROVEN); random padding unless deterministic. */
class StandInEngine implements ProvingEngine {
  readonly backend = "wasm" as const;
  readonly parallelism = 1;
  readonly pending = 0;
  proofs = 0;
  constructor(private readonly deterministic = false) {}
  async prove(_key: string, _artifacts: unknown, floats: number[]) {
    this.proofs++;
    const input = floats.map((x) => BigInt(Math.round(x * 128)));
    const proof = hexToBytes(proofFor(input, PROVEN, this.deterministic ? "0x" : toHex(randomBytes(16))));
    return { proof: engineProofJson(proof, instancesOf(input, PROVEN)), witnessMs: 1, proveMs: 1 };
  }
  async verify(): Promise<{ valid: boolean; verifyMs: number }> {
    throw new Error("not used by the prover");
  }
  async close() {}
  describe() {
    return { engine: "stand-in" };
  }
}

describe("prover: an OPTIMISTIC challenge waits for its block off the worker's slots", { timeout: 180_000 }, () => {
  const fx = queueFixture("pc");
  before(fx.setUp);
  after(fx.tearDown);
  const { closers, dirs } = fx;
  let run = 0;

  const newStore = () => {
    const dir = mkdtempSync(join(tmpdir(), "twinpath-prover-challenge-"));
    dirs.push(dir);
    return new ProofStore(dir);
  };

  /** A prover process: its context (challenger's key) and one prove worker of PROVER_CONCURRENCY 1. */
  function startProver(f: Fixture, queues: { ctx: QueueContext; prove: TypedQueue<"prove"> }, o: { engine: ProvingEngine; store: ProofStore; stallMs?: number }) {
    const wallet = createWalletClient({ account: privateKeyToAccount(devKey(CHALLENGER)), chain: f.publicClient.chain, transport: custom(provider) });
    const client = f.publicClient as never;
    const settleQueue = openQueue(queues.ctx, QueueName.settle);
    const ctx: ProverContext = {
      client,
      requests: new RequestReader(client),
      sender: new TxSender({ publicClient: client, walletClient: wallet as never, pollIntervalMs: 5 }),
      models: new ProofModelCache(client, f.modelRegistry.address),
      bundles: { resolve: async () => ({ manifestHash: "0x00" }) } as never,
      pool: o.engine,
      store: o.store,
      proofStoreUrl: Promise.resolve("http://unused.test"),
      settleQueue,
      logger: log,
      settleOptimistic: false,
      windowPollMs: 1000,
      challengePollMs: 100,
      challengeStallMs: o.stallMs ?? 60_000,
    };
    const worker = openWorker(queues.ctx, QueueName.prove, createProveProcessor(ctx), { concurrency: 1 });
    // A restart: the process's memory goes, the queue and the store (on disk) stay. Closed without force so that a
    // job caught active (its re-delay every challengePollMs elapsed) ends its short run and is released: a forced
    // close would leave it locked for BullMQ's lock duration (30 s), BullMQ's stalled-job recovery, not what these
    // tests check, and under load past their waits.
    const stop = async () => {
      await worker.close();
      await settleQueue.close();
    };
    closers.push(stop);
    return { ctx, worker, stop };
  }

  function queuesFor(attempts = 3) {
    const ctx = { ...fx.ctx, prefix: `${fx.ctx.prefix}.${run++}` };
    const prove = openQueue(ctx, QueueName.prove, { defaultJobOptions: { attempts, backoff: { type: "fixed", delay: 100 } } });
    closers.push(() => prove.close());
    return { ctx, prove };
  }

  /** An OPTIMISTIC request delivered with `output`, and its prove job's data (as the follower builds it). */
  async function delivered(f: Fixture, output: bigint[]): Promise<ProveJobData> {
    const id = await f.request(f.models.optimistic);
    await f.deliver(id, output);
    return {
      chainId: f.chainId,
      hub: f.hub.address,
      requestId: id.toString(),
      modelId: f.models.optimistic.toString(),
      input: INPUT.map(String),
      output: output.map(String),
      executor: zeroAddress,
      resultTxHash: `0x${"00".repeat(32)}`,
      resultBlockNumber: 0,
    };
  }

  const events = async (f: Fixture, eventName: "ChallengeCommitted" | "Challenged", d: ProveJobData) =>
    (await f.publicClient.getContractEvents({ address: f.hub.address, abi: f.hub.abi, eventName, fromBlock: 0n, strict: true })).filter(
      (e) => (e.args as { requestId: bigint }).requestId === BigInt(d.requestId),
    );
  const commitments = async (f: Fixture, d: ProveJobData) => (await events(f, "ChallengeCommitted", d)).map((e) => ({ commitment: (e.args as { commitment: Hex }).commitment, block: e.blockNumber }));

  const job = async (q: TypedQueue<"prove">, d: ProveJobData) => (await q.getJob(jobIdFor(QueueName.prove, d)))!;
  const finished = (q: TypedQueue<"prove">, d: ProveJobData, what: string, timeoutMs?: number) =>
    until(async () => {
      const state = await (await job(q, d)).getState();
      if (state !== "completed" && state !== "failed") return false;
      const j = await job(q, d); // read after the state: the job as it finished
      return { state, result: j.returnvalue, failedReason: j.failedReason, data: j.data };
    }, what, timeoutMs);
  /** The job waits delayed, its challenge committed on chain (`n` commitments so far). */
  const waitingForBlock = (f: Fixture, q: TypedQueue<"prove">, d: ProveJobData, n = 1) =>
    until(async () => {
      if ((await (await job(q, d)).getState()) !== "delayed") return false;
      const j = await job(q, d);
      return j.data.challenge?.commitBlock && (await commitments(f, d)).length === n ? j.data.challenge : false;
    }, "the challenge to be committed and its job delayed");

  /** The challenge transaction's proof bytes, and the commitment they make for the challenger. */
  async function challengeSent(f: Fixture, d: ProveJobData) {
    const ch = await events(f, "Challenged", d);
    assert.equal(ch.length, 1, "exactly one Challenged event");
    const tx = await f.publicClient.getTransaction({ hash: ch[0].transactionHash });
    const call = decodeFunctionData({ abi: f.hub.abi, data: tx.input });
    assert.equal(call.functionName, "challenge");
    const proof = hexToBytes(call.args[3] as Hex);
    assert.equal(await f.hub.read.status([BigInt(d.requestId)]), Status.Settled);
    return { proofHash: keccak256(proof), commitment: challengeCommitment(BigInt(d.requestId), tx.from, PROVEN, proof) };
  }

  it("PROVER_CONCURRENCY 1: a challenge waiting for the block after its commitment does not block another prove job", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const q = queuesFor();
    const engine = new StandInEngine();
    startProver(f, q, { engine, store: newStore() });
    const lie = await delivered(f, OUTPUT);
    const honest = await delivered(f, PROVEN);

    await addJob(q.prove, lie);
    await until(async () => (await commitments(f, lie)).length === 1, "the challenge's commitment");
    await addJob(q.prove, honest);
    // nothing else mines on this chain: the honest job must get the slot while the challenge waits
    const other = await finished(q.prove, honest, "the other prove job to finish while the challenge waits", 10_000);
    assert.equal(other.state, "completed");
    assert.equal(other.result.outcome, "agreed");
    assert.equal(await f.hub.read.status([BigInt(lie.requestId)]), Status.Executed, "not challenged yet: no block after the commitment");
    const rec = (await job(q.prove, lie)).data.challenge!;

    await networkHelpers.mine();
    const done = await finished(q.prove, lie, "the challenge");
    assert.equal(done.result?.outcome, "challenged", JSON.stringify(done));
    const sent = await challengeSent(f, lie);
    assert.equal(sent.commitment, rec.commitment, "the challenge matches the recorded commitment");
    assert.equal((await commitments(f, lie)).length, 1, "one commitment");
    assert.equal(engine.proofs, 2, "one proof per request");
  });

  it("the rerun: the commitment recorded in the job, the proof reused, one commitment and one challenge", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const q = queuesFor();
    const engine = new StandInEngine();
    startProver(f, q, { engine, store: newStore() });
    const lie = await delivered(f, OUTPUT);
    await addJob(q.prove, lie);
    const rec = await waitingForBlock(f, q.prove, lie);
    const [onChain] = await commitments(f, lie);
    assert.equal(rec.commitment, onChain.commitment);
    assert.equal(rec.commitBlock, String(onChain.block));
    assert.deepEqual(rec.output, PROVEN.map(String));
    assert.ok(rec.at && rec.at <= Date.now());
    // it comes back (delayed) several times while no block comes, and sends nothing more
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await commitments(f, lie)).length, 1);

    await networkHelpers.mine();
    const done = await finished(q.prove, lie, "the challenge");
    assert.equal(done.result?.outcome, "challenged", JSON.stringify(done));
    const sent = await challengeSent(f, lie);
    assert.equal(sent.proofHash, rec.proofHash, "the committed proof was sent");
    assert.equal(sent.commitment, rec.commitment);
    assert.equal((await commitments(f, lie)).length, 1, "one commitment");
    assert.equal(engine.proofs, 1, "proved once");
  });

  it("a restart between commitment and challenge: the committed proof from the store, no second commitment", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const q = queuesFor();
    const store = newStore();
    const first = startProver(f, q, { engine: new StandInEngine(), store });
    const lie = await delivered(f, OUTPUT);
    await addJob(q.prove, lie);
    const rec = await waitingForBlock(f, q.prove, lie);
    await first.stop();

    // the new process has nothing in memory; its store (on disk) kept the proof
    const engine = new StandInEngine();
    startProver(f, q, { engine, store });
    await networkHelpers.mine();
    const done = await finished(q.prove, lie, "the challenge after the restart");
    assert.equal(done.result?.outcome, "challenged", JSON.stringify(done));
    const sent = await challengeSent(f, lie);
    assert.equal(sent.proofHash, rec.proofHash);
    assert.equal(sent.commitment, rec.commitment);
    assert.equal((await commitments(f, lie)).length, 1, "not committed again");
    assert.equal(engine.proofs, 0, "not proved again");
  });

  it("a restart with the proof gone: proved again; a different proof commits anew and its challenge matches it", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const q = queuesFor();
    const first = startProver(f, q, { engine: new StandInEngine(), store: newStore() });
    const lie = await delivered(f, OUTPUT);
    await addJob(q.prove, lie);
    const old = await waitingForBlock(f, q.prove, lie);
    await first.stop();

    const engine = new StandInEngine(); // random padding: other bytes than the committed proof
    startProver(f, q, { engine, store: newStore() });
    await networkHelpers.mine(); // a block after the old commitment: its challenge could go now, but its bytes are gone
    const renewed = await waitingForBlock(f, q.prove, lie, 2);
    assert.notEqual(renewed.commitment, old.commitment);
    await networkHelpers.mine();
    const done = await finished(q.prove, lie, "the challenge after the restart");
    assert.equal(done.result?.outcome, "challenged", JSON.stringify(done));
    const sent = await challengeSent(f, lie);
    assert.equal(sent.commitment, renewed.commitment, "the challenge matches the new commitment");
    assert.equal(sent.proofHash, renewed.proofHash);
    assert.equal(engine.proofs, 1);
  });

  it("a restart with the proof gone and a prover giving the same bytes again: no second commitment", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const q = queuesFor();
    const first = startProver(f, q, { engine: new StandInEngine(true), store: newStore() });
    const lie = await delivered(f, OUTPUT);
    await addJob(q.prove, lie);
    const rec = await waitingForBlock(f, q.prove, lie);
    await first.stop();

    const engine = new StandInEngine(true);
    startProver(f, q, { engine, store: newStore() });
    await networkHelpers.mine();
    const done = await finished(q.prove, lie, "the challenge after the restart");
    assert.equal(done.result?.outcome, "challenged", JSON.stringify(done));
    assert.equal((await challengeSent(f, lie)).commitment, rec.commitment);
    assert.equal((await commitments(f, lie)).length, 1, "not committed again");
    assert.equal(engine.proofs, 1, "proved again (nothing kept)");
  });

  it("a crash after the commitment was sent, before its block was recorded: found on chain, not committed again", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const q = queuesFor();
    const store = newStore();
    const lie = await delivered(f, OUTPUT);
    // what the job had done before the crash: the proof kept, the commitment recorded and then mined
    const proof = hexToBytes(proofFor(INPUT, PROVEN, toHex(randomBytes(16))));
    const proofHash = await store.put(proof);
    const commitment = challengeCommitment(BigInt(lie.requestId), f.wallets.challenger.account.address, PROVEN, proof);
    await f.hub.write.commitChallenge([BigInt(lie.requestId), commitment], { account: f.wallets.challenger.account });
    const d: ProveJobData = { ...lie, challenge: { commitment, proofHash, output: PROVEN.map(String) } };

    const engine = new StandInEngine();
    startProver(f, q, { engine, store });
    await addJob(q.prove, d);
    const rec = await waitingForBlock(f, q.prove, d);
    assert.equal(rec.commitment, commitment);
    assert.equal(rec.commitBlock, String((await commitments(f, d))[0].block), "the block found on chain, recorded");
    await networkHelpers.mine();
    const done = await finished(q.prove, d, "the challenge");
    assert.equal(done.result?.outcome, "challenged", JSON.stringify(done));
    assert.equal((await challengeSent(f, d)).proofHash, proofHash);
    assert.equal((await commitments(f, d)).length, 1, "not committed again");
    assert.equal(engine.proofs, 0);
  });

  it("no block after the commitment within the stall limit: the attempt fails saying so, nothing else is sent", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const q = queuesFor(1);
    startProver(f, q, { engine: new StandInEngine(), store: newStore(), stallMs: 400 });
    const lie = await delivered(f, OUTPUT);
    await addJob(q.prove, lie);
    const done = await finished(q.prove, lie, "the stall error");
    assert.equal(done.state, "failed");
    assert.match(done.failedReason, /no block after \d+ \(the challenge's commitment\) within 0\.4 s of it: is the chain stalled\?/);
    assert.equal((await commitments(f, lie)).length, 1);
    assert.equal((await events(f, "Challenged", lie)).length, 0);
  });

  it("the window closing: no commitment that cannot be followed by a challenge in time, and no waiting past the deadline", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const q = queuesFor();
    startProver(f, q, { engine: new StandInEngine(), store: newStore() });

    // one second left: the commitment could land, the challenge in a later block could not
    const late = await delivered(f, OUTPUT);
    const { proofDeadline } = await f.hub.read.getRequest([BigInt(late.requestId)]);
    await networkHelpers.time.increaseTo(proofDeadline - 1n);
    await addJob(q.prove, late);
    const skipped = await finished(q.prove, late, "the late job");
    assert.equal(skipped.result.outcome, "skipped");
    assert.match(skipped.result.reason!, /challenge window closed \(no room for a commitment and a later challenge\)/);
    assert.equal((await commitments(f, late)).length, 0, "no commitment sent");

    // committed in time, then the next block is already at the deadline: the job ends instead of waiting
    const lie = await delivered(f, OUTPUT);
    await addJob(q.prove, lie);
    await waitingForBlock(f, q.prove, lie);
    await networkHelpers.time.increaseTo((await f.hub.read.getRequest([BigInt(lie.requestId)])).proofDeadline);
    const closed = await finished(q.prove, lie, "the job whose window closed");
    assert.equal(closed.result.outcome, "skipped");
    assert.match(closed.result.reason!, /challenge window closed \(no block left before the deadline\)/);
    assert.equal((await events(f, "Challenged", lie)).length, 0);
  });
});
