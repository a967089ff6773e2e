/**
 * Shared fixture and helpers for the InferenceHub tests: the real registries, the AttestationQuorum, the HubLogic
 * library linked into the hub, the test-only instance-checking verifier, one model per verification mode, staked
 * nodes, and TS references for the instance encoding, the stand-in proofs, payments and EIP-712 attestations.
 */
import assert from "node:assert/strict";

import type { network } from "hardhat";
import { encodeAbiParameters, getAddress, keccak256, parseEther, zeroHash, type Address, type Hex } from "viem";

import { ATTESTATION_BATCH_TYPES, ATTESTATION_TYPES, type Attestation } from "../../../protocol/attestation.js";
import { buildAttestationBatch } from "../../../protocol/attestationBatch.js";
import { VerificationMode as Mode, NodeRole as Role, RequestStatus as Status } from "../../../protocol/enums.js";

type Connection = Awaited<ReturnType<typeof network.create>>;
type Viem = Connection["viem"];

/** BN254 scalar field modulus (the field of EZKL public instances). */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
export const VALUE_BOUND = 2n ** 127n;

export { VerificationMode as Mode, NodeRole as Role, RequestStatus as Status } from "../../../protocol/enums.js";

export const MIN_STAKE = parseEther("1");
export const PRICE = parseEther("0.01");
export const SLASH = parseEther("0.1"); // hub default per offence
export const INPUT: bigint[] = [653n, 448n, 179n, 26n]; // iris features at scale 7
export const OUTPUT: bigint[] = [500n, -120n, -380n];
/** The proof store a ZKML_ATTESTED commitment names in these tests (verification nodes are simulated). */
export const PROOF_STORE = "http://proof-store.test";
export const DEFAULT_OPTIONS = { callbackGasLimit: 0, resultCallback: true, resultTimeout: 0, proofTimeout: 0 };
/** The admitted input domain of the test models (fixed point, per element). */
export const DOMAIN = { lower: [-1024n, -1024n, -1024n, -1024n], upper: [1023n, 1023n, 1023n, 1023n] };
/** Every request in these tests is sent at this gas price (legacy transactions), so its callback budget is exact. */
export const GAS_PRICE = 2_000_000_000n;
/** Longer than the default parameters' longestWindow() (8 days, 10 minutes and 1 second). */
export const UNBONDING_DELAY = 15n * 24n * 3600n;

/** The hub's default parameters (ignition/modules/Hub.ts), paying `treasury`. */
export function defaultHubParams(treasury: Address) {
  return {
    executorBps: 4_000,
    proverBps: 3_000,
    verifierBps: 2_000,
    protocolBps: 1_000,
    quorumBps: 6_666,
    slashRewardBps: 5_000,
    assignmentWindow: 30,
    minResultTimeout: 10,
    defaultResultTimeout: 300,
    maxResultTimeout: 86_400,
    minProofTimeout: 60,
    defaultProofTimeout: 3_600,
    maxProofTimeout: 604_800,
    defaultCallbackGas: 200_000,
    maxCallbackGas: 2_000_000,
    proverWindow: 600,
    attestationWindow: 600,
    electorateEpoch: 1,
    silenceLimit: 10,
    suspension: 604_800,
    executorSlash: SLASH,
    proverSlash: SLASH,
    verifierSlash: SLASH,
    treasury,
  };
}

/** Gas the hub adds to each callback's limit in the budget (HubRequests.CALLBACK_OVERHEAD). */
export const CALLBACK_OVERHEAD = 10_000n;

/** The callback budget a request with `opts` pays at GAS_PRICE (the default 200k gas per callback). */
export function budgetOf(opts: Partial<typeof DEFAULT_OPTIONS> = {}) {
  const o = { ...DEFAULT_OPTIONS, ...opts };
  const gas = BigInt(o.callbackGasLimit === 0 ? 200_000 : o.callbackGasLimit) + CALLBACK_OVERHEAD;
  return gas * (o.resultCallback ? 2n : 1n) * GAS_PRICE;
}

/** What a request pays: the fee plus its callback budget. */
export function paymentOf(opts: Partial<typeof DEFAULT_OPTIONS> = {}, fee = PRICE) {
  return fee + budgetOf(opts);
}

/** TS reference of Instances.toField: v >= 0 ? v : r - |v|. */
export function toField(v: bigint): bigint {
  if (v >= VALUE_BOUND || v <= -VALUE_BOUND) throw new RangeError(`value ${v} out of range`);
  return v >= 0n ? v : FIELD_MODULUS + v;
}

