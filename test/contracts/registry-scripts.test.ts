import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress } from "viem";
import { z } from "zod";

import { DeploymentNotFoundError, deploymentPath, readDeployment, writeDeployment } from "../../scripts/lib/deployments.js";
import { ScriptEnvError, envAddress, envBool, envJson, envUint, parseEnv } from "../../scripts/lib/env.js";
import { ScriptInputError, describeUserError } from "../../scripts/lib/run.js";

const schema = z.object({
  A_UINT: envUint().default("7"),
  A_BOOL: envBool().default("0"),
  AN_ADDRESS: envAddress().optional(),
  A_JSON: envJson(z.array(z.number())).optional(),
});

describe("script helpers", () => {
  it("parses env vars with defaults, treating empty strings as unset", () => {
    assert.deepEqual(parseEnv("t", schema, {}), { A_UINT: 7n, A_BOOL: false });
    const parsed = parseEnv("t", schema, {
      A_UINT: "",
      A_BOOL: "true",
      AN_ADDRESS: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
      A_JSON: "[1, 2.5]",
    });
    assert.deepEqual(parsed, {
      A_UINT: 7n,
      A_BOOL: true,
      AN_ADDRESS: getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"),
      A_JSON: [1, 2.5],
    });
  });

  it("reports every bad variable by name", () => {
    assert.throws(
      () => parseEnv("t", schema, { A_UINT: "-1", A_BOOL: "yes", AN_ADDRESS: "0x12", A_JSON: "[1," }),
      (e: unknown) =>
        e instanceof ScriptEnvError &&
        e.issues.map((i) => i.variable).sort().join() === "AN_ADDRESS,A_BOOL,A_JSON,A_UINT" &&
        /A_JSON: must be valid JSON/.test(e.message),
    );
    assert.throws(() => parseEnv("t", schema, { A_JSON: '["x"]' }), /A_JSON: Expected number/);
  });

  it("writes and reads deployments/<chainId>.json, and names the missing file", async () => {
    const root = await mkdtemp(join(tmpdir(), "twinpath-deployments-"));
    try {
      await assert.rejects(readDeployment(5, root), (e: unknown) => e instanceof DeploymentNotFoundError && e.message.includes(deploymentPath(5, root)));
      const contracts = {
        modelRegistry: getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3"),
        nodeRegistry: getAddress("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"),
        inferenceHub: getAddress("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"),
      };
      const d = { chainId: 5, network: "remote", deployedAt: "2026-01-01T00:00:00.000Z", deployer: contracts.modelRegistry, contracts };
      assert.equal(await writeDeployment(d, root), join(root, "deployments", "5.json"));
      assert.deepEqual(await readDeployment(5, root), d);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("describes user errors and contract reverts briefly, and leaves other errors alone", async () => {
    assert.equal(describeUserError(new ScriptInputError("fix X")), "fix X");
    assert.equal(describeUserError(new TypeError("bug")), undefined);
    const { viem } = await network.create();
    const [admin] = await viem.getWalletClients();
    const registry = await viem.deployContract("NodeRegistry", [admin.account.address, [10n, 10n, 10n], 1n]);
    const error = await registry.write.register([0], { value: 1n }).then(
      () => assert.fail("register with 1 wei should revert"),
      (e: unknown) => e,
    );
    assert.match(describeUserError(error) ?? "", /reverted with NodeRegistryStakeTooLow\(0, 1, 10\)/);
  });
});
