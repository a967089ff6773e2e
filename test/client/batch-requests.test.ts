/**
 * Many requests in one transaction from the client library (requestInferences) and from a worker's EOA helper, on
 * the in-process Hardhat network: ids in item order, each item's own fee, and a refused item named by its index
 * before anything is sent.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { BaseError, ContractFunctionRevertedError, decodeErrorResult } from "viem";

import { requestInferences } from "../../client/index.js";
import type { ReadClient, WriteClient } from "../../client/chain/types.js";
import { requestIdsFromReceipt, requestInferences as sendRequestInferences } from "../../workers/chain/requestInference.js";
import type { TwinpathWalletClient } from "../../workers/chain/client.js";
import { deployHub, INPUT, paymentOf, PRICE } from "../contracts/helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);

describe("requestInferences from the client library and the workers", () => {
  it("client: sends the batch, returns the ids in item order with their events; each item keeps its own fee", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const wallet = f.wallets.user as unknown as WriteClient;
    const client = f.publicClient as unknown as ReadClient;
    const options = { callbackGasLimit: 0, resultCallback: true };
    // a generous payment: the budget is charged at the transaction's own gas price, the rest is the item's fee
    const fee = 10n * paymentOf();
    const out = await requestInferences(wallet, client, {
      hub: f.hub.address,
      items: [
        { modelId: f.models.onchain, input: INPUT, fee, options },
        { modelId: f.models.attested, input: [1n, 2n, 3n, 4n], fee: fee + 9n, options },
      ],
    });
    assert.deepEqual(out.requestIds, [1n, 2n]);
    assert.deepEqual(out.events.map((e) => e.args.input), [INPUT, [1n, 2n, 3n, 4n]]);
    const [a, b] = [await f.hub.read.getRequest([1n]), await f.hub.read.getRequest([2n])];
    assert.equal(b.fee - a.fee, 9n, "each item's payment is its own");
    assert.equal(a.fee + a.callbackBudget, fee);
    assert.ok(a.fee > PRICE);
  });

  it("client: a refused item throws the hub's InferenceHubRequestItemInvalid with its index, and nothing is sent", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const wallet = f.wallets.user as unknown as WriteClient;
    const client = f.publicClient as unknown as ReadClient;
    const nonce = await f.publicClient.getTransactionCount({ address: f.wallets.user.account.address });
    const err = await requestInferences(wallet, client, {
      hub: f.hub.address,
      items: [
        { modelId: f.models.onchain, input: INPUT, fee: 10n * paymentOf(), options: { resultCallback: true } },
        { modelId: f.models.onchain, input: [1n, 2n, 3n, 5000n], fee: 10n * paymentOf(), options: { resultCallback: true } },
      ],
    }).then(
      () => assert.fail("expected a refusal"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof BaseError);
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
    assert.ok(revert instanceof ContractFunctionRevertedError);
    assert.equal(revert.data?.errorName, "InferenceHubRequestItemInvalid");
    assert.equal(revert.data?.args?.[0], 1n);
    const inner = decodeErrorResult({ abi: f.hub.abi, data: revert.data?.args?.[1] as `0x${string}` });
    assert.equal(inner.errorName, "InferenceHubInputOutOfDomain");
    assert.equal(await f.publicClient.getTransactionCount({ address: f.wallets.user.account.address }), nonce, "nothing sent");
    assert.equal(await f.hub.read.requestCount(), 0n);
  });

  it("workers: the EOA helper sends one transaction and requestIdsFromReceipt reads every id", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const fee = 10n * paymentOf({ resultCallback: false });
    const hash = await sendRequestInferences(f.wallets.user as unknown as TwinpathWalletClient, {
      hub: f.hub.address,
      items: [0, 1, 2].map(() => ({ modelId: f.models.onchain, input: INPUT, fee, options: { resultCallback: false } })),
    });
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
    assert.deepEqual(requestIdsFromReceipt(receipt, f.hub.address), [1n, 2n, 3n]);
  });
});
