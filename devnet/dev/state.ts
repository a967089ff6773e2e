/**
 * The state file of a `twinpath dev up` stack: what it started (process ids with the command each runs, so `dev
 * down` stops exactly those and never a process that reused a pid), where (ports, URLs, folders) and what it
 * deployed and registered. Other commands read it for defaults (RPC URL, Redis, queue prefix, labels of the demo
 * models). One stack per home folder: `<home>/dev/state.json`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getAddress, isAddress, type Address } from "viem";
import { z } from "zod";
import { REPO_ROOT } from "../../protocol/repoRoot.js";

/** `TWINPATH_HOME`, else `<repo>/.twinpath` (gitignored). */
export const defaultHome = (env: NodeJS.ProcessEnv = process.env): string => env.TWINPATH_HOME || join(REPO_ROOT, ".twinpath");
export const devDir = (home: string): string => join(home, "dev");
export const statePath = (home: string): string => join(devDir(home), "state.json");

const address = z.string().refine((s) => isAddress(s, { strict: false }), "not an address").transform((s) => getAddress(s) as Address);
const bigintString = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));

export const devProcessSchema = z.object({
  name: z.string(),
  pid: z.number().int().positive(),
  /** start time of the process (clock ticks since boot, Linux): checked with the pid before a signal is sent */
  startTime: z.string().optional(),
  argv: z.array(z.string()),
  log: z.string(),
  /** stopped last (workers first, then the explorer, Redis and the chain) */
  kind: z.enum(["chain", "ticker", "redis", "worker", "explorer"]),
});
export type DevProcess = z.infer<typeof devProcessSchema>;

export const devModelSchema = z.object({
  name: z.string(),
  modelId: bigintString,
  mode: z.string(),
  bundleDir: z.string(),
  manifestHash: z.string(),
  /** class names of the output, for decoding answers (demo models: the Iris classes) */
  labels: z.array(z.string()).optional(),
});
export type DevModel = z.infer<typeof devModelSchema>;

export const devStateSchema = z.object({
  version: z.literal(1),
  /** "starting" while dev up runs (the processes so far are recorded, so dev down can stop a half-started stack) */
  status: z.enum(["starting", "up"]),
  startedAt: z.string(),
  home: z.string(),
  rpcUrl: z.string(),
  chainId: z.number().int().positive(),
  redisUrl: z.string(),
  queuePrefix: z.string(),
  contracts: z.object({ inferenceHub: address, modelRegistry: address, nodeRegistry: address, attestationQuorum: address }).optional(),
  deployBlock: bigintString.optional(),
  /** the deployments file dev up wrote (removed again by dev down when unchanged) */
  deploymentFile: z.string().optional(),
  /** served to the workers: MODEL_STORE_DIR of the executors and BUNDLE_DIRS of provers and verification nodes */
  bundlesDir: z.string(),
  models: z.array(devModelSchema),
  nodes: z.object({ executors: z.array(address), provers: z.array(address), verifiers: z.array(address) }),
  explorerUrl: z.string().optional(),
  processes: z.array(devProcessSchema),
});
export type DevState = z.infer<typeof devStateSchema>;

export class DevStateError extends Error {
  override name = "DevStateError";
}

/** The stack's state, or undefined when no stack was started from this home. */
export function readDevState(home: string): DevState | undefined {
  const path = statePath(home);
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new DevStateError(`${path} is not JSON (${(err as Error).message}); remove it if no dev stack runs`);
  }
  const parsed = devStateSchema.safeParse(json);
  if (!parsed.success) throw new DevStateError(`${path} is not a dev stack state file: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

const serialise = (state: unknown) => JSON.stringify(state, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";

/** Writes the state atomically (a reader never sees half a file). */
export function writeDevState(state: DevState): void {
  const path = statePath(state.home);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, serialise(state));
  renameSync(tmp, path);
}

export function removeDevState(home: string): void {
  rmSync(statePath(home), { force: true });
}
