/**
 * The explorer's HTTP routes, for any health server (workers/shared/httpServer.ts `route`): the page at
 * /explorer/, its script at /explorer/app.js (bundled from explorer/page/app.ts with esbuild when the server
 * starts) and the JSON API at /explorer/api/<name>.
 */
import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { toJson } from "./api.js";

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "page");

export interface ExplorerPage {
  html: string;
  js: string;
}

/** The page: index.html and app.ts bundled for browsers (ES2022, no Node module). */
export async function buildExplorerPage(): Promise<ExplorerPage> {
  const built = await esbuild.build({
    entryPoints: [join(PAGE_DIR, "app.ts")],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  return { html: readFileSync(join(PAGE_DIR, "index.html"), "utf8"), js: built.outputFiles[0].text };
}

export type ExplorerApi = Record<string, (params: URLSearchParams) => Promise<unknown>>;

/** GET routes under /explorer; returns true when it answered. */
export function explorerRoute(page: ExplorerPage, api: ExplorerApi, onError: (err: unknown, path: string) => void = () => {}) {
  return async (rawUrl: string, res: ServerResponse): Promise<boolean> => {
    const url = new URL(rawUrl, "http://explorer.invalid");
    const path = url.pathname;
    if (path === "/explorer") {
      res.writeHead(302, { location: "/explorer/" }).end();
      return true;
    }
    if (path === "/explorer/" || path === "/explorer/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" }).end(page.html);
      return true;
    }
    if (path === "/explorer/app.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }).end(page.js);
      return true;
    }
    const m = /^\/explorer\/api\/([a-z]+)$/.exec(path);
    if (!m) return false;
    const handler = Object.hasOwn(api, m[1]) ? api[m[1]] : undefined;
    if (!handler) {
      res.writeHead(404, { "content-type": "application/json" }).end(toJson({ error: `no API ${m[1]}; try ${Object.keys(api).join(", ")}` }));
      return true;
    }
    try {
      const body = toJson(await handler(url.searchParams));
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(body);
    } catch (err) {
      onError(err, path);
      res.writeHead(502, { "content-type": "application/json" }).end(toJson({ error: (err as Error).message?.split("\n")[0] ?? String(err) }));
    }
    return true;
  };
}
