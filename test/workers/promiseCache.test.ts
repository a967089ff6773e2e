import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { PromiseCache } from "../../workers/shared/promiseCache.js";

describe("PromiseCache", () => {
  it("computes once per key for concurrent callers, and keeps the value", async () => {
    const cache = new PromiseCache<string, number>();
    let runs = 0;
    const compute = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 10));
      return 7;
    };
    assert.deepEqual(await Promise.all([cache.get("a", compute), cache.get("a", compute), cache.get("a", compute)]), [7, 7, 7]);
    assert.equal(await cache.get("a", compute), 7);
    assert.equal(runs, 1);
  });

  it("keeps no failure: the next caller computes again (a thrown error too)", async () => {
    const cache = new PromiseCache<string, number>();
    await assert.rejects(cache.get("a", async () => Promise.reject(new Error("node down"))), /node down/);
    await assert.rejects(
      cache.get("a", () => {
        throw new Error("file missing");
      }),
      /file missing/,
    );
    assert.equal(await cache.get("a", async () => 1), 1);
    assert.equal(cache.size, 1);
  });

  it("evicts the least recently used beyond its capacity", async () => {
    const cache = new PromiseCache<string, string>({ capacity: 2 });
    let runs = 0;
    const load = (k: string) => async () => (runs++, k);
    await cache.get("a", load("a"));
    await cache.get("b", load("b"));
    await cache.get("a", load("a")); // a is now the most recently used
    await cache.get("c", load("c")); // evicts b
    assert.equal(runs, 3);
    await cache.get("a", load("a"));
    assert.equal(runs, 3, "a kept");
    await cache.get("b", load("b"));
    assert.equal(runs, 4, "b was evicted");
  });

  it("forgets a value after its time to live", async () => {
    const cache = new PromiseCache<string, number>({ ttlMs: 20 });
    let runs = 0;
    const compute = async () => ++runs;
    assert.equal(await cache.get("a", compute), 1);
    assert.equal(await cache.get("a", compute), 1);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(await cache.get("a", compute), 2);
  });
});
