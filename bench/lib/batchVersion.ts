/**
 * A batch version of a demo model on a running fast-path stack: the batch-N bundle (models/batchBundle.ts, built and
 * cached on first use), its own Halo2 verifier (the project's Solidity verifier and an adapter for this circuit),
 * registered as ZKML_ONCHAIN (the only mode a batch version registers in), and its circuit in the stack's model store,
 * so the stack's executors answer its requests. bench/fastpath.ts measures the fast path of such a version: its
 * executor computes up to N requests in one witness (workers/executor/circuits.ts WitnessGroups).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPublicClient, http } from "viem";
import { describeBundle, bundleFiles } from "../../halo2/circuit/describe.js";
import { readSrsVerifierParams } from "../../halo2/circuit/encoding.js";
import { generateVerifierArtifacts } from "../../halo2/solidity/generate.js";
import { deployVerifierArtifacts } from "../../halo2/solidity/deploy.js";
import { ensureBatchBundle } from "../../models/batchBundle.js";
import { devKey } from "../../devnet/hardhatNode.js";
import { stockModelStore, type RegisteredModel } from "../../devnet/model.js";
import { registerBundleModel } from "../../devnet/proofPath.js";
import type { Stack } from "../../devnet/stack.js";
import { createSignerClient } from "../../workers/chain/client.js";

export async function registerBatchVersion(stack: Stack, name: string, batch: number, log: (m: string) => void = () => {}): Promise<RegisteredModel> {
  const bundle = await ensureBatchBundle(name, batch, { log });
  const wallet = createSignerClient({ rpcUrl: stack.node.url, chainId: stack.node.chainId, pollingIntervalMs: 20 }, devKey(0));
  const publicClient = createPublicClient({ chain: stack.client.chain, transport: http(stack.node.url) });
  const srs = readSrsVerifierParams(new Uint8Array(readFileSync(bundleFiles(bundle.dir).srs)));
  const deployed = await deployVerifierArtifacts({ walletClient: wallet as never, publicClient: publicClient as never }, generateVerifierArtifacts(await describeBundle(bundle.dir), srs));
  const registered = await registerBundleModel(wallet, stack.client, stack.deployment.modelRegistry, bundle.dir, { mode: "ZKML_ONCHAIN", verifier: deployed.adapter });
  await stockModelStore(stack.modelStoreDir, { onnxPath: join(bundle.dir, "model.onnx"), bundleDir: bundle.dir });
  return registered;
}
