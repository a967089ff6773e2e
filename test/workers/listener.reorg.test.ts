import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { zeroAddress, type Hex } from "viem";
import { ForkedChain } from "../helpers/forkedChain.js";
import type { RequestLog } from "../../workers/chain/getRequestLogs.js";
import { Listener } from "../../workers/listener/listener.js";
import { MemoryCheckpointStore } from "../../workers/chain/follow/checkpoint.js";
import type { BlockSource, JobSink } from "../../workers/listener/types.js";
import { RequestStatus } from "../../protocol/enums.js";

/** A fake chain: blocks with hashes derived from (fork, number), some carrying one request each. */
class FakeChain extends ForkedChain<{ requestId: bigint; input: bigint[] }> implements BlockSource {
  statuses = new Map<bigint, number>();
  calls = { logs: [] as [bigint, bigint][] };
  mine(requestId?: bigint, input: bigint[] = [1n]) {
    this.mineBlock({ requestId, input });
    if (requestId !== undefined) this.statuses.set(requestId, RequestStatus.Requested);
  }
  async requestLogs(from: bigint, to: bigint): Promise<RequestLog[]> {
    this.calls.logs.push([from, to]);
    const out: RequestLog[] = [];
    for (let n = Number(from); n <= Number(to); n++) {
      const b = this.blocks[n];
      if (b?.requestId === undefined) continue;
      out.push({
        requestId: b.requestId,
        modelId: 1n,
        consumer: zeroAddress,
        executor: zeroAddress,
        input: b.input ?? [],
        fee: 0n,
        resultDeadline: 0n,
        blockNumber: BigInt(n),
        blockHash: b.hash,
        transactionHash: b.hash,
        logIndex: 0,
      });
    }
    return out;
  }
  async requestStatuses(ids: readonly bigint[]) {
    return ids.map((id) => this.statuses.get(id) ?? RequestStatus.None);
  }
}

/** Records enqueued jobs, deduplicating by (request id, block hash) like the BullMQ sink. */
class RecordingSink implements JobSink {
  jobs = new Map<bigint, { blockHash: Hex; input: readonly bigint[] }>();
  history: bigint[] = [];
  async enqueue(logs: RequestLog[]) {
    let added = 0;
    let duplicates = 0;
    let replaced = 0;
    for (const l of logs) {
      const existing = this.jobs.get(l.requestId);
      if (existing?.blockHash === l.blockHash) {
        duplicates++;
        continue;
      }
      if (existing) replaced++;
      else added++;
      this.jobs.set(l.requestId, { blockHash: l.blockHash, input: l.input });
      this.history.push(l.requestId);
    }
    return { added, duplicates, replaced };
  }
}

async function drain(listener: Listener) {
  const results = [];
  for (let i = 0; i < 100; i++) {
    const r = await listener.step();
    results.push(r);
    if (r.kind === "caught-up") return results;
  }
  throw new Error("listener did not catch up");
}

