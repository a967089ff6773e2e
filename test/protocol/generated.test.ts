import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ABI_SOURCES, GENERATED_FILES, artifactPath, renderGeneratedAbis, renderGeneratedEnums } from "../../protocol/abi/sources.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";

describe("generated ABIs", () => {
  const haveArtifacts = Object.values(ABI_SOURCES).every(([source, name]) => existsSync(artifactPath(source, name)));
  it("match the compiled interfaces (regenerate with `npm run abi:generate`)", { skip: !haveArtifacts && "no artifacts: run `npx hardhat build`" }, () => {
    const committed = readFileSync(join(REPO_ROOT, GENERATED_FILES.abis), "utf8");
    assert.equal(committed, renderGeneratedAbis());
  });

  it("enums match the compiled contracts (regenerate with `npm run abi:generate`)", { skip: !haveArtifacts && "no artifacts: run `npx hardhat build`" }, () => {
    const committed = readFileSync(join(REPO_ROOT, GENERATED_FILES.enums), "utf8");
    assert.equal(committed, renderGeneratedEnums());
  });

});
