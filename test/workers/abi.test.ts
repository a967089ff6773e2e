import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ABI_SOURCES, REPO_ROOT, artifactPath, renderGeneratedAbis } from "../../workers/chain/abi/sources.js";

describe("generated ABIs", () => {
  const haveArtifacts = Object.values(ABI_SOURCES).every(([source, name]) => existsSync(artifactPath(source, name)));
  it("match the compiled interfaces (regenerate with `node --import tsx workers/chain/abi/generate.ts`)", { skip: !haveArtifacts && "no artifacts: run `npx hardhat build`" }, () => {
    const committed = readFileSync(join(REPO_ROOT, "workers/chain/abi/generated.ts"), "utf8");
    assert.equal(committed, renderGeneratedAbis());
  });
});
