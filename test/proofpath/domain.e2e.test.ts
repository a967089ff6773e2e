/**
 * The admitted input domain end to end, for each demo model: the registry holds the bounds the compiler derived
 * (compiler/domain.ts -> manifest.admission -> ModelRegistry), the hub refuses an input outside them
 * (InferenceHubInputOutOfDomain, before any node is assigned), and corners of the domain — the inputs furthest
 * from the calibration data a consumer may send — run the whole way: real Hardhat node, real Redis, the fast path
 * (the executor answers with the circuit's witness), a real EZKL proof verified on chain by the model's Halo2
 * verifier (ZKML_ONCHAIN), Settled, with the executor never slashed (fast == proven, tolerance 0).
 *
 * Every corner of every demo model is proven and verified by test/models/domain.test.ts (the engine, in process,
 * with the witness's outputs checked against the proof's); here four corners per model (all lower bounds, all
 * upper bounds and the two alternating ones, so each element is seen at both of its bounds) take the path through
 * the chain, which is what this file adds. Proving all 2^n corners again here cost two minutes of the suite.
 *
 * One stack for the three models (each registered with its own Halo2 verifier; a prover, no verification nodes).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address } from "viem";
import { inferenceHubAbi, modelRegistryAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { NodeRole, RequestStatus } from "../../protocol/enums.js";
import { valuesHash } from "../../protocol/instances.js";
import { readManifest } from "../../compiler/manifest.js";
import { protocolErrorOf } from "../../workers/chain/protocolError.js";
import { deployBundleVerifier, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import type { DemoModelName } from "../../models/specs.js";
import { DEMO_MODEL_NAMES } from "../../models/specs.js";
import { ensureDemoBundle } from "../../models/index.js";

/** Four corners of the box [lower, upper]: all lower, all upper, and the two that alternate (even/odd elements). */
function corners(lower: readonly bigint[], upper: readonly bigint[]): bigint[][] {
  const pick = (high: (i: number) => boolean) => lower.map((lo, i) => (high(i) ? upper[i] : lo));
  return [pick(() => false), pick(() => true), pick((i) => i % 2 === 0), pick((i) => i % 2 === 1)];
}

describe("admitted input domain of the demo models (ZKML_ONCHAIN, real proofs)", { timeout: 900_000 }, () => {
  let ps: ProofStack;
  const models = new Map<DemoModelName, { modelId: bigint; lower: bigint[]; upper: bigint[] }>();

  before(async () => {
    const dirs = new Map(await Promise.all(DEMO_MODEL_NAMES.map(async (name) => [name, (await ensureDemoBundle(name)).dir] as const)));
    const [first, ...rest] = DEMO_MODEL_NAMES;
    ps = await startProofStack({
      bundleDir: dirs.get(first)!,
      extraBundleDirs: rest.map((n) => dirs.get(n)!),
      mode: "ZKML_ONCHAIN",
      verifier: (rpcUrl, chainId) => deployBundleVerifier(rpcUrl, chainId, dirs.get(first)!),
      verifierNodes: 0,
      proverNodes: 1,
    });
    for (const name of DEMO_MODEL_NAMES) {
      const dir = dirs.get(name)!;
      const admission = readManifest(dir).manifest.admission;
      assert.ok(admission, `${name}: the bundle carries its admitted domain`);
      const modelId =
        name === first ? ps.stack.model.modelId : await ps.registerModel({ mode: "ZKML_ONCHAIN", bundleDir: dir, verifier: await deployBundleVerifier(ps.stack.node.url, ps.stack.node.chainId, dir) });
      models.set(name, { modelId, lower: admission.lower.map(BigInt), upper: admission.upper.map(BigInt) });
    }
  });

  after(async () => {
    await ps?.stack.stop();
  });

  for (const name of DEMO_MODEL_NAMES) {
    it(`${name}: the registry holds the compiler's bounds; an input outside them is refused, nothing recorded`, async () => {
      const { client } = ps.stack;
      const { modelId, lower, upper } = models.get(name)!;
      const model = await client.readContract({ address: ps.stack.deployment.modelRegistry, abi: modelRegistryAbi, functionName: "getModel", args: [modelId] });
      assert.deepEqual([...model.spec.inputLower], lower);
      assert.deepEqual([...model.spec.inputUpper], upper);

      // Outside by one unit, below and above, at the first and the last element: refused, nothing recorded.
      const before = (await client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName: "requestCount" })) as bigint;
      for (const [index, value] of [
        [0, lower[0] - 1n],
        [lower.length - 1, upper[lower.length - 1] + 1n],
      ] as const) {
        const input = lower.map((lo, i) => (i === index ? value : lo));
        const err: unknown = await ps.request(input, { modelId }).then(
          () => null,
          (e: unknown) => e,
        );
        const decoded = protocolErrorOf(err);
        assert.equal(decoded?.errorName, "InferenceHubInputOutOfDomain", `${name}: input[${index}] = ${value} refused (${String(err)})`);
        assert.deepEqual(decoded?.args, [BigInt(index), value, lower[index], upper[index]]);
      }
      assert.equal(await client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName: "requestCount" }), before, "no request recorded");
    });
  }

  it("settles every model's corners with the executor unslashed (the fast result is the proven one)", async () => {
    const { client } = ps.stack;
    const hub = ps.hub;
    await ps.start("prover", 0, { PROVER_THREADS: "2" });
    const executor = ps.address(ps.stack.executorKeys[0]);
    const stakeOf = (a: Address) => client.readContract({ address: ps.stack.deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "stakeOf", args: [a, NodeRole.Executor] });
    const stakeBefore = await stakeOf(executor);
    const sent: { name: string; input: bigint[]; requestId: bigint }[] = [];
    for (const [name, { modelId, lower, upper }] of models) {
      for (const input of corners(lower, upper)) sent.push({ name, input, ...(await ps.request(input, { fee: 10n ** 15n, modelId })) });
    }
    for (const s of sent) await ps.waitForStatus(s.requestId, [RequestStatus.Settled], 600_000);

    const fromBlock = ps.stack.deployment.deployBlock;
    const logs = async (eventName: "ExecutorMismatch" | "SlashCredited") => client.getContractEvents({ address: hub, abi: inferenceHubAbi, eventName, fromBlock, strict: true });
    const results = await client.getContractEvents({ address: hub, abi: inferenceHubAbi, eventName: "ResultSubmitted", fromBlock, strict: true });
    const settled = await client.getContractEvents({ address: hub, abi: inferenceHubAbi, eventName: "RequestSettled", fromBlock, strict: true });
    for (const s of sent) {
      const result = results.find((l) => l.args.requestId === s.requestId);
      const settlement = settled.find((l) => l.args.requestId === s.requestId);
      assert.ok(result && settlement, `${s.name}: corner ${s.input.join(",")} delivered and settled`);
      assert.equal(settlement.args.outputHash, valuesHash(result.args.output), `${s.name}: corner ${s.input.join(",")}: the fast result is the proven one`);
    }
    assert.equal((await logs("ExecutorMismatch")).length, 0, "no executor mismatch");
    assert.equal((await logs("SlashCredited")).length, 0, "nobody slashed");
    assert.equal(await stakeOf(executor), stakeBefore, "the executor's stake is whole");
  });
});
