/**
 * How TxSender names a failed simulation: the call's own rejection (TxRejectedError: a batcher splits or isolates, a
 * job gives up on the item) or trouble with the node (ChainError: retried as it is). A call that runs out of gas at
 * the limit it was run with fails the same way again, whichever node says so and in whichever words.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BaseError, CallExecutionError, parseAbi, RpcRequestError } from "viem";

import { TxSender } from "../../workers/chain/sender/txSender.js";
import { ChainError, TxRejectedError } from "../../workers/shared/errors.js";

const call = { address: "0x000000000000000000000000000000000000dEaD", abi: parseAbi(["function ping(uint256 n)"]), functionName: "ping", args: [1n] } as const;

/** A sender whose node answers every eth_call with `err`. */
function senderFailingWith(err: Error) {
  const publicClient = { simulateContract: async () => Promise.reject(err) } as never;
  const walletClient = { account: { address: "0x00000000000000000000000000000000000000a1" } } as never;
  return new TxSender({ publicClient, walletClient });
}

/** The node's JSON-RPC error as viem wraps it for an eth_call. */
const rpcError = (message: string) =>
  new CallExecutionError(new RpcRequestError({ body: {}, url: "http://node.test", error: { code: -32000, message } }), { account: undefined } as never);

describe("TxSender: what a failed simulation means", () => {
  for (const [node, message] of [
    ["Hardhat", "Transaction ran out of gas"],
    ["geth / reth", "out of gas"],
    ["anvil", "EVM error OutOfGas"],
  ] as const) {
    it(`out of gas at its limit (${node}: "${message}") is the call's rejection at that limit, not the node's trouble`, async () => {
      await assert.rejects(senderFailingWith(rpcError(message)).simulate(call, "ping", 50_000n), (e: Error) => e instanceof TxRejectedError && /run out of gas/.test(e.message));
    });
  }

  it("a node that cannot be reached is trouble with the node (retried as it is)", async () => {
    await assert.rejects(
      senderFailingWith(new BaseError("fetch failed", { details: "connect ECONNREFUSED 127.0.0.1:8545" })).simulate(call, "ping"),
      (e: Error) => e instanceof ChainError && !(e instanceof TxRejectedError),
    );
    // "gas" alone is no out-of-gas answer
    await assert.rejects(senderFailingWith(rpcError("max fee per gas less than block base fee")).simulate(call, "ping"), (e: Error) => !(e instanceof TxRejectedError));
  });
});