export function instancesOf(input: readonly bigint[], output: readonly bigint[]): bigint[] {
  return [...input, ...output].map(toField);
}

/** A proof the TestOnlyInstanceCheckingVerifier accepts for exactly these instances (plus optional padding, which
 * changes the proof hash but not its validity). */
export function proofFor(input: readonly bigint[], output: readonly bigint[], padding: Hex = "0x"): Hex {
  const digest = keccak256(encodeAbiParameters([{ type: "uint256[]" }], [instancesOf(input, output)]));
  return (digest + padding.slice(2)) as Hex;
}

export function hashValues(values: readonly bigint[]): Hex {
  return keccak256(encodeAbiParameters([{ type: "int256[]" }], [[...values]]));
}

export function instancesHash(input: readonly bigint[], output: readonly bigint[]): Hex {
  return keccak256(encodeAbiParameters([{ type: "uint256[]" }], [instancesOf(input, output)]));
}

export { ATTESTATION_TYPES, type Attestation } from "../../../protocol/attestation.js";

/** Evidence of a verdict signed alone (IInferenceHub.SignedVerdict with no batch root). */
export function alone(attestation: Attestation, signature: Hex) {
  return { attestation, root: zeroHash, proof: [] as Hex[], signature };
}

export function modelSpec(mode: number, verifier: Address, tolerance = 0n, price = PRICE, domain = DOMAIN) {
  return {
    onnxHash: keccak256("0x01"),
    settingsHash: keccak256("0x02"),
    circuitHash: keccak256("0x03"),
    vkHash: keccak256("0x04"),
    manifestHash: keccak256(`0x0${mode}05`),
    inputShape: [1, 4],
    outputShape: [1, 3],
    inputScale: 7,
    outputScale: 7,
    mode,
    verifier: mode === Mode.ZKML_ATTESTED ? ("0x0000000000000000000000000000000000000000" as Address) : verifier,
    price,
    tolerance,
    inputLower: domain.lower,
    inputUpper: domain.upper,
    batch: 1,
  };
}

/**
 * The protocol as the Ignition module wires it: registries, HubLogic linked into the hub, the AttestationQuorum, and
 * both setHub calls. `params` override the defaults; `unbondingDelay` is the registry's.
 */
export async function deployProtocol(
  viem: Viem,
  { params = {}, unbondingDelay = UNBONDING_DELAY, minStake = MIN_STAKE }: { params?: Partial<ReturnType<typeof defaultHubParams>>; unbondingDelay?: bigint; minStake?: bigint } = {},
) {
  const [admin, treasury] = await viem.getWalletClients();
  const modelRegistry = await viem.deployContract("ModelRegistry");
  const nodeRegistry = await viem.deployContract("NodeRegistry", [admin.account.address, [minStake, minStake, minStake], unbondingDelay]);
  const quorum = await viem.deployContract("AttestationQuorum", [nodeRegistry.address, admin.account.address]);
  const hubLogic = await viem.deployContract("HubLogic");
  const hubParameters = await viem.deployContract("HubParameters");
  const hubViews = await viem.deployContract("HubViews");
  const hubRequests = await viem.deployContract("HubRequests");
  const hub = await viem.deployContract(
    "InferenceHub",
    [modelRegistry.address, nodeRegistry.address, quorum.address, admin.account.address, { ...defaultHubParams(treasury.account.address), ...params }],
    { libraries: { HubLogic: hubLogic.address, HubParameters: hubParameters.address, HubViews: hubViews.address, HubRequests: hubRequests.address } },
  );
  await nodeRegistry.write.setHub([hub.address]);
  await quorum.write.setHub([hub.address]);
  return { modelRegistry, nodeRegistry, quorum, hubLogic, hub };
}

/**
 * Deploys everything. Returns the contracts, named wallets, model ids and helpers bound to this deployment.
 * Nodes: 2 executors, 2 provers, 3 verification nodes (1 ether each; quorum 2/3 => 2 valid attestations).
 */
