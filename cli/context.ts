/**
 * Where a command talks to: the chain, the deployment's addresses and the key that signs.
 *
 *   RPC URL     --rpc, else TWINPATH_RPC_URL, else the running `twinpath dev up` stack, else http://127.0.0.1:8545
 *   addresses   --deployment FILE, else deployments/<chainId>.json (TWINPATH_DEPLOYMENTS_DIR moves the folder;
 *               scripts/deploy.ts and `dev up` write it)
 *   key         --dev-account N: Hardhat's public test account N (local chain 31337 only); else the variable named by
 *               --key-var (default TWINPATH_PRIVATE_KEY) from the environment or the Hardhat keystore
 *               (`npx hardhat keystore set TWINPATH_PRIVATE_KEY`), as the hardhat scripts resolve theirs; on the local
 *               chain with neither, test account 0
 */
import hre from "hardhat";
import { configVariable } from "hardhat/config";
import { getAddress, isHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createTwinpathClient, type TwinpathClient } from "../client/index.js";
import { devKey } from "../devnet/hardhatNode.js";
import { defaultHome, readDevState, type DevState } from "../devnet/dev/state.js";
import { createChainClient, createSignerClient, type TwinpathPublicClient, type TwinpathWalletClient } from "../workers/chain/client.js";
import { DeploymentNotFoundError, readDeployment, readDeploymentFile } from "../scripts/lib/deployments.js";
import { CliError, CliUsageError } from "./errors.js";
import type { Output } from "./output.js";

export const LOCAL_CHAIN_ID = 31337;
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";
export const DEFAULT_KEY_VAR = "TWINPATH_PRIVATE_KEY";

/** Options every command takes (set on the root program). */
export interface GlobalOptions {
  rpc?: string;
  deployment?: string;
  keyVar?: string;
  devAccount?: number;
  home?: string;
  quiet?: boolean;
}

export interface Addresses {
  inferenceHub: Address;
  modelRegistry: Address;
  nodeRegistry: Address;
  attestationQuorum?: Address;
  /** where event scans start (the deployment block, when known) */
  fromBlock: bigint;
}

export interface Chain {
  rpcUrl: string;
  chainId: number;
  client: TwinpathPublicClient;
  /** the dev stack this RPC belongs to, when it is one */
  dev?: DevState;
}

export class CliContext {
  private chainPromise?: Promise<Chain>;

  constructor(
    readonly opts: GlobalOptions,
    readonly out: Output,
  ) {}

  get home(): string {
    return this.opts.home ?? defaultHome();
  }

  /** The state of the dev stack started from this home, if there is one. */
  devState(): DevState | undefined {
    return readDevState(this.home);
  }

  rpcUrl(): string {
    const dev = this.devState();
    return this.opts.rpc ?? process.env.TWINPATH_RPC_URL ?? (dev?.status === "up" ? dev.rpcUrl : undefined) ?? DEFAULT_RPC_URL;
  }

  /** Connects to the RPC (once) and checks that a chain answers. */
  chain(): Promise<Chain> {
    this.chainPromise ??= (async () => {
      const rpcUrl = this.rpcUrl();
      let chainId: number;
      try {
        chainId = await createChainClient({ rpcUrl, chainId: 1 }).getChainId();
      } catch {
        throw new CliError(`no chain answers at ${rpcUrl}: start the local stack with \`twinpath dev up\`, or pass --rpc <url> (or TWINPATH_RPC_URL)`);
      }
      const client = createChainClient({ rpcUrl, chainId, pollingIntervalMs: chainId === LOCAL_CHAIN_ID ? 100 : 2000, timeoutMs: 30_000 });
      const dev = this.devState();
      return { rpcUrl, chainId, client, dev: dev?.status === "up" && dev.rpcUrl === rpcUrl ? dev : undefined };
    })();
    return this.chainPromise;
  }

