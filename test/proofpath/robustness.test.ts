import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak256, toHex, zeroAddress, type Hex } from "viem";
import { ForkedChain } from "../helpers/forkedChain.js";
import type { TwinpathPublicClient } from "../../workers/chain/client.js";
import { findLogBackwards, LogLookupOptionsError } from "../../workers/chain/findLogBackwards.js";
import { MemoryCheckpointStore } from "../../workers/chain/follow/checkpoint.js";
import { getRequestInput, type ProofLog } from "../../workers/proofs/chain.js";
import { createLogger } from "../../workers/shared/logger.js";
import { loadVerifierNodeConfig } from "../../workers/config/verifierNode.js";
import { ConfigError } from "../../workers/shared/errors.js";
import { Redis } from "ioredis";
import { resolveRedis } from "../../devnet/localRedis.js";
import { ProofFollower, legacyResumeBlock, verifierCheckpointStore, type ProofSource } from "../../workers/verifier-node/follower.js";
import type { TypedQueue } from "../../workers/queues/connection.js";
import { verifyJobId, type VerifyJobData } from "../../workers/queues/jobs.js";

const logger = createLogger("test", "silent");
const hub = "0x00000000000000000000000000000000000000aa" as const;

/** A fake chain of blocks with hashes derived from (fork, number), some carrying one ProofSubmitted each. */
class FakeProofChain extends ForkedChain<{ proof: { requestId: bigint; proofHash: Hex } }> implements ProofSource {
  mine(proof?: { requestId: bigint; proofHash: Hex }) {
    this.mineBlock(proof ? { proof } : {});
  }
  async proofLogs(from: bigint, to: bigint): Promise<ProofLog[]> {
    const out: ProofLog[] = [];
    for (let n = Number(from); n <= Number(to); n++) {
      const b = this.blocks[n];
      if (!b?.proof) continue;
      out.push({ ...b.proof, prover: zeroAddress, instancesHash: b.hash, output: [1n], proofStore: "http://prover.test", blockNumber: BigInt(n), blockHash: b.hash, transactionHash: b.hash, logIndex: 0 });
    }
    return out;
  }
}

/** The part of a BullMQ queue the follower uses, with job states settable by the test. */
class FakeQueue {
  jobs = new Map<string, { data: VerifyJobData; state: string }>();
  adds: string[] = [];
  async getJob(id: string) {
    const j = this.jobs.get(id);
    if (!j) return undefined;
    return { data: j.data, getState: async () => j.state, remove: async () => void this.jobs.delete(id) };
  }
  async add(_name: string, data: VerifyJobData, opts: { jobId: string }) {
    if (this.jobs.has(opts.jobId)) return;
    this.jobs.set(opts.jobId, { data, state: "waiting" });
    this.adds.push(opts.jobId);
  }
}

function follower(chain: FakeProofChain, queue: FakeQueue, store = new MemoryCheckpointStore(), confirmations = 0) {
  return new ProofFollower({ source: chain, store, queue: queue as unknown as TypedQueue<"verify">, chainId: 31337, hub, startBlock: 1n, confirmations, pageSize: 3, reorgWindow: 16, pollIntervalMs: 10, logger });
}

const P1 = keccak256(toHex("proof-1"));
const P2 = keccak256(toHex("proof-2"));

