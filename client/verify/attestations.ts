/**
 * The attestation check of an offline verification (ZKML_ATTESTED): every attestation the hub counted for the
 * settled proof is re-checked from its transaction's calldata (EIP-712 signature by the verification node the
 * event names, about this proof and these instances, with the event's verdict), each vote's weight is the node's
 * stake when it voted, and the valid stake reaches the quorum of the eligible verifier stake at settlement.
 */
import { decodeFunctionData, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { inferenceHubAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { attestationTypedData, MIN_QUORUM_BPS, quorumThreshold } from "../../protocol/attestation.js";
import { NodeRole } from "../../protocol/enums.js";
import type { RequestTimeline } from "../chain/lifecycle.js";
import type { ReadClient, TwinpathAddresses } from "../chain/types.js";
import type { VerificationCheck } from "./bundle.js";

export interface CheckAttestationsParameters {
  addresses: TwinpathAddresses;
  chainId: number;
  timeline: RequestTimeline;
  proofHash: Hex;
  instancesHash: Hex;
  /**
   * Share of the eligible verifier stake (basis points) that must have attested "valid". @defaultValue
   * MIN_QUORUM_BPS (5001: more than half, the lowest the hub allows; its configured quorum may be higher)
   */
  quorumBps?: number;
}

type SubmitAttestationsArgs = readonly [readonly { requestId: bigint; proofHash: Hex; instancesHash: Hex; valid: boolean }[], readonly Hex[]];

export async function checkAttestations(client: ReadClient, p: CheckAttestationsParameters): Promise<VerificationCheck> {
  const fail = (detail: string): VerificationCheck => ({ name: "attestations", status: "fail", detail });
  const { timeline, addresses } = p;
  const settled = timeline.settled;
  if (!settled) return fail("the request is not settled");
  // the votes on the proof that settled: after its ProofSubmitted (earlier ones were about a rejected proof)
  const proofBlock = timeline.proof?.blockNumber ?? 0n;
  const votes = timeline.attestations.filter((a) => a.blockNumber >= proofBlock && a.blockNumber <= settled.blockNumber);
  if (!votes.length) return fail("no AttestationRecorded event for the settled proof");

  const txs = new Map<Hex, Promise<SubmitAttestationsArgs | null>>();
  const calldata = (hash: Hex) => {
    let t = txs.get(hash);
    if (!t) {
      t = client.getTransaction({ hash }).then((tx) => {
        if (tx.to?.toLowerCase() !== addresses.hub.toLowerCase()) return null;
        try {
          const d = decodeFunctionData({ abi: inferenceHubAbi, data: tx.input });
          return d.functionName === "submitAttestations" ? (d.args as SubmitAttestationsArgs) : null;
        } catch {
          return null;
        }
      });
      txs.set(hash, t);
    }
    return t;
  };

  let validStake = 0n;
  let prevValid = 0n;
  let prevInvalid = 0n;
  const signers: Address[] = [];
  for (const v of votes) {
    const args = await calldata(v.transactionHash);
    if (!args) return fail(`attestation of ${v.verifier} (tx ${v.transactionHash}): not a submitAttestations call to the hub, its signature cannot be re-checked`);
    const [items, signatures] = args;
    let found = false;
    for (let i = 0; i < items.length && !found; i++) {
      const a = items[i];
      if (a.requestId !== timeline.requestId) continue;
      const signer = await recoverTypedDataAddress({ ...attestationTypedData(p.chainId, addresses.hub, a), signature: signatures[i] }).catch(() => null);
      if (signer?.toLowerCase() !== v.verifier.toLowerCase()) continue;
      if (a.proofHash !== p.proofHash || a.instancesHash !== p.instancesHash) return fail(`${v.verifier} signed an attestation about another proof (proofHash ${a.proofHash})`);
      if (a.valid !== v.valid) return fail(`${v.verifier} signed valid=${a.valid}, the event counted valid=${v.valid}`);
      found = true;
    }
    if (!found) return fail(`no signature by ${v.verifier} for request ${timeline.requestId} in tx ${v.transactionHash}`);
    // the event's running tallies give each vote's weight; it must be the node's stake when it voted
    const weight = v.valid ? v.stakeValid - prevValid : v.stakeInvalid - prevInvalid;
    [prevValid, prevInvalid] = [v.stakeValid, v.stakeInvalid];
    let stake: bigint;
    try {
      stake = await client.readContract({ address: addresses.nodeRegistry, abi: nodeRegistryAbi, functionName: "stakeOf", args: [v.verifier, NodeRole.Verifier], blockNumber: v.blockNumber });
    } catch (err) {
      return fail(`cannot read ${v.verifier}'s stake at block ${v.blockNumber} (an archive RPC is needed): ${(err as Error).message.split("\n")[0]}`);
    }
    if (stake !== weight) return fail(`${v.verifier}'s vote weighed ${weight}, its stake at block ${v.blockNumber} was ${stake}`);
    if (v.valid) {
      validStake += weight;
      signers.push(v.verifier);
    }
  }
  let electorate: bigint;
  try {
    electorate = await client.readContract({ address: addresses.nodeRegistry, abi: nodeRegistryAbi, functionName: "totalEligibleStake", args: [NodeRole.Verifier], blockNumber: settled.blockNumber });
  } catch (err) {
    return fail(`cannot read the eligible verifier stake at block ${settled.blockNumber} (an archive RPC is needed): ${(err as Error).message.split("\n")[0]}`);
  }
  const bps = p.quorumBps ?? MIN_QUORUM_BPS;
  const needed = quorumThreshold(electorate, bps);
  if (needed === 0n || validStake < needed) return fail(`valid stake ${validStake} of ${electorate} eligible is below the quorum ${needed} (${bps} bps)`);
  return {
    name: "attestations",
    status: "pass",
    detail: `${signers.length} EIP-712 "valid" attestations re-checked (${signers.join(", ")}); their stake ${validStake} of ${electorate} eligible reaches the quorum ${needed} (${bps} bps)`,
  };
}
