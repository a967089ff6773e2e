import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseAbi, type Hex } from "viem";
import { createChainClient, createSignerClient, type TwinpathPublicClient } from "../../workers/chain/client.js";
import { readArtifact } from "../../protocol/abi/sources.js";
import { modelRegistryAbi } from "../../protocol/abi/generated.js";
import { TxSender, TxSupersededError } from "../../workers/chain/sender/txSender.js";
import { bumpFees } from "../../workers/chain/sender/feePolicy.js";
import { devKey, startHardhatNode, type HardhatNode } from "../../devnet/hardhatNode.js";

// Calls to an account without code succeed and do nothing: a cheap transaction with calldata.
const pingAbi = parseAbi(["function ping(uint256 n)"]);
const target = "0x000000000000000000000000000000000000dEaD" as const;

describe("TxSender (hardhat node)", () => {
  let node: HardhatNode;
  let client: TwinpathPublicClient;
  const chain = () => ({ rpcUrl: node.url, chainId: node.chainId, pollingIntervalMs: 20 });
  const rpc = (method: string, params: unknown[] = []) => client.request({ method: method as never, params: params as never });

  before(async () => {
    node = await startHardhatNode();
    client = createChainClient(chain());
  });
  after(async () => node?.stop());

  it("sends concurrent transactions in nonce order without gaps or rejections", async () => {
    const key = devKey(5);
    const sender = new TxSender({ publicClient: client, walletClient: createSignerClient(chain(), key), pollIntervalMs: 10 });
    const start = await client.getTransactionCount({ address: sender.address });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => sender.send({ call: { address: target, abi: pingAbi, functionName: "ping", args: [BigInt(i)] }, label: "ping" })));
    const nonces = results.map((r) => r.nonce).sort((a, b) => a - b);
    assert.deepEqual(nonces, Array.from({ length: 40 }, (_, i) => start + i));
    assert.ok(results.every((r) => r.receipt.status === "success"));
    assert.equal(await client.getTransactionCount({ address: sender.address }), start + 40);
  });

  it("resynchronises its nonce when the key was used elsewhere", async () => {
    const key = devKey(6);
    const wallet = createSignerClient(chain(), key);
    const sender = new TxSender({ publicClient: client, walletClient: wallet, pollIntervalMs: 10 });
    await sender.send({ call: { address: target, abi: pingAbi, functionName: "ping", args: [1n] }, label: "ping" });
    // Someone else sends with the same key: the sender's cached nonce is now stale.
    const other = await wallet.sendTransaction({ to: target, value: 1n });
    await client.waitForTransactionReceipt({ hash: other });
    const r = await sender.send({ call: { address: target, abi: pingAbi, functionName: "ping", args: [2n] }, label: "ping" });
    assert.equal(r.receipt.status, "success");
    assert.equal(r.nonce, 2);
  });

  it("reports a would-be revert with the decoded custom error and spends no nonce", async () => {
    const key = devKey(7);
    const wallet = createSignerClient(chain(), key);
    const { bytecode } = readArtifact("contracts/registry/ModelRegistry.sol", "ModelRegistry");
    const deployHash = await wallet.deployContract({ abi: modelRegistryAbi, bytecode, args: [] as never });
    const registry = (await client.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;
    const sender = new TxSender({ publicClient: client, walletClient: wallet, pollIntervalMs: 10 });
    const before = await client.getTransactionCount({ address: sender.address });
    await assert.rejects(
      sender.send({ call: { address: registry, abi: modelRegistryAbi, functionName: "setActive", args: [999n, true] }, label: "setActive" }),
      (err: Error) => err.name === "TxRejectedError" && /ModelRegistryUnknownModel/.test(err.message),
    );
    assert.equal(await client.getTransactionCount({ address: sender.address }), before);
  });

  it("re-sends a stuck transaction with bumped fees (same nonce) and returns the mined one", async () => {
    const key = devKey(8);
    const sender = new TxSender({ publicClient: client, walletClient: createSignerClient(chain(), key), pollIntervalMs: 20, receiptTimeoutMs: 300, feeBumpPercent: 20 });
    await rpc("evm_setAutomine", [false]);
    try {
      const pending = sender.send({ call: { address: target, abi: pingAbi, functionName: "ping", args: [7n] }, label: "ping", stillNeeded: async () => true });
      await new Promise((r) => setTimeout(r, 800)); // at least one re-send
      await rpc("evm_mine");
      const r = await pending;
      assert.ok(r.resends >= 1, `expected a re-send, got ${r.resends}`);
      const tx = await client.getTransaction({ hash: r.hash });
      assert.equal(tx.nonce, r.nonce);
      const block = await client.getBlock({ blockNumber: r.receipt.blockNumber });
      assert.equal(block.transactions.length, 1, "only one transaction for the nonce was mined");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
  });

  it("stops re-sending when on-chain state says the transaction is no longer needed", async () => {
    const key = devKey(9);
    const sender = new TxSender({ publicClient: client, walletClient: createSignerClient(chain(), key), pollIntervalMs: 20, receiptTimeoutMs: 200 });
    await rpc("evm_setAutomine", [false]);
    try {
      await assert.rejects(
        sender.send({ call: { address: target, abi: pingAbi, functionName: "ping", args: [8n] }, label: "ping", stillNeeded: async () => false }),
        (err: Error) => err instanceof TxSupersededError,
      );
    } finally {
      await rpc("evm_mine");
      await rpc("evm_setAutomine", [true]);
    }
  });

  it("a nonce it gives up on is cancelled, so the key's next transaction is not stuck behind it", async () => {
    const key = devKey(10);
    const sender = new TxSender({ publicClient: client, walletClient: createSignerClient(chain(), key), pollIntervalMs: 20, receiptTimeoutMs: 300, maxResends: 2 });
    await rpc("evm_setAutomine", [false]);
    let pendingNonce: number | undefined;
    // From now on every block's base fee is far above today's fees: a transaction sent at them is never mined.
    const today = await client.estimateFeesPerGas();
    const high = today.maxFeePerGas * 100n;
    const mineExpensive = async () => {
      await rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${high.toString(16)}`]);
      await rpc("evm_mine");
    };
    let mining: ReturnType<typeof setInterval> | undefined;
    try {
      const givenUp = sender.send({
        call: { address: target, abi: pingAbi, functionName: "ping", args: [9n] },
        label: "ping",
        stillNeeded: async () => {
          pendingNonce ??= await client.getTransactionCount({ address: sender.address });
          return false; // e.g. another sender delivered the result meanwhile
        },
      });
      await new Promise((r) => setTimeout(r, 50));
      mining = setInterval(() => void mineExpensive().catch(() => {}), 100);
      await assert.rejects(givenUp, (err: Error) => err instanceof TxSupersededError);
    } finally {
      clearInterval(mining);
      await rpc("evm_setAutomine", [true]);
    }
    // The nonce was used by the cancellation, so the next transaction of the key is mined.
    const latest = await client.getTransactionCount({ address: sender.address, blockTag: "latest" });
    assert.ok(pendingNonce !== undefined && latest > pendingNonce, `nonce ${pendingNonce} is still open (latest count ${latest})`);
    const next = await Promise.race([
      sender.send({ call: { address: target, abi: pingAbi, functionName: "ping", args: [10n] }, label: "ping" }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the key is stuck behind the given-up nonce")), 10_000)),
    ]);
    assert.equal(next.receipt.status, "success");
  });

  it("bumps fees by at least the given percent and never below the network's current fees", () => {
    const prev = { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n };
    assert.deepEqual(bumpFees(prev, { maxFeePerGas: 50n, maxPriorityFeePerGas: 1n }, 20), { maxFeePerGas: 120n, maxPriorityFeePerGas: 12n });
    assert.deepEqual(bumpFees(prev, { maxFeePerGas: 500n, maxPriorityFeePerGas: 30n }, 20), { maxFeePerGas: 500n, maxPriorityFeePerGas: 30n });
  });
});

export type { Hex };
