import { z } from "zod";
import type { Hex } from "viem";
import { ConfigError } from "../shared/errors.js";
import { int } from "./fields.js";

/** Fields shared by the proof-path roles (prover, verifier node). */

/**
 * Bounds of the proof path's event lookups (a request's InferenceRequested input, a ResultSubmitted output): pages of
 * PROOF_LOG_PAGE_SIZE blocks backwards from the head, at most PROOF_LOG_MAX_LOOKBACK blocks deep, so RPC providers
 * that cap eth_getLogs ranges accept them.
 */
export const logLookupShape = {
  PROOF_LOG_PAGE_SIZE: int(1, 1_000_000, 5_000),
  PROOF_LOG_MAX_LOOKBACK: int(1, Number.MAX_SAFE_INTEGER, 1_000_000),
};

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
