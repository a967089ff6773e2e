import type { Registry } from "prom-client";
import type { Hex } from "viem";
import { startHealthServer, type HealthServer, type HealthServerOptions } from "../shared/httpServer.js";
import { ProofStore } from "./store.js";

export interface ProofServerOptions {
  /** Port; 0 picks a free one. */
  port: number;
  /** @defaultValue "127.0.0.1" */
  host?: string;
  registry: Registry;
  /** Problem description, or null when healthy. */
  check: () => Promise<string | null> | string | null;
  /** Serves GET /proofs/<keccak256> when given. */
  store?: ProofStore;
}

export type ProofServer = HealthServer;

/**
 * The proof-path node's HTTP endpoint: GET /health, GET /metrics (Prometheus) and GET /proofs/<hash> (raw proof
 * bytes, application/octet-stream; 404 when unknown, 400 for a malformed hash). Anyone may fetch a proof and
 * re-check it, browsers included (CORS: any origin); the hash in the URL is the keccak256 the hub recorded.
 */
export async function startProofServer(options: ProofServerOptions): Promise<ProofServer> {
  return startHealthServer({ ...options, route: options.store ? proofRoute(options.store) : undefined });
}

/** The GET /proofs/<hash> route over a proof store (a health server's extra route). */
export function proofRoute(store: ProofStore): NonNullable<HealthServerOptions["route"]> {
  return async (url, res) => {
    const m = /^\/proofs\/([^/?#]+)$/.exec(url);
    if (!m) return false;
    const hash = m[1].toLowerCase();
    // proofs are public and content-addressed: any page (a dApp verifying a settled result offline) may read them
    const cors = { "access-control-allow-origin": "*", "access-control-expose-headers": "x-proof-hash" };
    if (!ProofStore.isHash(hash)) {
      res.writeHead(400, { "content-type": "text/plain", ...cors }).end("expected /proofs/0x<64 hex digits>");
      return true;
    }
    const bytes = await store.get(hash as Hex);
    if (!bytes) res.writeHead(404, { "content-type": "text/plain", ...cors }).end("unknown proof");
    else {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length), "x-proof-hash": hash, ...cors });
      res.end(bytes);
    }
    return true;
  };
}
