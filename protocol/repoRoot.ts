import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root (this file is protocol/repoRoot.ts). Every tool that resolves a
 * repository path (artifacts/, ignition/, .twinpath/, deployments/) starts here. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
