import { z } from "zod";
import type { Hex } from "viem";
import { ConfigError } from "../shared/errors.js";

/** Fields shared by the proof-path roles (prover, verifier node). */

/** Comma-separated folders holding model bundles (a bundle folder, or a folder of bundle folders). */
export const dirList = () =>
  z
    .string({ required_error: "required" })
    .transform((v) => v.split(",").map((d) => d.trim()).filter(Boolean))
    .refine((dirs) => dirs.length > 0, "must list at least one folder");

/**
 * A node key variable may list several keys (comma-separated) so one pm2 app can run several nodes: instance i
 * (NODE_APP_INSTANCE) takes key i.
 */
export function pickInstanceKey(role: string, variable: string, keys: readonly Hex[], env: NodeJS.ProcessEnv): Hex {
  const instance = Number(env.NODE_APP_INSTANCE ?? "0");
  const key = Number.isInteger(instance) && instance >= 0 ? keys[instance] : undefined;
  if (!key) {
    throw new ConfigError(role, [{ variable, message: `instance ${env.NODE_APP_INSTANCE} has no key: ${keys.length} key(s) listed, one per instance needed (given value hidden)` }]);
  }
  return key;
}
