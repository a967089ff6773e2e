/**
 * Maps a model bundle's manifest.json (format "twinpath-bundle/1", written by compiler/) to the ModelRegistry's
 * `ModelSpec`. One function, reused by scripts/register-model.ts, the workers and the demo, so every path registers
 * a bundle the same way.
 *
 *   onnxHash     = files.onnx.keccak256
 *   settingsHash = files.settings.keccak256
 *   circuitHash  = files.compiled.keccak256
 *   vkHash       = files.vk.keccak256
 *   manifestHash = keccak256(manifest.json bytes, exactly as stored)
 *   shapes, scales from manifest.input / manifest.output
 *   inputLower, inputUpper, tolerance from manifest.admission (the compiler's admitted input domain and tolerance,
 *                compiler/domain.ts): never typed by hand; a larger tolerance may be asked for, never a smaller one
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { type Address, type Hex, getAddress, isAddress, keccak256, zeroAddress } from "viem";
import { z } from "zod";

/** Limits enforced by ModelRegistry (checked here too so a bad bundle fails before a transaction is sent). */
export const MAX_TENSOR_LENGTH = 4096;
export const MAX_RANK = 8;
export const MAX_SCALE = 24;

/** VerificationMode in contracts/types/Types.sol, by name. */
export const VerificationMode = { ZKML_ONCHAIN: 0, ZKML_ATTESTED: 1, OPTIMISTIC: 2 } as const;
export type VerificationModeName = keyof typeof VerificationMode;
export const verificationModeNames = Object.keys(VerificationMode) as [VerificationModeName, ...VerificationModeName[]];