export async function deployHub(viem: Viem) {
  const wallets = await viem.getWalletClients();
  const [admin, treasury, exec1, exec2, prover1, prover2, ver1, ver2, ver3, user, challenger, outsider] = wallets;
  const publicClient = await viem.getPublicClient();
  const chainId = await publicClient.getChainId();

  const { modelRegistry, nodeRegistry, quorum, hub } = await deployProtocol(viem);
  const verifier = await viem.deployContract("TestOnlyInstanceCheckingVerifier");

  const register = async (spec: ReturnType<typeof modelSpec>) => {
    const { result } = await modelRegistry.simulate.registerModel([spec]);
    await modelRegistry.write.registerModel([spec]);
    return result;
  };
  const models = {
    onchain: await register(modelSpec(Mode.ZKML_ONCHAIN, verifier.address)),
    onchainTolerant: await register(modelSpec(Mode.ZKML_ONCHAIN, verifier.address, 5n)),
    attested: await register(modelSpec(Mode.ZKML_ATTESTED, verifier.address)),
    optimistic: await register(modelSpec(Mode.OPTIMISTIC, verifier.address, 5n)),
  };

  for (const w of [exec1, exec2]) await nodeRegistry.write.register([Role.Executor], { value: MIN_STAKE, account: w.account });
  for (const w of [prover1, prover2]) await nodeRegistry.write.register([Role.Prover], { value: MIN_STAKE, account: w.account });
  for (const w of [ver1, ver2, ver3]) await nodeRegistry.write.register([Role.Verifier], { value: MIN_STAKE, account: w.account });

  const consumer = await viem.deployContract("TestOnlyConsumer", [hub.address]);

  const byAddress = new Map(wallets.map((w) => [getAddress(w.account.address), w]));
  const walletOf = (address: Address) => {
    const w = byAddress.get(getAddress(address));
    if (!w) throw new Error(`no wallet for ${address}`);
    return w;
  };

  /**
   * Request from the TestOnlyConsumer contract (callbacks recorded), paying the fee plus the callback budget at
   * GAS_PRICE. Returns the request id.
   */
  async function request(modelId: bigint, opts: Partial<typeof DEFAULT_OPTIONS> = {}, input = INPUT, fee = PRICE) {
    const options = { ...DEFAULT_OPTIONS, ...opts };
    const id = (await hub.read.requestCount()) + 1n;
    await consumer.write.request([modelId, input, options], { value: fee + budgetOf(options), account: user.account, gasPrice: GAS_PRICE });
    return id;
  }

  /** Deliver `output` from the assigned executor. */
  async function deliver(id: bigint, output = OUTPUT) {
    const r = await hub.read.getRequest([id]);
    await hub.write.submitResult([id, output], { account: walletOf(r.executor).account });
    return walletOf(r.executor);
  }

  /** The prover whose window it is now. */
  async function proverOf(id: bigint) {
    return walletOf(await hub.read.assignedProver([id]));
  }

  /**
   * Prove `output` (default: a valid stand-in proof) from the prover whose window it is: ZKML_ATTESTED commits to the
   * proof's hash (commitProof, bytes in the prover's store), other modes send the proof (submitProof).
   */
  async function prove(id: bigint, output = OUTPUT, proof: Hex = proofFor(INPUT, output), input = INPUT) {
    const prover = await proverOf(id);
    const { modelId } = await hub.read.getRequest([id]);
    if (modelId === models.attested) await hub.write.commitProof([id, input, output, keccak256(proof), PROOF_STORE], { account: prover.account });
    else await hub.write.submitProof([id, input, output, proof], { account: prover.account });
    return prover;
  }

  async function sign(wallet: (typeof wallets)[number], a: Attestation, overrides: { chainId?: number; quorum?: Address } = {}) {
    return wallet.signTypedData({
      domain: { name: "Twinpath", version: "1", chainId: overrides.chainId ?? chainId, verifyingContract: overrides.quorum ?? quorum.address },
      types: ATTESTATION_TYPES,
      primaryType: "Attestation",
      message: a,
    });
  }

  /** `wallet` signs the batch root `root` (AttestationBatch, the quorum's EIP-712 domain unless overridden). */
  async function signBatch(wallet: (typeof wallets)[number], root: Hex, overrides: { chainId?: number; quorum?: Address } = {}) {
    return wallet.signTypedData({
      domain: { name: "Twinpath", version: "1", chainId: overrides.chainId ?? chainId, verifyingContract: overrides.quorum ?? quorum.address },
      types: ATTESTATION_BATCH_TYPES,
      primaryType: "AttestationBatch",
      message: { root },
    });
  }

  /**
   * `voter` signs one batch of `attestations` (a Merkle root) and it is submitted to the quorum. Returns the batch
   * (root, votes with their paths) and the signature, for evidence.
   */
  async function attestBatch(voter: (typeof wallets)[number], attestations: Attestation[]) {
    const batch = buildAttestationBatch(attestations);
    const signature = await signBatch(voter, batch.root);
    const tx = await quorum.write.submitAttestationBatch([batch.root, signature, batch.votes]);
    return { ...batch, signature, tx };
  }

  /** Each of `voters` signs `a`; the signatures are submitted to the quorum in one transaction. */
  async function attest(a: Attestation, voters: (typeof wallets)[number][]) {
    const signatures = await Promise.all(voters.map((v) => sign(v, a)));
    return quorum.write.submitAttestations([voters.map(() => a), signatures]);
  }

  /** Every account that can hold a balance at the hub in these tests (wallets, consumers passed in). */
  async function sumReleasable(extra: Address[] = []) {
    let total = 0n;
    for (const a of [...wallets.map((w) => w.account.address), consumer.address, ...extra]) {
      total += await hub.read.releasable([a]);
    }
    return total;
  }

  /**
   * No wei created or lost: the hub holds exactly escrowed fees + unclaimed verifier pools + releasable balances,
   * each recomputed here from state and events rather than read from the hub's own totals; the node registry holds
   * exactly the bonded + unbonding stake of every node.
   */
  async function assertBooksBalance(extraAccounts: Address[] = []) {
    const hubBalance = await publicClient.getBalance({ address: hub.address });
    assert.equal(hubBalance, await hub.read.accountedBalance(), "hub balance == accountedBalance()");
    let escrow = 0n;
    const count = await hub.read.requestCount();
    for (let id = 1n; id <= count; id++) {
      const r = await hub.read.getRequest([id]);
      if (r.status === Status.Requested || r.status === Status.Executed || r.status === Status.ProofSubmitted) escrow += r.fee;
    }
    // callback budgets still held count as escrow too
    for (let id = 1n; id <= count; id++) {
      const r = await hub.read.getRequest([id]);
      if (r.status === Status.Requested || r.status === Status.Executed || r.status === Status.ProofSubmitted) escrow += r.callbackBudget;
    }
    const settled = await hub.getEvents.RequestSettled({}, { fromBlock: 0n, strict: true });
    const claimed = await hub.getEvents.VerifierRewardClaimed({}, { fromBlock: 0n, strict: true });
    const pools =
      settled.reduce((s, e) => s + e.args.verifierReward!, 0n) - claimed.reduce((s, e) => s + e.args.amount!, 0n);
    const releasable = await sumReleasable(extraAccounts);
    assert.equal(hubBalance, escrow + pools + releasable, "hub balance == escrow + pools + releasable");

    const registryBalance = await publicClient.getBalance({ address: nodeRegistry.address });
    let stakes = 0n;
    for (const w of wallets) {
      for (const role of [0, 1, 2]) {
        stakes += await nodeRegistry.read.stakeOf([w.account.address, role]);
        const [unbonding] = await nodeRegistry.read.unbondingOf([w.account.address, role]);
        stakes += unbonding;
      }
    }
    assert.equal(registryBalance, stakes, "registry balance == sum of stakes");
  }

  return {
    viem,
    publicClient,
    chainId,
    hub,
    quorum,
    modelRegistry,
    nodeRegistry,
    verifier,
    consumer,
    models,
    wallets: { admin, treasury, exec1, exec2, prover1, prover2, ver1, ver2, ver3, user, challenger, outsider },
    walletOf,
    request,
    deliver,
    proverOf,
    prove,
    sign,
    attest,
    signBatch,
    attestBatch,
    sumReleasable,
    assertBooksBalance,
  };
}

export type HubFixture = Awaited<ReturnType<typeof deployHub>>;

type HubWithProofEvents = {
  getEvents: {
    ProofSubmitted: (
      args: { requestId: bigint },
      options: { fromBlock: bigint; strict: true },
    ) => Promise<readonly { args: { output?: readonly bigint[] } }[]>;
  };
};

/**
 * The output of the latest proof submitted for `requestId` (its ProofSubmitted event), what settle() takes back (the
 * hub keeps only its hash); [] if none.
 */
export async function provenOutput(hub: HubWithProofEvents, requestId: bigint): Promise<bigint[]> {
  const events = await hub.getEvents.ProofSubmitted({ requestId }, { fromBlock: 0n, strict: true });
  return events.length ? [...(events[events.length - 1].args.output ?? [])] : [];
}

/** provenOutput for each of `requestIds` (settleMany's second argument). */
export async function provenOutputs(hub: HubWithProofEvents, requestIds: readonly bigint[]): Promise<bigint[][]> {
  return Promise.all(requestIds.map((id) => provenOutput(hub, id)));
}
