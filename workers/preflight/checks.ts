/**
 * The start-up checks of the roles (workers/<role>/main.ts), each refusing to start with a ConfigError (exit code
 * 78, each variable named with what is wrong and what to do) or warning when the process can still do useful work:
 *
 *   chain       the RPC answers for CHAIN_ID (retried with backoff while unreachable)
 *   addresses   HUB_ADDRESS is an InferenceHub, MODEL_REGISTRY_ADDRESS is that hub's registry; for verification
 *               nodes, the hub's AttestationQuorum serves it (contracts.ts)
 *   keys        node keys are staked and eligible for their role (stake.ts): none eligible refuses, some warns
 *   bundles     BUNDLE_DIRS usable, proving keys present or derived (bundles.ts)
 *
 * The Redis durability check runs for every role in shared/runRole.ts (preflight/redis.ts).
 */
import type { Address } from "viem";
import { assertChainId, type TwinpathPublicClient } from "../chain/client.js";
import { ConfigError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { maskUrl } from "../shared/redact.js";
import { retryStartup } from "../shared/runMain.js";
import { checkBundleDirs, type BundleDirsOptions } from "./bundles.js";
import { checkProtocolAddresses, type ProtocolAddresses } from "./contracts.js";
import { checkNodeKeys, type NodeRole } from "./stake.js";

export interface ChainConfig {
  RPC_URL: string;
  CHAIN_ID: number;
  HUB_ADDRESS: Address;
  MODEL_REGISTRY_ADDRESS?: Address;
}

/**
 * The RPC is on CHAIN_ID and the configured addresses are the protocol's contracts; returns the hub's registries and
 * quorum. `quorum`: the role votes, so the hub's AttestationQuorum must be wired to it.
 */
export async function checkChainAndAddresses(role: string, client: TwinpathPublicClient, config: ChainConfig, options: { quorum?: boolean } = {}): Promise<ProtocolAddresses> {
  await retryStartup(() => assertChainId(client, config.CHAIN_ID));
  const where = `chain ${config.CHAIN_ID} (RPC_URL ${maskUrl(config.RPC_URL)})`;
  const configured = { hub: config.HUB_ADDRESS, modelRegistry: config.MODEL_REGISTRY_ADDRESS, quorum: options.quorum };
  const { addresses, problems } = await retryChain(() => checkProtocolAddresses(client, configured, where));
  if (problems.length || !addresses) throw new ConfigError(role, problems);
  return addresses;
}

/**
 * Node keys of `nodeRole` (the sender's executor keys, a prover's or verification node's key): refuses to start
 * when none is eligible, warns for each one that is not; returns the eligible ones.
 */
export async function checkKeysEligible(
  role: string,
  client: TwinpathPublicClient,
  nodeRegistry: Address,
  nodeRole: NodeRole,
  variable: string,
  addresses: readonly Address[],
  logger: Logger,
): Promise<Address[]> {
  const { eligible, problems } = await retryChain(() => checkNodeKeys(client, nodeRegistry, nodeRole, addresses));
  if (eligible.length === 0) throw new ConfigError(role, problems.map((message) => ({ variable, message })));
  for (const message of problems) logger.warn({ variable }, `${variable}: ${message} (this process goes on with its eligible keys)`);
  return eligible;
}

/** BUNDLE_DIRS usable (and proving keys present or derived, for provers); returns the folders to index. */
export function checkBundles(role: string, dirs: readonly string[], options: BundleDirsOptions, logger: Logger): string[] {
  const derived: string[] = [];
  const check = checkBundleDirs(dirs, {
    ...options,
    onDerive: (dir) => {
      derived.push(dir);
      logger.info({ bundle: dir, into: options.keyCacheDir }, `bundle ${dir} has no pk.key: deriving its proving key (once; kept in ${options.keyCacheDir})`);
    },
  });
  if (check.problems.length) throw new ConfigError(role, check.problems);
  for (const w of check.warnings) logger.warn({ variable: options.variable }, `${options.variable}: ${w}`);
  for (const b of check.bundles) {
    if (b.key?.source === "derived") logger.info({ bundle: b.dir, manifestHash: b.manifestHash, into: b.key.dir, ms: b.key.ms }, "proving key derived");
  }
  return check.roots;
}

/** A read during start-up: retried like first contact when the RPC drops in between. */
const retryChain = <T>(fn: () => Promise<T>): Promise<T> => retryStartup(fn, 8);