  /** The deployment's addresses on this chain. */
  async addresses(): Promise<Addresses> {
    const chain = await this.chain();
    if (chain.dev?.contracts) return { ...chain.dev.contracts, fromBlock: chain.dev.deployBlock ?? 0n };
    try {
      const d = this.opts.deployment ? await readDeploymentFile(this.opts.deployment) : await readDeployment(chain.chainId);
      if (d.chainId !== chain.chainId) throw new CliUsageError(`${this.opts.deployment ?? "the deployment file"} is for chain ${d.chainId}, the RPC ${chain.rpcUrl} is chain ${chain.chainId}`);
      const c = d.contracts;
      return { inferenceHub: c.inferenceHub, modelRegistry: c.modelRegistry, nodeRegistry: c.nodeRegistry, attestationQuorum: c.attestationQuorum, fromBlock: BigInt(d.deployBlock ?? 0) };
    } catch (err) {
      if (err instanceof DeploymentNotFoundError) throw new CliError(`${err.message}\n  On a local chain \`twinpath dev up\` deploys everything; elsewhere pass --deployment <file>.`);
      throw err;
    }
  }

  /** The client library bound to this deployment (with the signer when `withWallet`). */
  async twinpath(withWallet = false): Promise<TwinpathClient> {
    const [chain, a] = await Promise.all([this.chain(), this.addresses()]);
    return createTwinpathClient({
      publicClient: chain.client,
      walletClient: withWallet ? await this.wallet() : undefined,
      addresses: { hub: a.inferenceHub, modelRegistry: a.modelRegistry, nodeRegistry: a.nodeRegistry, attestationQuorum: a.attestationQuorum },
      fromBlock: a.fromBlock,
    });
  }

  /** Class labels of a model: given on the command line, else those the dev stack recorded for it (on its chain). */
  async labelsFor(modelId: bigint, given?: string[]): Promise<string[] | undefined> {
    if (given?.length) return given;
    return (await this.chain()).dev?.models.find((m) => m.modelId === modelId)?.labels;
  }

  /** The signer: see the module comment for the order. */
  async wallet(): Promise<TwinpathWalletClient> {
    const chain = await this.chain();
    const key = await this.privateKey(chain.chainId);
    return createSignerClient({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, pollingIntervalMs: chain.client.pollingInterval, timeoutMs: 30_000 }, key);
  }

  /** The address commands act for when none is given: the signer's. */
  async account(): Promise<Address> {
    const chain = await this.chain();
    return getAddress(privateKeyToAccount(await this.privateKey(chain.chainId)).address);
  }

  private keyPromise?: Promise<Hex>;

  private privateKey(chainId: number): Promise<Hex> {
    this.keyPromise ??= this.resolveKey(chainId);
    return this.keyPromise;
  }

  private async resolveKey(chainId: number): Promise<Hex> {
    const { devAccount, keyVar } = this.opts;
    if (devAccount !== undefined) {
      if (chainId !== LOCAL_CHAIN_ID) throw new CliUsageError(`--dev-account uses Hardhat's public test accounts: only on a local chain (${LOCAL_CHAIN_ID}), this is chain ${chainId}`);
      return devKey(devAccount);
    }
    const name = keyVar ?? DEFAULT_KEY_VAR;
    const value = process.env[name] ?? (await keystoreValue(name));
    if (value !== undefined) {
      const key = (value.startsWith("0x") ? value : `0x${value}`) as Hex;
      if (!isHex(key) || key.length !== 66) throw new CliUsageError(`${name} is not a private key (32 bytes of hex)`);
      return key;
    }
    if (chainId === LOCAL_CHAIN_ID && keyVar === undefined) {
      this.out.note(`signing with Hardhat test account #0 (local chain; set ${DEFAULT_KEY_VAR} or pass --dev-account N for another)`);
      return devKey(0);
    }
    throw new CliUsageError(
      `no key to sign with: set ${name} in the environment or the Hardhat keystore (\`npx hardhat keystore set ${name}\`)` +
        (chainId === LOCAL_CHAIN_ID ? ", or pass --dev-account N (a Hardhat test account)" : ""),
    );
  }
}

/** A value from the Hardhat keystore (it asks for the keystore's password on a terminal); undefined when absent. */
async function keystoreValue(name: string): Promise<string | undefined> {
  try {
    return await hre.hooks.runHandlerChain("configurationVariables", "fetchValue", [configVariable(name)], async () => {
      throw new KeyMissing();
    });
  } catch (err) {
    if (err instanceof KeyMissing) return undefined;
    throw err;
  }
}

class KeyMissing extends Error {}
