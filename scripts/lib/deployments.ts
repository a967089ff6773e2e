/**
 * The addresses of a Twinpath deployment, per chain: `deployments/<chainId>.json` at the repository root (written by
 * scripts/deploy.ts, read by the other scripts when no address is given). Ignition keeps its own journal in
 * ignition/deployments/chain-<chainId>/ (that is what makes a re-run resume instead of redeploying); this file is the
 * small, stable summary other tools read.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import { type Address, getAddress, isAddress } from "viem";
import { z } from "zod";

import { REPO_ROOT } from "../../protocol/repoRoot.js";

const address = z.string().refine((s) => isAddress(s, { strict: false }), "not an address").transform((s) => getAddress(s) as Address);

export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  network: z.string(),
  deployedAt: z.string(),
  deployer: address,
  contracts: z.object({ modelRegistry: address, nodeRegistry: address, inferenceHub: address }).catchall(address),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export class DeploymentNotFoundError extends Error {
  override name = "DeploymentNotFoundError";
}

export function deploymentPath(chainId: number, root = REPO_ROOT): string {
  return join(root, "deployments", `${chainId}.json`);
}

export async function writeDeployment(d: Deployment, root = REPO_ROOT): Promise<string> {
  const path = deploymentPath(d.chainId, root);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(d, null, 2)}\n`);
  return path;
}

export async function readDeployment(chainId: number, root = REPO_ROOT): Promise<Deployment> {
  const path = deploymentPath(chainId, root);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new DeploymentNotFoundError(
      `No deployment for chain ${chainId} at ${path}: run scripts/deploy.ts on this network first, or pass the address in the environment.`,
    );
  }
  const parsed = deploymentSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new DeploymentNotFoundError(`${path} is not a Twinpath deployment file: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
