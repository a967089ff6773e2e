// @light (no stack of processes: real HTTP servers or native EZKL children only)
/**
 * Proof bytes off the chain: the fetch a verification node (and the client's offline check) makes from a prover's
 * proof store, and the prover's store publishing only after its own commitment. Real HTTP servers on loopback,
 * each playing a store that behaves or misbehaves: withholds the bytes, serves bytes of another hash, answers too
 * late or too much, or serves only the first node that asks.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Registry } from "prom-client";
import { keccak256, type Hex } from "viem";
import { fetchProof, ProofUnavailableError, proofUrl } from "../../protocol/proofStore.js";
import { startProofServer } from "../../workers/proofs/server.js";
import { ProofStore } from "../../workers/proofs/store.js";

const PROOF = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) & 0xff);
const HASH = keccak256(PROOF);
const fast = { timeoutMs: 500, attempts: 2, backoffMs: 20 };

/** A store answering GET /proofs/<hash> with `answer(count)`: the bytes to send, a status, or "hang". */
async function store(answer: (count: number) => Uint8Array | number | "hang"): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== `/proofs/${HASH}`) return void res.writeHead(404).end();
    const a = answer(++hits);
    if (a === "hang") return; // never answers
    if (typeof a === "number") return void res.writeHead(a).end();
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(a);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function unavailable(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => assert.fail("expected the proof to be unavailable"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProofUnavailableError, String(err));
  return err.message;
}

describe("fetching proof bytes by hash from a prover's store", () => {
  it("the URL of a proof is <store>/proofs/<lower-case hash>; only http(s) stores", () => {
    assert.equal(proofUrl("http://prover:9000/", HASH.toUpperCase().replace("0X", "0x") as Hex), `http://prover:9000/proofs/${HASH}`);
    assert.throws(() => proofUrl("file:///etc", HASH), /not an http\(s\) URL/);
  });

  it("returns the bytes a store serves when they hash to the commitment", async () => {
    const s = await store(() => PROOF);
    try {
      assert.deepEqual(await fetchProof([s.url], HASH, fast), PROOF);
    } finally {
      await s.close();
    }
  });

  it("withheld bytes (404, no answer in time): unavailable after the attempts, each source's reason named", async () => {
    const missing = await store(() => 404);
    const hanging = await store(() => "hang");
    try {
      const message = await unavailable(fetchProof([missing.url, hanging.url], HASH, fast));
      assert.match(message, /HTTP 404/);
      assert.match(message, /no answer within 500 ms/);
      assert.equal(missing.hits(), 2, "retried once per attempt");
    } finally {
      await Promise.all([missing.close(), hanging.close()]);
    }
  });

  it("bytes that do not hash to the commitment are never returned; an honest mirror still serves", async () => {
    const forged = PROOF.slice();
    forged[100] ^= 1;
    const liar = await store(() => forged);
    const mirror = await store(() => PROOF);
    try {
      assert.match(await unavailable(fetchProof([liar.url], HASH, fast)), new RegExp(`served bytes hashing to ${keccak256(forged)}`));
      assert.deepEqual(await fetchProof([liar.url, mirror.url], HASH, fast), PROOF);
    } finally {
      await Promise.all([liar.close(), mirror.close()]);
    }
  });

  it("an oversized answer is refused without reading it all; the fetch gives up at giveUpAt with rounds left", async () => {
    const big = await store(() => new Uint8Array(64 * 1024));
    const missing = await store(() => 404);
    try {
      assert.match(await unavailable(fetchProof([big.url], HASH, { ...fast, maxBytes: 8192 })), /more than 8192 bytes/);
      const started = Date.now();
      await unavailable(fetchProof([missing.url], HASH, { timeoutMs: 500, attempts: 100, backoffMs: 100, giveUpAt: Date.now() + 600 }));
      assert.ok(Date.now() - started < 2000, `gave up in ${Date.now() - started} ms`);
    } finally {
      await Promise.all([big.close(), missing.close()]);
    }
  });

  it("a store serving only the first node that asks: that node gets the bytes, every later one finds them unavailable", async () => {
    const selective = await store((n) => (n === 1 ? PROOF : 404));
    try {
      assert.deepEqual(await fetchProof([selective.url], HASH, fast), PROOF);
      await unavailable(fetchProof([selective.url], HASH, fast));
      await unavailable(fetchProof([selective.url], HASH, fast));
    } finally {
      await selective.close();
    }
  });
});

describe("the prover's store publishes a ZKML_ATTESTED proof only after its own commitment", () => {
  const dir = mkdtempSync(join(tmpdir(), "twinpath-pending-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("pending bytes are kept but not served (a hash copied from the mempool fetches nothing); publish serves them", async () => {
    const s = new ProofStore(dir);
    const hash = await s.putPending(PROOF);
    assert.equal(hash, HASH);
    assert.equal(await s.get(hash), null);
    const server = await startProofServer({ port: 0, registry: new Registry(), store: s, check: () => null });
    try {
      await unavailable(fetchProof([server.url], HASH, fast));
      assert.equal(await s.publish(hash), true);
      assert.deepEqual(await fetchProof([server.url], HASH, fast), PROOF);
      assert.equal(await s.publish(hash), true, "publishing twice is harmless");
      assert.equal(await s.publish(keccak256("0x01")), false, "nothing to publish for an unknown hash");
    } finally {
      await server.close();
    }
  });
});
