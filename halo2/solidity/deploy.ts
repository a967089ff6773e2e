// Deploys a model's on-chain verifier with viem: the shared Halo2Verifier (or reuses one), the verifying-artifact
// data contracts, and the EzklReusableHalo2Adapter binding both. The adapter's address is the model's `verifier`.
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { encodeDeployData, type Abi, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import type { VerifierArtifacts } from "./generate.js";
import { dataContractInitcode, dataContractRuntime } from "./generate.js";

export class VerifierDeployError extends Error {
  constructor(message: string) {
    super(`verifier deployment: ${message}`);
    this.name = "VerifierDeployError";
  }
}

interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
  immutableReferences?: Record<string, { start: number; length: number }[]>;
}

/** Runtime code with every immutable slot zeroed (to compare deployed code with the compiled artifact). */
function maskImmutables(code: string, refs: CompiledContract["immutableReferences"]): string {
  let hex = code.toLowerCase().replace(/^0x/, "");
  for (const list of Object.values(refs ?? {})) {
    for (const { start, length } of list) hex = hex.slice(0, 2 * start) + "00".repeat(length) + hex.slice(2 * (start + length));
  }
  return hex;
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

const ADAPTER_ABI = [
  { type: "function", name: "reusableVerifier", stateMutability: "view", inputs: [], outputs: [{ type: "address" }] },
  { type: "function", name: "vka", stateMutability: "view", inputs: [], outputs: [{ type: "address" }] },
] as const;

/**
 * Audits a deployed model verifier against what the generator produces for the circuit: the adapter's verifier must
 * hold the compiled Halo2Verifier, its artifact (and every continuation chunk it lists) must hold exactly the
 * regenerated payload. Returns the problems found (empty = the deployment verifies exactly this circuit).
 */
export async function auditDeployedVerifier(publicClient: PublicClient, adapter: Address, gen: VerifierArtifacts): Promise<string[]> {
  const problems: string[] = [];
  const code = async (address: Address) => ((await publicClient.getCode({ address })) ?? "0x").toLowerCase();
  const adapterCode = await code(adapter);
  if (adapterCode === "0x") return [`no contract at adapter ${adapter}`];
  const compiledAdapter = compiledContract("EzklReusableHalo2Adapter");
  if (maskImmutables(adapterCode, compiledAdapter.immutableReferences) !== maskImmutables(compiledAdapter.deployedBytecode, compiledAdapter.immutableReferences)) {
    return [`${adapter} does not hold the compiled EzklReusableHalo2Adapter`];
  }
  let verifier: Address;
  let vka: Address;
  try {
    verifier = await publicClient.readContract({ address: adapter, abi: ADAPTER_ABI, functionName: "reusableVerifier" });
    vka = await publicClient.readContract({ address: adapter, abi: ADAPTER_ABI, functionName: "vka" });
  } catch (e) {
    return [`${adapter}: cannot read the adapter's bindings: ${(e as Error).message.split("\n")[0]}`];
  }
  if ((await code(verifier)) !== compiledContract("Halo2Verifier").deployedBytecode.toLowerCase()) {
    problems.push(`verifier ${verifier} does not hold the compiled Halo2Verifier`);
  }
  const extra = gen.chunks.extraChunkPayloads.length;
  const vkaCode = await code(vka);
  // The continuation addresses are part of chunk 0's header: read them back, then regenerate chunk 0 with them.
  const addresses: Address[] = [];
  for (let i = 0; i < extra; i++) {
    const at = 2 + 2 * (1 + 32 * (38 + i)) + 24; // hex offset of the address (low 20 bytes of the word)
    addresses.push(("0x" + vkaCode.slice(at, at + 40)) as Address);
  }
  let expectedFirst: string;
  try {
    expectedFirst = dataContractRuntime(gen.chunks.firstChunkPayload(addresses)).toLowerCase();
  } catch (e) {
    return [...problems, `artifact: ${(e as Error).message}`];
  }
  if (vkaCode !== expectedFirst) problems.push(`artifact ${vka} differs from the payload generated for this circuit`);
  for (const [i, payload] of gen.chunks.extraChunkPayloads.entries()) {
    if ((await code(addresses[i])) !== dataContractRuntime(payload).toLowerCase()) problems.push(`artifact continuation chunk ${i + 1} at ${addresses[i]} differs`);
  }
  return problems;
}
