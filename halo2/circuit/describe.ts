// describeCircuit: recover the full constraint system of an EZKL v21 circuit from its compiled circuit, settings,
// SRS and verifying key, by running genVk in a fresh process and reading the pinned-key text it hashed.
// Every description is checked (commitments vs VK bytes, VK length, digest present in engine memory, and the proof
// length when a proof or an input is given); a failed check throws CircuitCheckError naming the check.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleFilePath, readManifest } from "../../compiler/manifest.js";
import { toHex32 } from "../field.js";
import { buildCircuitDescription, CircuitCheckError, ENGINE_WASM_SHA256 } from "./build.js";
import { vkDigestOfPinnedText } from "./digest.js";
import { loadCircuitDescription } from "./load.js";
import type { CircuitDescription } from "./types.js";

export interface DescribeInputs {
  compiled: Uint8Array;
  /** settings.json bytes or the parsed object. */
  settings: Uint8Array | Record<string, unknown>;
  srs: Uint8Array;
  vk: Uint8Array;
  /** A real proof for this key (raw bytes or the engine's proof JSON), to check the predicted proof length. */
  proof?: Uint8Array | { proof: number[] } | string;
  /** An input JSON (engine format) to prove once in the fresh process, for the same check. */
  input?: unknown;
  timeoutMs?: number;
}

export class ScrapeError extends Error {
  constructor(message: string) {
    super(`pinned-key scrape: ${message}`);
    this.name = "ScrapeError";
  }
}

interface ScrapeCandidate {
  offset: number;
  prefixIntact: boolean;
  text: string;
  digest: string;
  digestMontgomeryHits: number;
}

interface ScrapeResult {
  vkHex: string;
  memoryBytes: number;
  candidates: ScrapeCandidate[];
  proof: string | null;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "scrape-child.mjs");

function wasmPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.resolve("@ezkljs/engine"))), "ezkl_bg.wasm");
}

/** The scrape depends on one engine build: refuse any other. */
export function assertPinnedEngine(): void {
  const sha = createHash("sha256").update(fs.readFileSync(wasmPath())).digest("hex");
  if (sha !== ENGINE_WASM_SHA256) throw new ScrapeError(`engine wasm sha256 is ${sha}, expected the pinned ${ENGINE_WASM_SHA256}`);
}

