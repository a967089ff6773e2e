/**
 * The attestation check of an offline verification (ZKML_ATTESTED): the votes the AttestationQuorum counted in the
 * settled proof's round are re-checked from their transactions' calldata (EIP-712 signatures — one per attestation,
 * or one per batch root with each attestation's Merkle path — by the verification node each event names, verifying
 * contract: the quorum, about this proof and these instances, with the event's verdict); each vote's weight is the node's stake at the round's snapshot (checkpointed in the NodeRegistry: no
 * archive RPC needed), and the valid stake cast by settlement reaches the quorum of the round's electorate (the
 * verifier stake at the snapshot, fixed when the proof was published).
 */
import { decodeFunctionData, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { attestationQuorumAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { attestationBatchTypedData, attestationInBatch, attestationTypedData, MIN_QUORUM_BPS, quorumThreshold, type Attestation } from "../../protocol/attestation.js";
import { NodeRole } from "../../protocol/enums.js";
import { getAttestationQuorum } from "../chain/events.js";
import { getRequestTimeline, type RequestTimeline } from "../chain/lifecycle.js";
import type { ReadClient, TwinpathAddresses } from "../chain/types.js";
import type { VerificationCheck } from "./bundle.js";

export interface CheckAttestationsParameters {
  addresses: TwinpathAddresses;
  chainId: number;
  timeline: RequestTimeline;
  proofHash: Hex;
  instancesHash: Hex;
  /**
   * Share of the round's electorate (basis points) that must have attested "valid". @defaultValue
   * MIN_QUORUM_BPS (5001: more than half, the lowest the hub allows; its configured quorum may be higher)
   */
  quorumBps?: number;
  /** the request the proof's round is keyed by: a ZKML_ATTESTED batch proof's first request (its one round covers
   * every request of the batch) @defaultValue the timeline's request */
  roundRequestId?: bigint;
}

/** One signed verdict found in a vote's transaction, with who signed it (undefined: the signature does not recover). */
interface SignedVote {
  attestation: Attestation;
  signer: () => Promise<Address | null>;
}

/**
 * The verdicts a quorum transaction carries, each with its signer: `submitAttestations` (one EIP-712 signature per
 * attestation) or `submitAttestationBatch` (one signature over a Merkle root; an attestation counts only with a path
 * from its leaf to that root). Null when the transaction is neither.
 */
function signedVotes(chainId: number, quorum: Address, data: Hex): SignedVote[] | null {
  let d: ReturnType<typeof decodeFunctionData<typeof attestationQuorumAbi>>;
  try {
    d = decodeFunctionData({ abi: attestationQuorumAbi, data });
  } catch {
    return null;
  }
  if (d.functionName === "submitAttestations") {
    const [items, signatures] = d.args;
    return items.map((a, i) => ({
      attestation: a,
      signer: () => recoverTypedDataAddress({ ...attestationTypedData(chainId, quorum, a), signature: signatures[i] }).catch(() => null),
    }));
  }
  if (d.functionName === "submitAttestationBatch") {
    const [root, signature, votes] = d.args;
    const recovered = recoverTypedDataAddress({ ...attestationBatchTypedData(chainId, quorum, root), signature }).catch(() => null);
    const batchSigner = () => recovered;
    return votes.filter((v) => attestationInBatch(root, v.attestation, v.proof)).map((v) => ({ attestation: v.attestation, signer: batchSigner }));
  }
  return null;
}

export async function checkAttestations(client: ReadClient, p: CheckAttestationsParameters): Promise<VerificationCheck> {
  const fail = (detail: string): VerificationCheck => ({ name: "attestations", status: "fail", detail });
  const { timeline, addresses } = p;
  const settled = timeline.settled;
  if (!settled) return fail("the request is not settled");
  const quorum = addresses.attestationQuorum ?? (await getAttestationQuorum(client, addresses.hub));
  // the settled proof's round: its electorate and snapshot were fixed when the proof was published
  const roundId = p.roundRequestId ?? timeline.requestId;
  const roundKey = await client.readContract({ address: quorum, abi: attestationQuorumAbi, functionName: "roundKey", args: [roundId, p.proofHash, p.instancesHash] });
  const round = await client.readContract({ address: quorum, abi: attestationQuorumAbi, functionName: "roundOf", args: [roundKey] });
  if (round.seq === 0n) return fail(`the quorum never opened a round for proof ${p.proofHash}`);
  // the votes of that round cast by settlement (later ones share the reward but did not decide); a batch's round
  // holds them under the request it is keyed by
  const attestations =
    roundId === timeline.requestId
      ? timeline.attestations
      : (await getRequestTimeline(client, { hub: addresses.hub, quorum, requestId: roundId })).attestations;
  const votes = attestations.filter((a) => a.round === roundKey && a.blockNumber <= settled.blockNumber);
  if (!votes.length) return fail("no AttestationRecorded event for the settled proof's round");

  const txs = new Map<Hex, Promise<SignedVote[] | null>>();
  const calldata = (hash: Hex) => {
    let t = txs.get(hash);
    if (!t) {
      t = client.getTransaction({ hash }).then((tx) => (tx.to?.toLowerCase() === quorum.toLowerCase() ? signedVotes(p.chainId, quorum, tx.input) : null));
      txs.set(hash, t);
    }
    return t;
  };

  let validStake = 0n;
  let prevValid = 0n;
  let prevInvalid = 0n;
  const signers: Address[] = [];
  for (const v of votes) {
    const signed = await calldata(v.transactionHash);
    if (!signed) return fail(`attestation of ${v.verifier} (tx ${v.transactionHash}): not a submitAttestations or submitAttestationBatch call to the quorum, its signature cannot be re-checked`);
    let found = false;
    for (const { attestation: a, signer: signerOf } of signed) {
      if (found) break;
      if (a.requestId !== roundId) continue;
      const signer = await signerOf();
      if (signer?.toLowerCase() !== v.verifier.toLowerCase()) continue;
      if (a.proofHash !== p.proofHash || a.instancesHash !== p.instancesHash) continue; // a vote on another proof in the same batch
      if (a.valid !== v.valid) return fail(`${v.verifier} signed valid=${a.valid}, the event counted valid=${v.valid}`);
      found = true;
    }
    if (!found) return fail(`no signature by ${v.verifier} for request ${roundId}'s round and this proof in tx ${v.transactionHash}`);
    // the event's running tallies give each vote's weight; it must be the node's stake at the round's snapshot
    const weight = v.valid ? v.stakeValid - prevValid : v.stakeInvalid - prevInvalid;
    [prevValid, prevInvalid] = [v.stakeValid, v.stakeInvalid];
    const stake = await client.readContract({ address: addresses.nodeRegistry, abi: nodeRegistryAbi, functionName: "stakeAt", args: [v.verifier, NodeRole.Verifier, BigInt(round.snapshot)] });
    if (stake !== weight) return fail(`${v.verifier}'s vote weighed ${weight}, its stake at the round's snapshot (${round.snapshot}) was ${stake}`);
    if (v.valid) {
      validStake += weight;
      signers.push(v.verifier);
    }
  }
  const electorate = await client.readContract({ address: addresses.nodeRegistry, abi: nodeRegistryAbi, functionName: "totalStakeAt", args: [NodeRole.Verifier, BigInt(round.snapshot)] });
  if (electorate !== BigInt(round.electorate)) return fail(`the round's electorate ${round.electorate} is not the verifier stake at its snapshot (${electorate})`);
  const bps = p.quorumBps ?? MIN_QUORUM_BPS;
  const needed = quorumThreshold(electorate, bps);
  if (needed === 0n || validStake < needed) return fail(`valid stake ${validStake} of the round's electorate ${electorate} is below the quorum ${needed} (${bps} bps)`);
  return {
    name: "attestations",
    status: "pass",
    detail: `${signers.length} EIP-712 "valid" attestations re-checked (${signers.join(", ")}); their stake ${validStake} of the round's electorate ${electorate} (snapshot ${round.snapshot}) reaches the quorum ${needed} (${bps} bps)`,
  };
}
