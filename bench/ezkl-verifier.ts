/**
 * EZKL's own Solidity verifiers as a gas anchor next to the project's reusable Halo2 verifier (in-process Hardhat
 * network, deterministic gas). Per demo model, the same engine proof is verified by:
 *
 * - the project's verifier: the shared `Halo2Verifier` (deployed once per chain) reading the model's verifying
 *   artifact (data contracts), through `EzklReusableHalo2Adapter` (what the hub calls) and directly;
 * - EZKL's per-model verifier (`create_evm_verifier`, reusable = false): one generated contract per model;
 * - EZKL's reusable verifier (`create_evm_verifier`, reusable = true) with the model's `create_evm_vka` artifact.
 *
 * The EZKL sources come from native EZKL (ezkl==21.0.0). EZKL writes them and then downloads solc (svm, from
 * binaries.soliditylang.org) to make an ABI; it cannot use a local solc for that step, and the download is not
 * reachable here, so the sources are compiled with the project's npm solc (0.8.28, optimizer 200 runs).
 *
 *   node --import tsx bench/ezkl-verifier.ts [--models iris-mlp,iris-cnn,iris-deep]
 *
 * Prints a table and writes bench/results/ezkl-verifier.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { network } from "hardhat";
import { encodeDeployData, encodeFunctionData, type Abi, type Address, type Hex } from "viem";
import { CONTRACT_SIZE_LIMIT, generateVerifierArtifacts } from "../halo2/solidity/generate.js";
import { compiledContract, deployVerifierArtifacts } from "../halo2/solidity/deploy.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";
import { NativeChild } from "../workers/proofs/native/child.js";
import { hex, loadModelCase, SKIP_MODELS } from "../testkit/halo2/corpus.js";

const { values } = parseArgs({ options: { models: { type: "string", default: "iris-mlp,iris-cnn,iris-deep" } } });
const MODELS = values.models!.split(",").map((m) => m.trim());
const PYTHON = process.env.PROVER_PYTHON?.trim() || "python3";
if (SKIP_MODELS) throw new Error(`bench/ezkl-verifier: ${SKIP_MODELS}`);

const require = createRequire(import.meta.url);
const solc = require("solc");

/** Compiles one generated source with the project's solc; returns the ABI and bytecodes of `contract`. */
function compileSol(source: string, contract: string): { abi: Abi; bytecode: Hex; runtimeBytes: number } {
  const input = {
    language: "Solidity",
    sources: { "Generated.sol": { content: source } },
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  if (errors.length) throw new Error(`solc: ${errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n")}`);
  const c = out.contracts["Generated.sol"][contract];
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, runtimeBytes: c.evm.deployedBytecode.object.length / 2 };
}

const { viem } = await network.create({ override: { allowUnlimitedContractSize: true } });
const publicClient = await viem.getPublicClient();
const [wallet] = await viem.getWalletClients();
const clients = { walletClient: wallet as never, publicClient: publicClient as never };

async function deploy(bytecode: Hex, abi: Abi = [], args: unknown[] = []): Promise<{ address: Address; gas: bigint }> {
  const hash = await wallet.sendTransaction({ data: encodeDeployData({ abi, bytecode, args }) });
  const r = await publicClient.waitForTransactionReceipt({ hash });
  if (r.status !== "success" || !r.contractAddress) throw new Error(`deployment ${hash} failed`);
  return { address: r.contractAddress, gas: r.gasUsed };
}
/** Gas of a transaction calling `to` with `data` (intrinsic + calldata + execution), and the call's boolean result. */
async function verifyCall(to: Address, abi: Abi, fn: string, args: unknown[]): Promise<{ gas: number; valid: boolean }> {
  const data = encodeFunctionData({ abi, functionName: fn, args });
  const gas = await publicClient.estimateGas({ to, data, account: wallet.account });
  const res = await publicClient.call({ to, data });
  return { gas: Number(gas), valid: BigInt(res.data ?? "0x0") === 1n };
}
async function rejects(to: Address, abi: Abi, fn: string, args: unknown[]): Promise<boolean> {
  try {
    const res = await publicClient.call({ to, data: encodeFunctionData({ abi, functionName: fn, args }) });
    return BigInt(res.data ?? "0x0") !== 1n;
  } catch {
    return true; // EZKL's verifiers revert on an invalid proof
  }
}

