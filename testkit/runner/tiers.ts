/**
 * Which tier a test file belongs to and how it shares the machine, from its folder and, above that, from tags in
 * the file's leading comment lines:
 *
 *   // @tier slow        (or fast)   what `npm run test:fast` leaves out; `npm test` runs both tiers
 *   // @heavy                        a stack of processes (chain, Redis, workers, a browser): one heavy file at a
 *                                    time, on top of the light files (which then run at a lower CPU priority)
 *   // @serial                       runs alone: its assertions measure time that another file would disturb
 *   // @light                        none of these (overrides its folder)
 *
 * A file without tags takes its folder's defaults (FOLDER_DEFAULTS, longest matching prefix); files of an unknown
 * folder are fast and light. `npm run test:times` flags fast files that have grown slow, so a new test lands in the
 * right tier: tag the file, or add its folder here.
 */
import { readFileSync } from "node:fs";

export type Tier = "fast" | "slow";
/** light: as many as the slots; heavy: one at a time, on top of the light ones; serial: alone */
export type Share = "light" | "heavy" | "serial";

export interface FileClass {
  tier: Tier;
  share: Share;
  /**
   * Files of one group run in one process, one after the other (node --test without isolation): for many short files
   * whose own work is smaller than a process's start (Node, tsx, Hardhat's network). A tagged file runs alone.
   */
  group?: string;
  /** where the class came from: "tag", "folder <prefix>" or "default" */
  source: string;
}

/** Defaults by folder (paths relative to the repository root, "/"-separated); the longest matching prefix wins. */
export const FOLDER_DEFAULTS: Record<string, { tier: Tier; share: Share; group?: string }> = {
  // each file deploys fresh contracts on its own in-process Hardhat network: seconds of work, after ~2.5 s of start
  "test/contracts/": { tier: "fast", share: "light", group: "test/contracts" },
  // short files of pure functions, and the small op tests (the long op files are tagged: their own process)
  "test/protocol/": { tier: "fast", share: "light", group: "test/protocol" },
  "test/compiler/ops/": { tier: "slow", share: "light", group: "test/compiler/ops" },
  // stacks of worker processes with real proofs, a browser (proofpath.e2e too: it measures fast-path latency while
  // proving against its own idle baseline, both next to the same light file, so it need not hold the whole machine)
  "test/proofpath/": { tier: "slow", share: "heavy" },
  // a dev stack from the CLI (Hardhat node, Redis, workers); the CLI against a real chain
  "test/cli/newUser": { tier: "slow", share: "heavy" },
  "test/cli/cli": { tier: "slow", share: "light" },
  "test/workers/e2e": { tier: "slow", share: "heavy" },
  "test/workers/roles": { tier: "fast", share: "heavy" },
  "test/demo/": { tier: "slow", share: "heavy" },
  "test/e2e/": { tier: "slow", share: "heavy" },
  "test/explorer/": { tier: "slow", share: "heavy" },
  "test/client/client": { tier: "slow", share: "heavy" },
  // unit tests of the proof path (fakes, Redis)
  "test/proofpath/units": { tier: "fast", share: "light" },
  "test/proofpath/robustness": { tier: "fast", share: "light" },
  // EZKL keygen and proving, EVM verification: one thread each, slow
  "test/compiler/": { tier: "slow", share: "light" },
  "test/halo2/": { tier: "slow", share: "light" },
  "test/halo2/transcript": { tier: "fast", share: "light" },
  "test/halo2-solidity/": { tier: "slow", share: "light" },
  "test/models/bundle": { tier: "slow", share: "light" },
  // proves every corner of each demo model's input domain (170 s measured); builds and packs the client package (66 s)
  "test/models/domain": { tier: "slow", share: "light" },
  "test/client/package": { tier: "slow", share: "light" },
};

const TAG_LINES = 30;

/** Tags in the leading comment lines of a test file's source. */
export function parseTags(source: string): { tier?: Tier; share?: Share } {
  const out: { tier?: Tier; share?: Share } = {};
  for (const line of source.split("\n").slice(0, TAG_LINES)) {
    if (!/^\s*\/\//.test(line)) continue;
    const tier = /@tier\s+(fast|slow)\b/.exec(line);
    if (tier) out.tier = tier[1] as Tier;
    const share = /@(light|heavy|serial)\b/.exec(line);
    if (share) out.share = share[1] as Share;
  }
  return out;
}

/** The class of `relPath` (relative to the repository root) whose source is `source`. */
export function classify(relPath: string, source: string): FileClass {
  const path = relPath.split("\\").join("/");
  const prefix = Object.keys(FOLDER_DEFAULTS)
    .filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  const base = prefix ? FOLDER_DEFAULTS[prefix] : { tier: "fast" as Tier, share: "light" as Share };
  const tags = parseTags(source);
  const tagged = tags.tier !== undefined || tags.share !== undefined;
  return {
    tier: tags.tier ?? base.tier,
    share: tags.share ?? base.share,
    source: tagged ? "tag" : prefix ? `folder ${prefix}` : "default",
    ...("group" in base && base.group && !tagged ? { group: base.group } : {}),
  };
}

export const classifyFile = (root: string, relPath: string): FileClass => classify(relPath, readFileSync(`${root}/${relPath}`, "utf8"));

const groupJobName = (group: string) => `${group}/*.test.ts (one process)`;
/** The runner's job for a file: the file itself, or its group's one process. */
export const jobNameOf = (file: string, cls: FileClass): string => (cls.group ? groupJobName(cls.group) : file);
/** True for the name of a group's job (kept in the time tables although no file has that name). */
export const isGroupJobName = (name: string): boolean => Object.values(FOLDER_DEFAULTS).some((d) => d.group !== undefined && groupJobName(d.group) === name);
