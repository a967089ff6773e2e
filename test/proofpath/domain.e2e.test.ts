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
 * One stack per model, one after the other (a prover, no verification nodes).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type Address } from "viem";
import { inferenceHubAbi, modelRegistryAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { NodeRole, RequestStatus } from "../../protocol/enums.js";
import { valuesHash } from "../../protocol/instances.js";
import { readManifest } from "../../compiler/manifest.js";
import { protocolErrorOf } from "../../workers/chain/protocolError.js";
import { deployBundleVerifier, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import { DEMO_MODEL_NAMES } from "../../models/specs.js";
import { ensureDemoBundle } from "../../models/index.js";

/** Four corners of the box [lower, upper]: all lower, all upper, and the two that alternate (even/odd elements). */
function corners(lower: readonly bigint[], upper: readonly bigint[]): bigint[][] {
  const pick = (high: (i: number) => boolean) => lower.map((lo, i) => (high(i) ? upper[i] : lo));
  return [pick(() => false), pick(() => true), pick((i) => i % 2 === 0), pick((i) => i % 2 === 1)];
}

for (const name of DEMO_MODEL_NAMES) {
  describe(`admitted input domain of ${name} (ZKML_ONCHAIN, real proofs)`, { timeout: 900_000 }, () => {
    let ps: ProofStack | undefined;
    after(async () => {
      await ps?.stack.stop();
    });

    it("refuses inputs outside the domain and settles its corners with the executor unslashed", async () => {
      const bundleDir = (await ensureDemoBundle(name)).dir;
      const admission = readManifest(bundleDir).manifest.admission;
      assert.ok(admission, `${name}: the bundle carries its admitted domain`);
      ps = await startProofStack({
        bundleDir,
        mode: "ZKML_ONCHAIN",
        verifier: (rpcUrl, chainId) => deployBundleVerifier(rpcUrl, chainId, bundleDir),
        verifierNodes: 0,
        proverNodes: 1,
      });
      const { client } = ps.stack;
      const hub = ps.hub;
      const modelId = ps.stack.model.modelId;

      // The registry holds the compiler's bounds.
      const model = await client.readContract({ address: ps.stack.deployment.modelRegistry, abi: modelRegistryAbi, functionName: "getModel", args: [modelId] });
      const lower = admission.lower.map(BigInt);
      const upper = admission.upper.map(BigInt);
      assert.deepEqual([...model.spec.inputLower], lower);
      assert.deepEqual([...model.spec.inputUpper], upper);

      // Outside by one unit, below and above, at the first and the last element: refused, nothing recorded.
      const before = (await client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "requestCount" })) as bigint;
      for (const [index, value] of [
        [0, lower[0] - 1n],
        [lower.length - 1, upper[lower.length - 1] + 1n],
      ] as const) {
        const input = lower.map((lo, i) => (i === index ? value : lo));
        const err: unknown = await ps.request(input).then(
          () => null,
          (e: unknown) => e,
        );
        const decoded = protocolErrorOf(err);
        assert.equal(decoded?.errorName, "InferenceHubInputOutOfDomain", `${name}: input[${index}] = ${value} refused (${String(err)})`);
        assert.deepEqual(decoded?.args, [BigInt(index), value, lower[index], upper[index]]);
      }
      assert.equal(await client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "requestCount" }), before, "no request recorded");

      // Corners, end to end.
      await ps.start("prover", 0, { PROVER_THREADS: "2" });
      const executor = ps.address(ps.stack.executorKeys[0]);
      const stakeOf = (a: Address) => client.readContract({ address: ps!.stack.deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "stakeOf", args: [a, NodeRole.Executor] });
      const stakeBefore = await stakeOf(executor);
      const points = corners(lower, upper);
      const sent = [];
      for (const input of points) sent.push({ input, ...(await ps.request(input, { fee: 10n ** 15n })) });
      for (const s of sent) await ps.waitForStatus(s.requestId, [RequestStatus.Settled], 600_000);

      const fromBlock = ps.stack.deployment.deployBlock;
      const logs = async (eventName: "ExecutorMismatch" | "SlashCredited") => client.getContractEvents({ address: hub, abi: inferenceHubAbi, eventName, fromBlock, strict: true });
      const results = await client.getContractEvents({ address: hub, abi: inferenceHubAbi, eventName: "ResultSubmitted", fromBlock, strict: true });
      const settled = await client.getContractEvents({ address: hub, abi: inferenceHubAbi, eventName: "RequestSettled", fromBlock, strict: true });
      for (const s of sent) {
        const result = results.find((l) => l.args.requestId === s.requestId);
        const settlement = settled.find((l) => l.args.requestId === s.requestId);
        assert.ok(result && settlement, `${name}: corner ${s.input.join(",")} delivered and settled`);
        assert.equal(settlement.args.outputHash, valuesHash(result.args.output), `${name}: corner ${s.input.join(",")}: the fast result is the proven one`);
      }
      assert.equal((await logs("ExecutorMismatch")).length, 0, `${name}: no executor mismatch`);
      assert.equal((await logs("SlashCredited")).length, 0, `${name}: nobody slashed`);
      assert.equal(await stakeOf(executor), stakeBefore, `${name}: the executor's stake is whole`);
    });
  });
}