interface Row {
  model: string;
  proofBytes: number;
  instances: number;
  project: { verifyGasAdapter: number; verifyGasDirect: number; perModelDeployGas: number; sharedVerifierBytes: number; artifactBytes: number };
  ezklSingle: { verifyGas: number; deployGas: number; runtimeBytes: number; overEip170: boolean } | { error: string };
  ezklReusable: { verifyGas: number; perModelDeployGas: number; verifierBytes: number; vkaBytes: number } | { error: string };
  ratio: { singleVsProject: number | null; reusableVsProject: number | null };
}

const ezkl = await NativeChild.start({ python: PYTHON }).catch((e: Error) => {
  console.error(`native EZKL is needed for EZKL's verifiers: ${e.message}`);
  process.exit(1);
});
const scratch = mkdtempSync(join(tmpdir(), "twinpath-ezkl-verifier-"));
let sharedVerifier: Address | undefined;
let ezklReusableVerifier: { address: Address; abi: Abi; bytes: number } | undefined;
const rows: Row[] = [];
try {
  for (const name of MODELS) {
    process.stderr.write(`${name}…\n`);
    const c = await loadModelCase(name);
    const files = { vk: join(c.dir, "vk.key"), settings: join(c.dir, "settings.json"), srs: join(c.dir, "kzg.srs") };
    const bad = c.proof.slice();
    bad[200] ^= 1;

    // The project's verifier.
    const gen = generateVerifierArtifacts(c.desc, c.srs);
    sharedVerifier ??= (await deploy(compiledContract("Halo2Verifier").bytecode)).address;
    const d = await deployVerifierArtifacts(clients, gen, { verifier: sharedVerifier });
    const perModelDeployGas = Number(d.gasUsed); // artifact chunks + adapter (the shared verifier is deployed once)
    const adapterAbi = compiledContract("EzklReusableHalo2Adapter").abi as Abi;
    const verifierAbi = compiledContract("Halo2Verifier").abi as Abi;
    const viaAdapter = await verifyCall(d.adapter, adapterAbi, "verifyProof", [hex(c.proof), c.instances]);
    const direct = await verifyCall(d.verifier, verifierAbi, "verifyProof", [d.vka, hex(c.proof), c.instances]);
    if (!viaAdapter.valid || !direct.valid || !(await rejects(d.adapter, adapterAbi, "verifyProof", [hex(bad), c.instances]))) throw new Error(`${name}: the project's verifier disagrees`);
    const project = {
      verifyGasAdapter: viaAdapter.gas,
      verifyGasDirect: direct.gas,
      perModelDeployGas,
      sharedVerifierBytes: (compiledContract("Halo2Verifier").deployedBytecode.length - 2) / 2,
      artifactBytes: gen.chunks.extraChunkPayloads.reduce((s, p) => s + p.length, 0) + gen.chunks.firstChunkPayload([]).length,
    };

    // EZKL's per-model verifier.
    let ezklSingle: Row["ezklSingle"];
    try {
      const sol = join(scratch, `${name}.single.sol`);
      const r = await ezkl.call<{ written: boolean; error: string | null }>("evmVerifier", { ...files, sol, abi: join(scratch, `${name}.single.abi`), reusable: false });
      if (!r.written) throw new Error(r.error ?? "no source written");
      const cc = compileSol(readFileSync(sol, "utf8"), "Halo2Verifier");
      const dep = await deploy(cc.bytecode);
      const v = await verifyCall(dep.address, cc.abi, "verifyProof", [hex(c.proof), c.instances]);
      if (!v.valid || !(await rejects(dep.address, cc.abi, "verifyProof", [hex(bad), c.instances]))) throw new Error("EZKL's verifier disagrees on the proof");
      ezklSingle = { verifyGas: v.gas, deployGas: Number(dep.gas), runtimeBytes: cc.runtimeBytes, overEip170: cc.runtimeBytes > CONTRACT_SIZE_LIMIT };
    } catch (e) {
      ezklSingle = { error: (e as Error).message.split("\n")[0] };
    }

    // EZKL's reusable verifier + the model's verifying-key artifact.
    let ezklReusable: Row["ezklReusable"];
    try {
      if (!ezklReusableVerifier) {
        const sol = join(scratch, "reusable.sol");
        const r = await ezkl.call<{ written: boolean; error: string | null }>("evmVerifier", { ...files, sol, abi: join(scratch, "reusable.abi"), reusable: true });
        if (!r.written) throw new Error(r.error ?? "no source written");
        const cc = compileSol(readFileSync(sol, "utf8"), "Halo2VerifierReusable");
        ezklReusableVerifier = { address: (await deploy(cc.bytecode)).address, abi: cc.abi, bytes: cc.runtimeBytes };
      }
      const vkaSol = join(scratch, `${name}.vka.sol`);
      const r = await ezkl.call<{ written: boolean; error: string | null }>("evmVka", { ...files, sol: vkaSol, abi: join(scratch, `${name}.vka.abi`) });
      if (!r.written || !existsSync(vkaSol)) throw new Error(r.error ?? "no VKA source written");
      const vka = compileSol(readFileSync(vkaSol, "utf8"), "Halo2VerifyingArtifact");
      const dep = await deploy(vka.bytecode);
      const v = await verifyCall(ezklReusableVerifier.address, ezklReusableVerifier.abi, "verifyProof", [dep.address, hex(c.proof), c.instances]);
      if (!v.valid) throw new Error("EZKL's reusable verifier rejects the proof");
      ezklReusable = { verifyGas: v.gas, perModelDeployGas: Number(dep.gas), verifierBytes: ezklReusableVerifier.bytes, vkaBytes: vka.runtimeBytes };
    } catch (e) {
      ezklReusable = { error: (e as Error).message.split("\n")[0] };
    }
    const ratio = (x: { verifyGas: number } | { error: string }) => ("error" in x ? null : Number((project.verifyGasAdapter / x.verifyGas).toPrecision(3)));
    rows.push({ model: name, proofBytes: c.proof.length, instances: c.instances.length, project, ezklSingle, ezklReusable, ratio: { singleVsProject: ratio(ezklSingle), reusableVsProject: ratio(ezklReusable) } });
  }
} finally {
  await ezkl.close();
  rmSync(scratch, { recursive: true, force: true });
}

