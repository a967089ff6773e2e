/** Regenerates workers/chain/abi/generated.ts from artifacts/ (run `npx hardhat build` first). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, renderGeneratedAbis } from "./sources.js";

const target = join(REPO_ROOT, "workers/chain/abi/generated.ts");
writeFileSync(target, renderGeneratedAbis());
console.log(`wrote ${target}`);
