/**
 * The settlement race of the settlement-at-scale issue: three verification nodes attest at once and then settle at
 * once. Each transaction's gas is estimated against the same state, before any of them is mined (what nodes do
 * concurrently), and sent with exactly that limit, no margin; all land in one block. Settlement is its own step
 * (votes never settle, so a vote's gas does not depend on whether it completes the quorum) and settleMany settles
 * item by item (a request another node settled first is a rejected item, never a reverted transaction).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, keccak256, parseEventLogs, type Hex } from "viem";

import { buildAttestationBatch } from "../../protocol/attestationBatch.js";
import { type Attestation, deployHub, INPUT, instancesHash, OUTPUT, proofFor, Status } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
const REQUESTS = 6;

describe("InferenceHub settlement race (three verification nodes at once)", () => {
  it("three nodes vote in one block, then all three settle in one block: no reverted transaction, every request settled", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const as: Attestation[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const id = await f.request(f.models.attested);
      await f.deliver(id);
      const proof = proofFor(INPUT, OUTPUT);
      await f.prove(id, OUTPUT, proof);
      as.push({ requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true });
    }
    const nodes = [f.wallets.ver1, f.wallets.ver2, f.wallets.ver3];
    const ids = as.map((a) => a.requestId);
    const test = await viem.getTestClient();
    await test.setAutomine(false);
    try {
      /** Estimate every node's call at the current state, then send them all with those limits and mine one block. */
      async function concurrently(calls: { address: Hex; abi: typeof f.hub.abi | typeof f.quorum.abi; functionName: string; args: unknown[]; wallet: (typeof nodes)[number] }[]) {
        const gas = await Promise.all(
          calls.map((c) =>
            f.publicClient.estimateContractGas({ address: c.address, abi: c.abi, functionName: c.functionName, args: c.args, account: c.wallet.account } as never),
          ),
        );
        const hashes: Hex[] = [];
        for (const [i, c] of calls.entries()) {
          hashes.push(await c.wallet.writeContract({ address: c.address, abi: c.abi, functionName: c.functionName, args: c.args, gas: gas[i] } as never));
        }
        await test.mine({ blocks: 1 });
        const receipts = await Promise.all(hashes.map((hash) => f.publicClient.getTransactionReceipt({ hash })));
        assert.equal(new Set(receipts.map((r) => r.blockNumber)).size, 1, "all in one block");
        assert.deepEqual(receipts.map((r) => r.status), calls.map(() => "success"), "no reverted transaction");
        return receipts;
      }

      // 1. each node signs one root over every request and submits it
      const votes = await Promise.all(
        nodes.map(async (w) => {
          const batch = buildAttestationBatch(as);
          return { w, root: batch.root, votes: batch.votes, signature: await f.signBatch(w, batch.root) };
        }),
      );
      await concurrently(votes.map((v) => ({ address: f.quorum.address, abi: f.quorum.abi, functionName: "submitAttestationBatch", args: [v.root, v.signature, v.votes], wallet: v.w })));
      for (const a of as) {
        const [valid] = await f.quorum.read.tally([a.requestId, a.proofHash, a.instancesHash]);
        assert.equal(valid, 3n * 10n ** 18n);
      }
      // 2. each node saw the quorum decide and settles every request of its batch
      const receipts = await concurrently(nodes.map((w) => ({ address: f.hub.address, abi: f.hub.abi, functionName: "settleMany", args: [ids, ids.map(() => OUTPUT)], wallet: w })));
      for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Settled);
      const settledBy = receipts.map((r) => parseEventLogs({ abi: f.hub.abi, logs: r.logs, eventName: "RequestSettled" }).length);
      assert.deepEqual(settledBy, [REQUESTS, 0, 0], "the first settleMany settles all, the others' items are refused");
      const items = await f.hub.getEvents.ItemRejected({}, { fromBlock: 0n, strict: true });
      assert.equal(items.length, 2 * REQUESTS);
      for (const e of items) assert.equal(decodeErrorResult({ abi: f.hub.abi, data: e.args.reason! }).errorName, "InferenceHubUnexpectedStatus");
    } finally {
      await test.setAutomine(true);
    }
    await f.assertBooksBalance();
  });
});
