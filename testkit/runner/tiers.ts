/**
 * Which tier a test file belongs to and whether it must run alone, from its folder and, above that, from a tag in
 * the file's leading comment lines:
 *
 *   // @tier slow        (or fast)   what `npm run test:fast` leaves out; `npm test` runs both tiers
 *   // @serial                       runs alone: it keeps both cores busy (EZKL proving, a stack of worker processes)
 *   // @parallel                     may share the machine with another file (overrides a serial folder)
 *
 * A file without tags takes its folder's defaults (FOLDER_DEFAULTS, longest matching prefix; unknown folders are
 * fast and parallel). `npm run test:times` flags fast files that have grown slow, so a new test lands in the right
 * tier: tag the file, or add its folder here.
 */
import { readFileSync } from "node:fs";

export type Tier = "fast" | "slow";

export interface FileClass {
  tier: Tier;
  serial: boolean;
  /** where the class came from: "tag", "folder <prefix>" or "default" */
  source: string;
}

/** Defaults by folder (paths relative to the repository root, "/"-separated). */
export const FOLDER_DEFAULTS: Record<string, { tier: Tier; serial: boolean }> = {
  // stacks of worker processes, real proofs, a browser: slow, and alone (timing-sensitive, several processes each)
  "test/workers/e2e": { tier: "slow", serial: true },
  "test/proofpath/": { tier: "slow", serial: true },
  "test/demo/": { tier: "slow", serial: true },
  "test/e2e/": { tier: "slow", serial: true },
  "test/explorer/": { tier: "slow", serial: true },
  "test/client/client": { tier: "slow", serial: true },
  // unit tests of the proof path (fakes, Redis)
  "test/proofpath/units": { tier: "fast", serial: false },
  "test/proofpath/robustness": { tier: "fast", serial: false },
  // EZKL keygen and proving in one thread each: slow, and two at a time
  "test/compiler/": { tier: "slow", serial: false },
  "test/halo2/": { tier: "slow", serial: false },
  "test/halo2/transcript": { tier: "fast", serial: false },
  "test/halo2-solidity/": { tier: "slow", serial: false },
  "test/models/bundle": { tier: "slow", serial: false },
};

const TAG_LINES = 30;

/** Tags in the leading comment lines of a test file's source. */
export function parseTags(source: string): { tier?: Tier; serial?: boolean } {
  const out: { tier?: Tier; serial?: boolean } = {};
  for (const line of source.split("\n").slice(0, TAG_LINES)) {
    const m = /^\s*\/\/.*$/.exec(line);
    if (!m) continue;
    const tier = /@tier\s+(fast|slow)\b/.exec(line);
    if (tier) out.tier = tier[1] as Tier;
    if (/@serial\b/.test(line)) out.serial = true;
    if (/@parallel\b/.test(line)) out.serial = false;
  }
  return out;
}

/** The class of `relPath` (relative to the repository root) whose source is `source`. */
export function classify(relPath: string, source: string): FileClass {
  const path = relPath.split("\\").join("/");
  const prefix = Object.keys(FOLDER_DEFAULTS)
    .filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  const base = prefix ? FOLDER_DEFAULTS[prefix] : { tier: "fast" as Tier, serial: false };
  const tags = parseTags(source);
  const tagged = tags.tier !== undefined || tags.serial !== undefined;
  return {
    tier: tags.tier ?? base.tier,
    serial: tags.serial ?? base.serial,
    source: tagged ? "tag" : prefix ? `folder ${prefix}` : "default",
  };
}

export const classifyFile = (root: string, relPath: string): FileClass => classify(relPath, readFileSync(`${root}/${relPath}`, "utf8"));
