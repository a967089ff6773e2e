import { z } from "zod";
import type { Hex } from "viem";

/** Fields shared by the proof-path roles (prover, verifier node). */

/** One node key: 0x + 64 hex digits. */
export const privateKey = () =>
  z
    .string({ required_error: "required" })
    .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
    .transform((v) => v as Hex);

/** Comma-separated folders holding model bundles (a bundle folder, or a folder of bundle folders). */
export const dirList = () =>
  z
    .string({ required_error: "required" })
    .transform((v) => v.split(",").map((d) => d.trim()).filter(Boolean))
    .refine((dirs) => dirs.length > 0, "must list at least one folder");
