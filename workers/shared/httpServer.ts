import { createServer, type Server } from "node:http";
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
}

export interface HealthServer {
  port: number;
  close: () => Promise<void>;
}

/** GET /health (200 "ok" or 503 with the problem) and GET /metrics (Prometheus text). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.url === "/metrics") {
          res.writeHead(200, { "content-type": options.registry.contentType });
          res.end(await options.registry.metrics());
        } else if (req.url === "/health" || req.url === "/") {
          const problem = await options.check();
          res.writeHead(problem ? 503 : 200, { "content-type": "application/json" });
          res.end(JSON.stringify(problem ? { status: "unhealthy", problem } : { status: "ok" }));
        } else {
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
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
