/**
 * A verification node's settlements (workers/verifier-node/settleBatcher.ts) against the real hub on the in-process
 * network: a request another node settled while this node's batch was gathering is left out of its settleMany (the
 * hub would refuse it item by item in a transaction this node pays for), and a batch left empty sends nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { createWalletClient, custom, decodeFunctionData, keccak256 } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { devKey } from "../../devnet/hardhatNode.js";
import { SettleBatcher } from "../../workers/verifier-node/settleBatcher.js";
import { TxSender } from "../../workers/chain/sender/txSender.js";
import { deployHub, INPUT, instancesHash, OUTPUT, proofFor, Status, type Attestation } from "../contracts/helpers/hub.js";

const { viem, networkHelpers, provider } = await network.create();
const fixture = () => deployHub(viem);

describe("SettleBatcher", () => {
  it("leaves out what another node settled while the batch gathered; an emptied batch sends no transaction", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const as: Attestation[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await f.request(f.models.attested);
      await f.deliver(id);
      const proof = proofFor(INPUT, OUTPUT);
      await f.prove(id, OUTPUT, proof);
      as.push({ requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true });
    }
    for (const w of [f.wallets.ver1, f.wallets.ver2, f.wallets.ver3]) await f.attestBatch(w, as);
    const [a, b, c] = as.map((x) => x.requestId);

    // the node's own key (the sender signs locally): ver1 is the network's account 6
    const node = createWalletClient({ account: privateKeyToAccount(devKey(6)), chain: f.publicClient.chain, transport: custom(provider) });
    assert.equal(node.account.address.toLowerCase(), f.wallets.ver1.account.address.toLowerCase());
    const sender = new TxSender({ publicClient: f.publicClient as never, walletClient: node as never, pollIntervalMs: 5 });
    // a long wait: the batch gathers while another node settles `a`
    const settler = new SettleBatcher({ hub: f.hub.address, publicClient: f.publicClient as never, sender, maxWaitMs: 60_000 });
    const pending = [a, b, c].map((requestId) => settler.submit({ requestId, output: OUTPUT }));
    await f.hub.write.settleMany([[a], [OUTPUT]], { account: f.wallets.ver2.account });
    settler.flush();
    const [oa, ob, oc] = await Promise.all(pending);

    assert.equal(oa.kind, "skipped");
    assert.match(oa.kind === "skipped" ? oa.reason : "", new RegExp(`request ${a} is Settled`));
    assert.equal(ob.kind, "settled");
    assert.equal(oc.kind, "settled");
    const tx = await f.publicClient.getTransaction({ hash: ob.kind === "settled" ? ob.txHash : "0x" });
    const call = decodeFunctionData({ abi: f.hub.abi, data: tx.input });
    assert.equal(call.functionName, "settleMany");
    assert.deepEqual(call.args?.[0], [b, c], "the settled request is not sent again");
    for (const id of [a, b, c]) assert.equal(await f.hub.read.status([id]), Status.Settled);

    // every item already settled: nothing to send
    const nonce = await f.publicClient.getTransactionCount({ address: node.account.address });
    const again = settler.submit({ requestId: b, output: OUTPUT });
    settler.flush();
    const ob2 = await again;
    assert.equal(ob2.kind, "skipped");
    assert.equal(await f.publicClient.getTransactionCount({ address: node.account.address }), nonce, "no transaction sent");
  });
});