describe("verifier-node follower: reorgs", () => {
  it("enqueues each proof once across polls and respects confirmations", async () => {
    const chain = new FakeProofChain();
    const queue = new FakeQueue();
    const f = follower(chain, queue, new MemoryCheckpointStore(), 2);
    chain.mine();
    chain.mine({ requestId: 1n, proofHash: P1 });
    assert.equal(await f.poll(), 0, "block 2 has only 0 confirmations");
    chain.mine();
    chain.mine();
    assert.equal(await f.poll(), 1);
    assert.equal(await f.poll(), 0, "a replay adds nothing");
    assert.deepEqual(queue.adds, [verifyJobId(31337, 1n, P1)]);
    assert.equal(f.rewinds, 0);
  });

  it("rewinds to the fork point and enqueues the proof that replaced an orphaned one", async () => {
    const chain = new FakeProofChain();
    const queue = new FakeQueue();
    const store = new MemoryCheckpointStore();
    const f = follower(chain, queue, store);
    chain.mine();
    chain.mine();
    chain.mine({ requestId: 7n, proofHash: P1 });
    chain.mine();
    assert.equal(await f.poll(), 1);
    assert.equal(store.checkpoint?.block, 4n);
    // Blocks 3.. are orphaned; on the new fork another proof for request 7 lands in block 4 (below the old checkpoint).
    chain.reorg(2, "b");
    chain.mine();
    chain.mine({ requestId: 7n, proofHash: P2 });
    chain.mine();
    assert.equal(await f.poll(), 1);
    assert.equal(f.rewinds, 1);
    assert.deepEqual(queue.adds, [verifyJobId(31337, 7n, P1), verifyJobId(31337, 7n, P2)]);
    assert.equal(queue.jobs.get(verifyJobId(31337, 7n, P2))?.data.blockHash, chain.blocks[4].hash);
    assert.equal(store.checkpoint?.hash, chain.blocks[5].hash, "checkpoint now on the new fork");
  });

  it("does not duplicate a pending job when the same proof is re-included, but re-runs a finished one", async () => {
    const chain = new FakeProofChain();
    const queue = new FakeQueue();
    const f = follower(chain, queue);
    chain.mine();
    chain.mine({ requestId: 3n, proofHash: P1 });
    await f.poll();
    const id = verifyJobId(31337, 3n, P1);
    // Same proof re-included one block later on a new fork while its job still waits: nothing new.
    chain.reorg(1, "b");
    chain.mine();
    chain.mine({ requestId: 3n, proofHash: P1 });
    assert.equal(await f.poll(), 0);
    assert.equal(queue.adds.length, 1);
    // Its job completed (its attestation possibly on the orphaned fork); another reorg re-includes the proof: re-run.
    queue.jobs.get(id)!.state = "completed";
    chain.reorg(1, "c");
    chain.mine({ requestId: 3n, proofHash: P1 });
    assert.equal(await f.poll(), 1);
    assert.deepEqual(queue.adds, [id, id]);
    assert.equal(queue.jobs.get(id)?.data.blockHash, chain.blocks[2].hash);
    assert.equal(f.rewinds, 2);
  });

  it("rescans from the start block after a reorg deeper than the window", async () => {
    const chain = new FakeProofChain();
    const queue = new FakeQueue();
    const store = new MemoryCheckpointStore();
    const f = new ProofFollower({ source: chain, store, queue: queue as unknown as TypedQueue<"verify">, chainId: 1, hub, startBlock: 1n, confirmations: 0, pageSize: 100, reorgWindow: 2, pollIntervalMs: 10, logger });
    for (let i = 0; i < 6; i++) chain.mine();
    await f.poll();
    chain.reorg(1, "b");
    chain.mine({ requestId: 9n, proofHash: P2 });
    for (let i = 0; i < 5; i++) chain.mine();
    assert.equal(await f.poll(), 1);
    assert.equal(store.checkpoint?.hash, chain.blocks[7].hash);
  });
});

