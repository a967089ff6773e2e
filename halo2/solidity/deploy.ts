// Deploys a model's on-chain verifier with viem: the shared Halo2Verifier (or reuses one), the verifying-artifact
// data contracts, and the EzklReusableHalo2Adapter binding both. The adapter's address is the model's `verifier`.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi, Address, Hex, PublicClient, WalletClient } from "viem";
import type { VerifierArtifacts } from "./generate.js";
import { dataContractInitcode, dataContractRuntime } from "./generate.js";

export class VerifierDeployError extends Error {
  constructor(message: string) {
    super(`verifier deployment: ${message}`);
    this.name = "VerifierDeployError";
  }
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
}

/** Hardhat's compiled artifact of a contract (run `npx hardhat build` first). */
export function compiledContract(name: "Halo2Verifier" | "EzklReusableHalo2Adapter"): CompiledContract {
  const rel = name === "Halo2Verifier" ? "contracts/verifiers/halo2/Halo2Verifier.sol/Halo2Verifier.json" : "contracts/verifiers/EzklReusableHalo2Adapter.sol/EzklReusableHalo2Adapter.json";
  const file = path.join(REPO_ROOT, "artifacts", rel);
  if (!fs.existsSync(file)) throw new VerifierDeployError(`${file} is missing: run \`npx hardhat build\``);
  return JSON.parse(fs.readFileSync(file, "utf8")) as CompiledContract;
}

export interface DeployedVerifier {
  /** Shared circuit-independent verifier. */
  verifier: Address;
  /** Chunk 0 of the verifying artifact (the address the adapter binds). */
  vka: Address;
  /** Continuation chunks (usually none). */
  extraChunks: Address[];
  /** EzklReusableHalo2Adapter: register this as the model's verifier (TWINPATH_VERIFIER). */
  adapter: Address;
  gasUsed: bigint;
}

export interface DeployClients {
  walletClient: WalletClient;
  publicClient: PublicClient;
}

async function deployRaw(c: DeployClients, data: Hex, what: string): Promise<{ address: Address; gas: bigint }> {
  const account = c.walletClient.account;
  if (!account) throw new VerifierDeployError("the wallet client has no account");
  const hash = await c.walletClient.sendTransaction({ account, chain: c.walletClient.chain, data });
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) throw new VerifierDeployError(`${what}: deployment ${hash} failed`);
  return { address: receipt.contractAddress, gas: receipt.gasUsed };
}

async function deployCompiled(c: DeployClients, name: "Halo2Verifier" | "EzklReusableHalo2Adapter", args: Address[]): Promise<{ address: Address; gas: bigint }> {
  const { encodeDeployData } = await import("viem");
  const cc = compiledContract(name);
  return deployRaw(c, encodeDeployData({ abi: cc.abi, bytecode: cc.bytecode, args }), name);
}

async function expectCode(c: DeployClients, address: Address, expected: Hex, what: string): Promise<void> {
  const code = await c.publicClient.getCode({ address });
  if ((code ?? "0x").toLowerCase() !== expected.toLowerCase()) throw new VerifierDeployError(`${what} at ${address} does not hold the expected code`);
}

/**
 * Deploys (or reuses `opts.verifier`) the Halo2Verifier, the artifact chunks and the adapter; checks every deployed
 * code against what was generated.
 */
export async function deployVerifierArtifacts(c: DeployClients, gen: VerifierArtifacts, opts: { verifier?: Address } = {}): Promise<DeployedVerifier> {
  let gasUsed = 0n;
  let verifier = opts.verifier;
  if (verifier) {
    await expectCode(c, verifier, compiledContract("Halo2Verifier").deployedBytecode, "Halo2Verifier");
  } else {
    const d = await deployCompiled(c, "Halo2Verifier", []);
    verifier = d.address;
    gasUsed += d.gas;
  }
  const extraChunks: Address[] = [];
  for (const [i, payload] of gen.chunks.extraChunkPayloads.entries()) {
    const d = await deployRaw(c, dataContractInitcode(payload), `artifact chunk ${i + 1}`);
    await expectCode(c, d.address, dataContractRuntime(payload), `artifact chunk ${i + 1}`);
    extraChunks.push(d.address);
    gasUsed += d.gas;
  }
  const first = gen.chunks.firstChunkPayload(extraChunks);
  const vkaDeploy = await deployRaw(c, dataContractInitcode(first), "artifact chunk 0");
  await expectCode(c, vkaDeploy.address, dataContractRuntime(first), "artifact chunk 0");
  gasUsed += vkaDeploy.gas;
  const adapter = await deployCompiled(c, "EzklReusableHalo2Adapter", [verifier, vkaDeploy.address]);
  gasUsed += adapter.gas;
  return { verifier, vka: vkaDeploy.address, extraChunks, adapter: adapter.address, gasUsed };
}
