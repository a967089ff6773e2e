/**
 * Headless Chromium for browser tests: the machine's Debian `chromium` (.ci/run installs it) driven by
 * playwright-core, with a fresh profile directory per launch and nothing that talks to the network on its own.
 * Tests skip with a message when no Chromium is installed.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SKIP_CHROMIUM = existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;

export interface Browser {
  page: Page;
  context: BrowserContext;
  /** console lines and page errors, for failure messages */
  console: string[];
  close: () => Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "twinpath-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const lines: string[] = [];
  page.on("console", (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => lines.push(`pageerror: ${e.message}`));
  return {
    page,
    context,
    console: lines,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Bundles a TypeScript entry for the browser (ESM, no Node built-ins: esbuild refuses to resolve them). */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await esbuild.build({ entryPoints: [entry], bundle: true, platform: "browser", format: "esm", target: "es2022", write: false, logLevel: "silent" });
  return result.outputFiles[0].text;
}
