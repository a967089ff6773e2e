/**
 * The bundle manifest's format ("twinpath-bundle/1", written by compiler/bundle.ts): its schema, errors and the parser
 * of manifest bytes. No file system and no Node module here, so every room, browsers included (the client library
 * checks bundles it fetched), parses manifests with the same checks; compiler/manifest.ts adds reading a directory.
 */
import { keccak256, type Hex } from "viem";
import { z } from "zod";

export const BUNDLE_FORMAT = "twinpath-bundle/1";
/** The files of a bundle and the names the compiler gives them. */
export const FILE_NAMES = {
  onnx: "model.onnx",
  compiled: "model.compiled",
  settings: "settings.json",
  srs: "kzg.srs",
  vk: "vk.key",
  pk: "pk.key",
} as const;
export type BundleFileKey = keyof typeof FILE_NAMES;

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

/** manifest.json is unreadable or invalid; the message names the file and every bad field. */
export class BundleManifestError extends BundleError {
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(`${source}: ${message}`);
    this.name = "BundleManifestError";
  }
}

/** True for a path that stays inside the folder it is relative to: relative on POSIX and on Windows (no leading `/`
 * or `\`, no drive letter) and without `..` segments. Written without path modules, so browsers check manifests too. */
export const isInsidePath = (p: string): boolean => p.length > 0 && !/^([\\/]|[A-Za-z]:)/.test(p) && !p.split(/[\\/]/).includes("..");

const hash32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex keccak256")
  .transform((h) => h as Hex);
const fileEntry = z
  .object({
    path: z.string().min(1).refine(isInsidePath, "path must stay inside the bundle (relative, no '..')"),
    keccak256: hash32,
    bytes: z.number().int().nonnegative(),
  })
  .passthrough();
const tensor = z
  .object({ shape: z.array(z.number().int().positive("dimensions must be > 0").max(0xffffffff)).min(1), scale: z.number().int() })
  .passthrough();

/** The compiler's accuracy report (max |circuit - onnxruntime| over the calibration samples). */
const accuracy = z
  .object({ samples: z.number(), maxAbsError: z.number(), meanAbsError: z.number(), argmaxAgreement: z.number(), outputStep: z.number() })
  .passthrough();

/**
 * What the registry admits (compiler/domain.ts): per input element the fixed-point bounds in which every input proves,
 * and the tolerance a fast result may differ from the proven one by (0: the executor returns the circuit's witness).
 */
const int53 = z.number().int().min(-(2 ** 53)).max(2 ** 53);
const admission = z
  .object({ lower: z.array(int53).min(1), upper: z.array(int53).min(1), tolerance: z.number().int().nonnegative() })
  .passthrough()
  .refine((a) => a.lower.length === a.upper.length, { message: "lower and upper differ in length", path: ["upper"] })
  .refine((a) => a.lower.every((l, i) => l <= a.upper[i]), { message: "has an element with lower > upper", path: ["lower"] });

/** Where the bundle's SRS came from (a development SRS is insecure: whoever made it knows tau). */
const srsInfo = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("dev-insecure"), k: z.number(), warning: z.string(), seeded: z.boolean() }).passthrough(),
  z.object({ kind: z.literal("ceremony"), k: z.number(), sourceK: z.number(), sourceKeccak256: hash32 }).passthrough(),
]);

/** What every reader relies on: format, name, the four registered files (others allowed), input and output. */
export const manifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    name: z.string().min(1),
    files: z.object({ onnx: fileEntry, compiled: fileEntry, settings: fileEntry, vk: fileEntry }).catchall(fileEntry),
    input: tensor,
    output: tensor,
    accuracy: accuracy.optional(),
    srsInfo: srsInfo.optional(),
    admission: admission.optional(),
    /** slots per proof (compiler/batch.ts); absent = 1. `input`, `output` and `admission` are one slot's */
    batch: z.number().int().min(1).max(64).optional(),
  })
  .passthrough();
export type ManifestFields = z.infer<typeof manifestSchema>;

/** A complete bundle as buildBundle writes it (loadBundle and verify-bundle need every field). */
export const completeManifestSchema = manifestSchema.extend({
  engine: z.string(),
  files: z.object({ onnx: fileEntry, compiled: fileEntry, settings: fileEntry, srs: fileEntry, vk: fileEntry, pk: fileEntry }).catchall(fileEntry),
  input: tensor.extend({ name: z.string(), visibility: z.literal("Public") }),
  output: tensor.extend({ name: z.string(), visibility: z.literal("Public") }),
  logrows: z.number().int().min(1).max(28),
  paramVisibility: z.literal("Fixed"),
  compressSelectors: z.literal(true),
  ops: z.object({ onnx: z.array(z.string()), circuit: z.array(z.string()) }).passthrough(),
  calibration: z
    .object({
      samples: z.number(),
      decompBase: z.number(),
      decompLegs: z.number(),
      lookupRange: z.tuple([z.number(), z.number()]),
      totalAssignments: z.number(),
      maxAbsFixedPoint: z.number(),
      worstNode: z.string(),
    })
    .passthrough(),
  accuracy,
  srsInfo,
  exampleInput: z.array(z.number()),
  /** each model input / output (shape, scale, datum); `input`/`output` are their concatenation (the hub's vectors) */
  inputs: z.array(tensor.extend({ name: z.string(), visibility: z.literal("Public"), datum: z.enum(["Int", "Bool"]).optional() })).min(1).optional(),
  outputs: z.array(tensor.extend({ name: z.string(), visibility: z.literal("Public") })).min(1).optional(),
  /** float and circuit accuracy on labelled held-back rows (task models) */
  evaluation: z.object({ dataset: z.string(), rows: z.number(), floatAccuracy: z.number(), circuitAccuracy: z.number() }).passthrough().optional(),
});

export interface ReadManifest<M = ManifestFields> {
  manifest: M;
  /** keccak256 of manifest.json's bytes exactly as stored (what the registry records) */
  manifestHash: Hex;
}

export interface Issue {
  path: string;
  message: string;
}

/** The error for a list of bad fields: "invalid manifest at '<first>': <path>: <message>; ...". */
export function manifestIssuesError(issues: readonly Issue[], source: string): BundleManifestError {
  const list = issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
  return new BundleManifestError(`invalid manifest at '${issues[0]?.path ?? ""}': ${list}`, source);
}

/** Validates manifest bytes (`complete` for a whole compiler bundle) and hashes them. */
export function parseManifest(bytes: Uint8Array, source: string, options: { complete: true }): ReadManifest<z.infer<typeof completeManifestSchema>>;
export function parseManifest(bytes: Uint8Array, source?: string, options?: { complete?: boolean }): ReadManifest;
export function parseManifest(bytes: Uint8Array, source = "manifest.json", options: { complete?: boolean } = {}): ReadManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new BundleManifestError(`not valid JSON (${(cause as Error).message})`, source);
  }
  const parsed = (options.complete ? completeManifestSchema : manifestSchema).safeParse(json);
  if (!parsed.success) throw manifestIssuesError(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })), source);
  // The JSON as stored, not zod's copy (which reorders keys): re-serialising it must give the same bytes and hash.
  return { manifest: json as ManifestFields, manifestHash: keccak256(bytes) };
}