async function runChild(dir: string, timeoutMs: number): Promise<ScrapeResult> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new ScrapeError(`engine child exited with ${signal ?? code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
  return JSON.parse(fs.readFileSync(path.join(dir, "result.json"), "utf8")) as ScrapeResult;
}

function settingsObject(s: DescribeInputs["settings"]): Record<string, unknown> {
  if (s instanceof Uint8Array) return JSON.parse(Buffer.from(s).toString("utf8"));
  return s;
}

/** Public values per instance column, from settings (null when modules add instances we do not size). */
export function instanceCountsFromSettings(settings: Record<string, unknown>, numInstanceColumns: number): number[] | null {
  const shapes = settings.model_instance_shapes;
  if (!Array.isArray(shapes)) return null;
  const modules = settings.module_sizes as { polycommit?: unknown[]; poseidon?: [number, number[]] } | undefined;
  const moduleInstances = (modules?.poseidon?.[1] ?? []).reduce((a: number, b: number) => a + b, 0) + (modules?.polycommit?.length ?? 0);
  if (moduleInstances > 0) return null;
  const total = shapes.reduce((sum: number, shape: number[]) => sum + shape.reduce((p, d) => p * d, 1), 0);
  if (numInstanceColumns === 0) return total === 0 ? [] : null;
  return numInstanceColumns === 1 ? [total] : null;
}

export function proofBytesOf(p: NonNullable<DescribeInputs["proof"]>): Uint8Array {
  if (p instanceof Uint8Array) return p;
  const obj = typeof p === "string" ? JSON.parse(p) : p;
  if (!Array.isArray(obj.proof)) throw new ScrapeError("proof JSON has no proof byte array");
  return Uint8Array.from(obj.proof as number[]);
}

export async function describeCircuit(inputs: DescribeInputs): Promise<CircuitDescription> {
  assertPinnedEngine();
  if (inputs.vk.length < 7) throw new CircuitCheckError("vk-length", "verifying key is shorter than its header");
  const settings = settingsObject(inputs.settings);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "twinpath-halo2-"));
  try {
    fs.writeFileSync(path.join(dir, "compiled.bin"), inputs.compiled);
    fs.writeFileSync(path.join(dir, "srs.bin"), inputs.srs);
    const hasInput = inputs.input !== undefined;
    if (hasInput) fs.writeFileSync(path.join(dir, "input.json"), typeof inputs.input === "string" ? inputs.input : JSON.stringify(inputs.input));
    fs.writeFileSync(path.join(dir, "job.json"), JSON.stringify({ compress: inputs.vk[2] === 1, hasInput }));
    const res = await runChild(dir, inputs.timeoutMs ?? 300_000);

    if (res.candidates.length === 0) throw new ScrapeError("no PinnedVerificationKey text found in engine memory after genVk");
    const failures: string[] = [];
    let firstCheckError: CircuitCheckError | null = null;
    const realProofLength = inputs.proof !== undefined ? proofBytesOf(inputs.proof).length : res.proof ? proofBytesOf(res.proof).length : undefined;
    for (const c of res.candidates) {
      try {
        // Recompute the digest here, independently of the child, and require the child to have found it in memory.
        const digest = toHex32(vkDigestOfPinnedText(c.text));
        if (digest !== c.digest) throw new CircuitCheckError("digest", `candidate at ${c.offset}: child and parent digests differ`);
        const desc = buildCircuitDescription({
          pinnedText: c.text,
          vkBytes: inputs.vk,
          digestInEngineMemory: c.digestMontgomeryHits > 0,
          realProofLength,
          instanceCounts: null,
        });
        desc.instanceCounts = instanceCountsFromSettings(settings, desc.cs.numInstanceColumns);
        return desc;
      } catch (e) {
        if (e instanceof CircuitCheckError) firstCheckError ??= e;
        failures.push(`candidate at ${c.offset}: ${(e as Error).message}`);
      }
    }
    // Every candidate failed: surface the named check when there is one.
    if (firstCheckError) throw new CircuitCheckError(firstCheckError.check, `${firstCheckError.message} (all candidates: ${failures.join("; ")})`);
    throw new ScrapeError(`no candidate passed every check: ${failures.join("; ")}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface BundleFiles {
  compiled: string;
  settings: string;
  srs: string;
  vk: string;
}

/** File paths of a bundle: from manifest.json (twinpath-bundle/1) when present, else the conventional names. */
export function bundleFiles(dir: string): BundleFiles {
  const manifestPath = path.join(dir, "manifest.json");
  if (fs.existsSync(manifestPath)) {
    const { manifest } = readManifest(dir);
    const f = (k: keyof BundleFiles) => bundleFilePath(dir, manifest, k);
    return { compiled: f("compiled"), settings: f("settings"), srs: f("srs"), vk: f("vk") };
  }
  const first = (...names: string[]) => path.join(dir, names.find((n) => fs.existsSync(path.join(dir, n))) ?? names[0]);
  return {
    compiled: first("model.compiled"),
    settings: first("settings.json"),
    srs: first("srs.bin", "kzg.srs"),
    vk: first("vk.bin", "vk.key"),
  };
}

/**
 * Describes a bundle directory, caching the result as circuit.json next to it (or at `cache`; false disables it).
 * The cache is keyed by the VK bytes' sha256 and re-validated with loadCircuitDescription on load.
 */
export async function describeBundle(dir: string, opts: { input?: unknown; refresh?: boolean; cache?: string | false } = {}): Promise<CircuitDescription> {
  const files = bundleFiles(dir);
  const read = (f: string) => new Uint8Array(fs.readFileSync(f));
  const vk = read(files.vk);
  const cachePath = opts.cache === false ? null : (opts.cache ?? path.join(dir, "circuit.json"));
  const vkSha = createHash("sha256").update(vk).digest("hex");
  if (cachePath && !opts.refresh && fs.existsSync(cachePath)) {
    const cached = JSON.parse(fs.readFileSync(cachePath, "utf8"));
    if (cached?.vkSha256 === vkSha) return loadCircuitDescription(cached.description);
  }
  const desc = await describeCircuit({ compiled: read(files.compiled), settings: read(files.settings), srs: read(files.srs), vk, input: opts.input });
  if (cachePath) {
    const tmp = `${cachePath}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ vkSha256: vkSha, description: desc }));
    fs.renameSync(tmp, cachePath);
  }
  return desc;
}