describe("bounded log lookups", () => {
  it("pages backwards from the head, stops at the newest hit and respects the lookback", async () => {
    const calls: [bigint, bigint][] = [];
    const logs = [{ block: 12_000n, v: "old" }, { block: 30_500n, v: "new" }];
    const page = async (from: bigint, to: bigint) => {
      calls.push([from, to]);
      return logs.filter((l) => l.block >= from && l.block <= to);
    };
    assert.equal((await findLogBackwards(40_000n, page, () => true, { pageSize: 5_000 }))?.v, "new");
    assert.deepEqual(calls, [[35_001n, 40_000n], [30_001n, 35_000n]]);
    calls.length = 0;
    assert.equal((await findLogBackwards(40_000n, page, (l) => l.v === "old", { pageSize: 5_000 }))?.v, "old");
    assert.ok(calls.every(([f, t]) => t - f + 1n <= 5_000n) && calls.length === 6);
    calls.length = 0;
    assert.equal(await findLogBackwards(40_000n, page, (l) => l.v === "old", { pageSize: 5_000, maxLookback: 20_000 }), null);
    assert.deepEqual(calls.at(-1), [20_001n, 25_000n]);
    calls.length = 0;
    assert.equal(await findLogBackwards(7n, page, () => true, { pageSize: 5 }), null);
    assert.deepEqual(calls, [[3n, 7n], [0n, 2n]]);
    await assert.rejects(findLogBackwards(1n, page, () => true, { pageSize: 0 }), LogLookupOptionsError);
    await assert.rejects(findLogBackwards(1n, page, () => true, { maxLookback: -1 }), /maxLookback/);
  });

  it("getRequestInput works against a provider that caps eth_getLogs ranges", async () => {
    const cap = 1_000n;
    const ranges: [bigint, bigint][] = [];
    const client = {
      getBlockNumber: async () => 250_000n,
      getLogs: async (p: { fromBlock?: bigint; toBlock?: bigint; args: { requestId: bigint } }) => {
        if (p.fromBlock === undefined || p.toBlock === undefined || p.toBlock - p.fromBlock + 1n > cap) throw new Error("query exceeds max block range 1000");
        ranges.push([p.fromBlock, p.toBlock]);
        return p.args.requestId === 5n && p.fromBlock <= 247_321n && 247_321n <= p.toBlock ? [{ args: { input: [4n, -2n] } }] : [];
      },
    } as unknown as TwinpathPublicClient;
    assert.deepEqual(await getRequestInput(client, hub, 5n, { pageSize: 1_000 }), [4n, -2n]);
    assert.equal(ranges.length, 3);
    await assert.rejects(getRequestInput(client, hub, 5n), /max block range/, "the default page is larger than this provider allows");
    assert.equal(await getRequestInput(client, hub, 6n, { pageSize: 1_000, maxLookback: 10_000 }), null);
  });
});

describe("verifier-node follower: configuration and upgrade", () => {
  const env = { REDIS_URL: "redis://x:1", RPC_URL: "http://x:1", CHAIN_ID: "1", HUB_ADDRESS: zeroAddress, MODEL_REGISTRY_ADDRESS: zeroAddress, VERIFIER_PRIVATE_KEY: `0x${"11".repeat(32)}`, BUNDLE_DIRS: "/b" };

  it("reads the lookup bounds and reorg window, and names bad values", () => {
    const c = loadVerifierNodeConfig(env);
    assert.deepEqual([c.PROOF_LOG_PAGE_SIZE, c.PROOF_LOG_MAX_LOOKBACK, c.VERIFIER_REORG_WINDOW], [5_000, 1_000_000, 64]);
    assert.throws(
      () => loadVerifierNodeConfig({ ...env, PROOF_LOG_PAGE_SIZE: "0", VERIFIER_REORG_WINDOW: "x" }),
      (e: unknown) => e instanceof ConfigError && ["PROOF_LOG_PAGE_SIZE", "VERIFIER_REORG_WINDOW"].every((v) => e.issues.some((i) => i.variable === v)),
    );
  });

  it("resumes after a pre-reorg-handling checkpoint, and keeps hashes in Redis across restarts", async (t) => {
    // REDIS_URL or a private redis-server (never a default port that may not answer: a failed client would
    // keep reconnecting and hold the test process open).
    const server = await resolveRedis();
    t.after(() => server.dispose());
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const key = `test-robustness-${process.pid}-${Date.now()}:verifier:checkpoint`;
    try {
      assert.equal(await legacyResumeBlock(redis, key, 5n), 5n, "no old checkpoint: the start block");
      await redis.set(key, "41");
      assert.equal(await legacyResumeBlock(redis, key, 5n), 42n);
      const chain = new FakeProofChain();
      for (let i = 0; i < 50; i++) chain.mine(i === 45 ? { requestId: 1n, proofHash: P1 } : undefined);
      const queue = new FakeQueue();
      const make = () => new ProofFollower({ source: chain, store: verifierCheckpointStore(redis, key), queue: queue as unknown as TypedQueue<"verify">, chainId: 1, hub, startBlock: 42n, confirmations: 0, pageSize: 100, pollIntervalMs: 10, logger });
      assert.equal(await make().poll(), 1);
      chain.reorg(44, "b");
      chain.mine({ requestId: 1n, proofHash: P2 });
      const restarted = make();
      assert.equal(await restarted.poll(), 1, "a restarted follower still sees the reorg");
      assert.equal(restarted.rewinds, 1);
      assert.equal((await verifierCheckpointStore(redis, key).load())?.hash, chain.blocks[45].hash);
    } finally {
      await redis.del(key, `${key}:pos`, `${key}:blocks`);
      redis.disconnect();
    }
  });
});