/** A bad manifest or bad registration options; the message names the field and the value. */
export class BundleManifestError extends Error {
  override name = "BundleManifestError";
  constructor(
    message: string,
    readonly source: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${message}`, options);
  }
}

const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex keccak256");
const fileEntry = z.object({ path: z.string().min(1), keccak256: hash32, bytes: z.number().int().nonnegative() }).passthrough();
const tensor = z
  .object({
    shape: z.array(z.number().int().positive("dimensions must be > 0").max(0xffffffff)).min(1).max(MAX_RANK),
    scale: z.number().int().min(0).max(MAX_SCALE),
  })
  .passthrough()
  .refine((t) => tensorLength(t.shape) <= MAX_TENSOR_LENGTH, {
    message: `has more than ${MAX_TENSOR_LENGTH} elements`,
    path: ["shape"],
  });

const int64 = z.number().int().min(-(2 ** 53)).max(2 ** 53); // JSON numbers: exact integers only
/** manifest.admission (compiler/domain.ts). */
const admission = z
  .object({
    lower: z.array(int64).min(1),
    upper: z.array(int64).min(1),
    tolerance: z.number().int().nonnegative(),
  })
  .passthrough()
  .refine((a) => a.lower.length === a.upper.length, { message: "lower and upper differ in length", path: ["upper"] })
  .refine((a) => a.lower.every((l, i) => l <= a.upper[i]), { message: "has an element with lower > upper", path: ["lower"] });

/** The fields of manifest.json this mapping relies on; other fields are kept as they are. */
export const bundleManifestSchema = z
  .object({
    format: z.literal("twinpath-bundle/1"),
    name: z.string().min(1),
    files: z
      .object({ onnx: fileEntry, compiled: fileEntry, settings: fileEntry, vk: fileEntry })
      .catchall(fileEntry),
    input: tensor,
    output: tensor,
    admission: admission.optional(),
  })
  .passthrough()
  .refine((m) => !m.admission || m.admission.lower.length === 1 || m.admission.lower.length === tensorLength(m.input.shape), {
    message: "must have one bound per input element (or one for all)",
    path: ["admission", "lower"],
  });
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** The ModelRegistry.ModelSpec tuple as viem expects it. */
export interface ModelSpec {
  onnxHash: Hex;
  settingsHash: Hex;
  circuitHash: Hex;
  vkHash: Hex;
  manifestHash: Hex;
  inputShape: number[];
  outputShape: number[];
  inputScale: number;
  outputScale: number;
  mode: number;
  verifier: Address;
  price: bigint;
  tolerance: bigint;
  inputLower: bigint[];
  inputUpper: bigint[];
}

/** What the bundle does not say: how the model is verified and sold. */
export interface RegistrationOptions {
  mode: VerificationModeName;
  /** IProofVerifier address; required for ZKML_ONCHAIN and OPTIMISTIC, must be absent/zero for ZKML_ATTESTED. */
  verifier?: Address;
  price: bigint;
  /**
   * Max |fast - proven| per output element, in fixed-point units at the output scale. Defaults to the bundle's
   * (manifest.admission.tolerance); a smaller one is refused (it would slash honest executors).
   */
  tolerance?: bigint;
}

export interface LoadedManifest {
  manifest: BundleManifest;
  manifestHash: Hex;
  /** The folder the manifest's file paths are relative to. */
  dir: string;
}

/** Reads `<dir>/manifest.json`, validates it and hashes its exact bytes. */
export async function loadBundleManifest(dir: string): Promise<LoadedManifest> {
  const path = join(dir, "manifest.json");
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new BundleManifestError(`cannot read manifest.json (${(cause as Error).message})`, path, { cause });
  }
  return { ...parseBundleManifest(new Uint8Array(bytes), path), dir };
}

/** Validates manifest bytes and returns the manifest with its hash (keccak256 of the bytes as given). */
export function parseBundleManifest(bytes: Uint8Array, source = "manifest.json"): Omit<LoadedManifest, "dir"> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new BundleManifestError(`not valid JSON (${(cause as Error).message})`, source, { cause });
  }
  const parsed = bundleManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new BundleManifestError(`invalid bundle manifest: ${issues.join("; ")}`, source);
  }
  return { manifest: parsed.data, manifestHash: keccak256(bytes) };
}

/** The registry spec for a validated manifest plus the registration options. */
export function manifestToModelSpec(loaded: Pick<LoadedManifest, "manifest" | "manifestHash">, options: RegistrationOptions): ModelSpec {
  const { manifest, manifestHash } = loaded;
  const source = `bundle ${manifest.name}`;
  const mode = VerificationMode[options.mode];
  if (mode === undefined) {
    throw new BundleManifestError(`unknown verification mode ${String(options.mode)} (use ${verificationModeNames.join(", ")})`, source);
  }
  const verifier = options.verifier ?? zeroAddress;
  if (!isAddress(verifier, { strict: false })) throw new BundleManifestError(`verifier ${verifier} is not an address`, source);
  const needsVerifier = options.mode !== "ZKML_ATTESTED";
  if (needsVerifier && verifier === zeroAddress) {
    throw new BundleManifestError(`mode ${options.mode} needs a verifier contract address`, source);
  }
  if (!needsVerifier && verifier !== zeroAddress) {
    throw new BundleManifestError(`mode ZKML_ATTESTED takes no verifier contract (got ${verifier})`, source);
  }
  if (options.price < 0n) throw new BundleManifestError(`price ${options.price} is negative`, source);
  const domain = manifest.admission;
  if (!domain) {
    throw new BundleManifestError(
      "has no admission (input domain and tolerance): rebuild it with this compiler (npx twinpath build-model …) so the registry knows which inputs prove",
      source,
    );
  }
  const minimum = BigInt(domain.tolerance);
  const tolerance = options.tolerance ?? minimum;
  if (tolerance < minimum) {
    throw new BundleManifestError(`tolerance ${tolerance} is below the bundle's ${minimum}: honest executors would be slashed`, source);
  }
  return {
    onnxHash: manifest.files.onnx.keccak256 as Hex,
    settingsHash: manifest.files.settings.keccak256 as Hex,
    circuitHash: manifest.files.compiled.keccak256 as Hex,
    vkHash: manifest.files.vk.keccak256 as Hex,
    manifestHash,
    inputShape: [...manifest.input.shape],
    outputShape: [...manifest.output.shape],
    inputScale: manifest.input.scale,
    outputScale: manifest.output.scale,
    mode,
    verifier: getAddress(verifier),
    price: options.price,
    tolerance,
    inputLower: domain.lower.map(BigInt),
    inputUpper: domain.upper.map(BigInt),
  };
}

export function tensorLength(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
