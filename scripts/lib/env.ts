/**
 * Script options come from environment variables (Hardhat 3's `hardhat run` passes no CLI arguments to scripts).
 * Each script declares a zod schema; `parseEnv` reports every bad variable at once, by name.
 */
import { type Address, getAddress, isAddress } from "viem";
import { z } from "zod";

export class ScriptEnvError extends Error {
  override name = "ScriptEnvError";
  constructor(
    readonly script: string,
    readonly issues: { variable: string; message: string }[],
  ) {
    super(
      [`Invalid environment for ${script}:`, ...issues.map((i) => `  ${i.variable}: ${i.message}`)].join("\n"),
    );
  }
}

export function parseEnv<S extends z.ZodTypeAny>(script: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // Empty strings count as unset, so `VAR= npx hardhat run ...` falls back to the default.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(set);
  if (result.success) return result.data;
  throw new ScriptEnvError(
    script,
    result.error.issues.map((i) => ({ variable: String(i.path[0] ?? "(env)"), message: i.message })),
  );
}

/** Also applied per variable, for schemas used outside parseEnv. */
const unsetIfEmpty = (v: unknown) => (v === "" ? undefined : v);

export const envAddress = () =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine((s) => isAddress(s, { strict: false }), "must be a 0x-prefixed 20-byte address")
      .transform((s) => getAddress(s) as Address),
  );

/** A non-negative integer in decimal (wei, ids, fixed-point units). */
export const envUint = () =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d+$/, "must be a non-negative integer (decimal digits)")
      .transform((s) => BigInt(s)),
  );

export const envBool = () =>
  z.preprocess(
    unsetIfEmpty,
    z.enum(["1", "0", "true", "false"], { message: "must be 1, 0, true or false" }).transform((s) => s === "1" || s === "true"),
  );

export const envString = () => z.preprocess(unsetIfEmpty, z.string().min(1));

/** A JSON value in an env var; `inner` validates it after parsing. */
export const envJson = <T extends z.ZodTypeAny>(inner: T) =>
  z.preprocess(unsetIfEmpty, z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be valid JSON" });
      return z.NEVER;
    }
  }).pipe(inner));