const cell = (x: { error: string } | object, f: (v: never) => string) => ("error" in x ? `failed: ${(x as { error: string }).error.slice(0, 50)}` : f(x as never));
const head = ["model", "project verify gas (adapter/direct)", "per-model deploy gas", "EZKL single: verify gas, deploy gas, size", "EZKL reusable: verify gas, VKA deploy gas", "project/EZKL gas"];
const body = rows.map((r) => [
  r.model,
  `${r.project.verifyGasAdapter}/${r.project.verifyGasDirect}`,
  `${r.project.perModelDeployGas} (artifact ${r.project.artifactBytes} B)`,
  cell(r.ezklSingle, (v: { verifyGas: number; deployGas: number; runtimeBytes: number; overEip170: boolean }) => `${v.verifyGas}, ${v.deployGas}, ${v.runtimeBytes} B${v.overEip170 ? " (> EIP-170)" : ""}`),
  cell(r.ezklReusable, (v: { verifyGas: number; perModelDeployGas: number }) => `${v.verifyGas}, ${v.perModelDeployGas}`),
  `${r.ratio.singleVsProject ?? "-"} (single), ${r.ratio.reusableVsProject ?? "-"} (reusable)`,
]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
const pad = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
console.log(pad(head));
for (const b of body) console.log(pad(b.map(String)));
const shared = rows[0]?.project.sharedVerifierBytes;
const reusable = rows.map((r) => r.ezklReusable).find((x): x is Exclude<Row["ezklReusable"], { error: string }> => !("error" in x));
console.log(`\nshared verifiers (deployed once per chain): project Halo2Verifier ${shared} B; EZKL reusable Halo2Verifier ${reusable?.verifierBytes ?? "-"} B`);
const out = { date: new Date().toISOString(), solc: solc.version(), ezkl: "ezkl==21.0.0 (sources) compiled with npm solc, optimizer 200 runs", rows };
await writeFile(join(REPO_ROOT, "bench", "results", "ezkl-verifier.json"), JSON.stringify(out, null, 2) + "\n");
console.log("wrote bench/results/ezkl-verifier.json");
process.exit(0);