describe("Listener", () => {
  it("pages through a backlog with bounded getLogs ranges and resumes from its checkpoint", async () => {
    const chain = new FakeChain();
    for (let i = 1n; i <= 25n; i++) chain.mine(i % 2n === 0n ? i : undefined);
    const store = new MemoryCheckpointStore();
    const sink = new RecordingSink();
    await drain(new Listener({ source: chain, store, sink, pageSize: 4, startBlock: 1n }));
    assert.ok(chain.calls.logs.every(([f, t]) => t - f + 1n <= 4n), "page size respected");
    assert.deepEqual([...sink.jobs.keys()].sort((a, b) => Number(a - b)), [2n, 4n, 6n, 8n, 10n, 12n, 14n, 16n, 18n, 20n, 22n, 24n]);
    assert.equal(store.checkpoint?.block, 25n);

    // A new listener (restart) continues after the checkpoint: only new blocks are read.
    chain.mine(26n);
    chain.calls.logs = [];
    await drain(new Listener({ source: chain, store, sink, pageSize: 4, startBlock: 1n }));
    assert.deepEqual(chain.calls.logs, [[26n, 26n]]);
    assert.equal(sink.history.filter((id) => id === 26n).length, 1);
  });

  it("holds off reading new blocks while the execute queue is over its bound, and reads on, losing nothing, once it drains", async () => {
    const chain = new FakeChain();
    for (let i = 1n; i <= 12n; i++) chain.mine(i);
    const store = new MemoryCheckpointStore();
    // The executors take nothing until `drained`: the backlog is whatever was enqueued.
    let drained = false;
    const sink = Object.assign(new RecordingSink(), { backlog: async () => (drained ? 0 : sink.jobs.size) });
    const listener = new Listener({ source: chain, store, sink, pageSize: 4, startBlock: 1n, maxBacklog: 6 });
    const kinds = [];
    for (let i = 0; i < 5; i++) kinds.push((await listener.step()).kind);
    assert.deepEqual(kinds, ["advanced", "advanced", "held", "held", "held"], "two pages (8 jobs >= 6), then nothing more read");
    assert.equal(sink.jobs.size, 8);
    assert.equal(store.checkpoint?.block, 8n, "the checkpoint stays where the reading stopped");
    drained = true;
    await drain(listener);
    assert.deepEqual([...sink.jobs.keys()], Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
    assert.equal(sink.history.length, 12, "each request enqueued once");
  });

  it("waits for the confirmation depth", async () => {
    const chain = new FakeChain();
    chain.mine(1n);
    chain.mine();
    const sink = new RecordingSink();
    const listener = new Listener({ source: chain, store: new MemoryCheckpointStore(), sink, confirmations: 3, startBlock: 1n });
    await drain(listener);
    assert.equal(sink.jobs.size, 0, "block 1 has only 1 confirmation");
    chain.mine();
    chain.mine();
    await drain(listener);
    assert.deepEqual([...sink.jobs.keys()], [1n]);
  });

  it("does not enqueue requests the hub already executed or refunded", async () => {
    const chain = new FakeChain();
    chain.mine(1n);
    chain.mine(2n);
    chain.mine(3n);
    chain.statuses.set(1n, RequestStatus.Executed);
    chain.statuses.set(3n, RequestStatus.Refunded);
    const sink = new RecordingSink();
    const [first] = await drain(new Listener({ source: chain, store: new MemoryCheckpointStore(), sink, startBlock: 1n }));
    assert.deepEqual([...sink.jobs.keys()], [2n]);
    assert.equal(first.kind === "advanced" && first.skipped, 2);
  });

  it("detects a reorg of processed blocks, rewinds to the fork point and re-reads the new fork", async () => {
    const chain = new FakeChain();
    for (let i = 1n; i <= 6n; i++) chain.mine(i);
    const store = new MemoryCheckpointStore();
    const sink = new RecordingSink();
    const listener = new Listener({ source: chain, store, sink, pageSize: 2, startBlock: 1n });
    await drain(listener);
    assert.equal(store.checkpoint?.block, 6n);

    // Blocks 5 and 6 are replaced; the new fork carries request 5 with another input and request 7.
    chain.reorg(4, "b");
    chain.mine(5n, [42n]);
    chain.mine();
    chain.mine(7n);
    const steps = await drain(listener);
    const rewound = steps.find((s) => s.kind === "rewound");
    assert.ok(rewound && rewound.kind === "rewound", "a rewind happened");
    assert.equal(rewound.to, 4n, "rewound to the newest block still on the chain");
    assert.deepEqual(sink.jobs.get(5n)?.input, [42n], "request 5 re-enqueued with the new fork's input");
    assert.equal(sink.jobs.get(5n)?.blockHash, chain.blocks[5].hash);
    assert.ok(sink.jobs.has(7n));
    assert.equal(sink.history.filter((id) => id === 4n).length, 1, "blocks before the fork point are not re-processed");
    assert.equal(store.checkpoint?.hash, chain.blocks[7].hash);
  });

  it("retries a page when the chain changes while it is being read", async () => {
    const chain = new FakeChain();
    for (let i = 1n; i <= 4n; i++) chain.mine(i);
    let reorged = false;
    const read = chain.requestLogs.bind(chain);
    chain.requestLogs = async (from, to) => {
      const logs = await read(from, to); // logs of fork "a"...
      if (!reorged) {
        reorged = true;
        chain.reorg(2, "b"); // ...then blocks 3 and 4 are replaced
        chain.mine(3n, [33n]);
        chain.mine(4n, [44n]);
      }
      return logs;
    };
    const sink = new RecordingSink();
    const listener = new Listener({ source: chain, store: new MemoryCheckpointStore(), sink, startBlock: 1n });
    const first = await listener.step();
    assert.equal(first.kind, "inconsistent");
    assert.equal(sink.jobs.size, 0, "nothing from the half-read page was enqueued");
    await drain(listener);
    assert.deepEqual(sink.jobs.get(3n)?.input, [33n]);
    assert.deepEqual(sink.jobs.get(4n)?.input, [44n]);
  });

  it("rescans from the start block when the reorg is deeper than the remembered hashes", async () => {
    const chain = new FakeChain();
    for (let i = 1n; i <= 10n; i++) chain.mine(i);
    const store = new MemoryCheckpointStore();
    const sink = new RecordingSink();
    const listener = new Listener({ source: chain, store, sink, pageSize: 100, reorgWindow: 3, startBlock: 1n });
    await drain(listener);
    chain.reorg(2, "deep");
    for (let i = 3n; i <= 10n; i++) chain.mine(i, [i * 100n]);
    await drain(listener);
    for (let i = 3n; i <= 10n; i++) assert.deepEqual(sink.jobs.get(i)?.input, [i * 100n], `request ${i} from the new fork`);
  });
});
