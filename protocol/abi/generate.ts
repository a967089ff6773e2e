/** Regenerates protocol/abi/generated.ts and protocol/enums.ts from artifacts/ (run `npx hardhat build` first). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../repoRoot.js";
import { GENERATED_FILES, renderGenerated } from "./sources.js";

const text = renderGenerated();
for (const [key, rel] of Object.entries(GENERATED_FILES)) {
  writeFileSync(join(REPO_ROOT, rel), text[key as keyof typeof GENERATED_FILES]);
  console.log(`wrote ${rel}`);
}
