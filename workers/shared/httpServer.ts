import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HealthServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to bind. @defaultValue "127.0.0.1" */
  host?: string;
  registry: Registry;
  /** Returns a problem description, or null when healthy. Called on every GET /health. */
  check: () => Promise<string | null> | string | null;
  /** Extra GET routes of a role: return true when the request was answered (e.g. the prover's /proofs/<hash>). */
  route?: (url: string, res: ServerResponse) => Promise<boolean>;
}

export interface HealthServer {
  port: number;
  url: string;
  close: () => Promise<void>;
}

/** GET /health (200 "ok" or 503 with the problem), GET /metrics (Prometheus text), plus the role's own routes. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method !== "GET") {
          res.writeHead(405).end();
        } else if (req.url === "/metrics") {
          res.writeHead(200, { "content-type": options.registry.contentType });
          res.end(await options.registry.metrics());
        } else if (req.url === "/health" || req.url === "/") {
          const problem = await options.check();
          res.writeHead(problem ? 503 : 200, { "content-type": "application/json" });
          res.end(JSON.stringify(problem ? { status: "unhealthy", problem } : { status: "ok" }));
        } else if (!(options.route && (await options.route(req.url ?? "/", res)))) {
          res.writeHead(404).end();
        }
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
