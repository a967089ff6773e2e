import { createServer, connect, type Server, type Socket } from "node:net";
import { freePort } from "./ports.js";

/** A loopback TCP proxy that can be paused (refuses and drops connections) to simulate an unreachable RPC. */
export interface TcpProxy {
  port: number;
  url: string;
  pause: () => void;
  resume: () => void;
  close: () => Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  let paused = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (paused) return client.destroy();
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pause: () => {
      paused = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    resume: () => {
      paused = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
