import { z } from "zod";
import type { Address, Hex } from "viem";

/** Reusable zod fields for environment variables (strings in, typed values out). */

export const url = (protocols: string[]) =>
  z
    .string({ required_error: "required" })
    .url("must be a URL")
    .refine((v) => protocols.some((p) => v.startsWith(`${p}://`)), `must start with ${protocols.map((p) => `${p}://`).join(" or ")}`);

export const address = () =>
  z
    .string({ required_error: "required" })
    .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address")
    .transform((v) => v as Address);

export const privateKeys = () =>
  z
    .string({ required_error: "required" })
    .transform((v) => v.split(",").map((k) => k.trim()).filter(Boolean))
    .refine((keys) => keys.length > 0, "must list at least one key")
    .refine((keys) => keys.every((k) => /^0x[0-9a-fA-F]{64}$/.test(k)), "every key must be 0x followed by 64 hex digits")
    .transform((keys) => keys as Hex[]);

export const int = (min: number, max: number, fallback?: number) => {
  const base = z.coerce
    .number({ invalid_type_error: "must be an integer" })
    .int("must be an integer")
    .min(min, `must be >= ${min}`)
    .max(max, `must be <= ${max}`);
  return fallback === undefined ? base : base.default(fallback);
};

export const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { errorMap: () => ({ message: "must be true or false" }) })
    .transform((v) => v === "true" || v === "1" || v === "yes")
    .default(fallback ? "true" : "false");

export const logLevel = () => z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

/** BullMQ forbids ':' in names we build keys from; keep prefixes simple. */
export const prefix = () => z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, '_', '.', '-' only").default("twinpath");
