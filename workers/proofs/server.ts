import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Hex } from "viem";
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

export interface ProofServer {
  port: number;
  url: string;
  close: () => Promise<void>;
}

/**
 * The proof-path node's HTTP endpoint: GET /health, GET /metrics (Prometheus) and GET /proofs/<hash> (raw proof
 * bytes, application/octet-stream; 404 when unknown, 400 for a malformed hash). Anyone may fetch a proof and
 * re-check it; the hash in the URL is the keccak256 the hub recorded.
 */
export async function startProofServer(options: ProofServerOptions): Promise<ProofServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const url = req.url ?? "/";
        if (req.method !== "GET") return void res.writeHead(405).end();
        if (url === "/metrics") {
          res.writeHead(200, { "content-type": options.registry.contentType });
          return void res.end(await options.registry.metrics());
        }
        if (url === "/health" || url === "/") {
          const problem = await options.check();
          res.writeHead(problem ? 503 : 200, { "content-type": "application/json" });
          return void res.end(JSON.stringify(problem ? { status: "unhealthy", problem } : { status: "ok" }));
        }
        const m = /^\/proofs\/([^/?#]+)$/.exec(url);
        if (m && options.store) {
          const hash = m[1].toLowerCase();
          if (!ProofStore.isHash(hash)) return void res.writeHead(400, { "content-type": "text/plain" }).end("expected /proofs/0x<64 hex digits>");
          const bytes = await options.store.get(hash as Hex);
          if (!bytes) return void res.writeHead(404, { "content-type": "text/plain" }).end("unknown proof");
          res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length), "x-proof-hash": hash });
          return void res.end(bytes);
        }
        res.writeHead(404).end();
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
