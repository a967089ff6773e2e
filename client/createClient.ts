import { getAddress, isAddress } from "viem";
import { ClientOptionsError } from "./errors.js";
import type { RequestEvent } from "./chain/events.js";
import { getRequestTimeline, watchRequest, watchRequestEvents, type RequestTimeline, type WatchRequestEventsParameters, type WatchRequestParameters } from "./chain/lifecycle.js";
import { getModel, listModels, type TwinpathModel } from "./chain/models.js";
import { getNodes, type NodesView } from "./chain/nodes.js";
import { quoteFee, requestInference, type RequestInferenceReturnType, type RequestOptions } from "./chain/requestInference.js";
import type { ReadClient, TwinpathAddresses, WriteClient } from "./chain/types.js";
import { decodeOutput, encodeTensor, type DecodedOutput, type DecodeOutputOptions, type NestedNumbers } from "./tensor.js";
import { verifySettledResult, type VerificationReport, type VerifySettledResultParameters } from "./verify/settled.js";

export interface TwinpathClientOptions {
  publicClient: ReadClient;
  /** needed only to send requests */
  walletClient?: WriteClient;
  addresses: TwinpathAddresses;
  /** the deployment block: where scans of registry events start. @defaultValue 0n */
  fromBlock?: bigint;
}

export interface ClientRequestParameters {
  modelId: bigint;
  /** real numbers (nested or flat), encoded at the model's input scale; or `{ fixedPoint }` already encoded */
  input: NestedNumbers | { fixedPoint: readonly bigint[] };
  /** wei; default quoteFee (the model's price plus the callback budget) */
  fee?: bigint;
  options?: RequestOptions;
}

function checkAddresses(a: TwinpathAddresses): TwinpathAddresses {
  const bad = (["hub", "modelRegistry", "nodeRegistry"] as const).filter((k) => typeof a?.[k] !== "string" || !isAddress(a[k], { strict: false }));
  if (bad.length) throw new ClientOptionsError(`invalid contract address(es): ${bad.join(", ")}`, { details: "Pass { hub, modelRegistry, nodeRegistry } (deployments/<chainId>.json lists them)." });
  if (a.attestationQuorum !== undefined && !isAddress(a.attestationQuorum, { strict: false })) {
    throw new ClientOptionsError("invalid contract address(es): attestationQuorum", { details: "Omit it to read it from the hub (attestationQuorum())." });
  }
  return {
    hub: getAddress(a.hub),
    modelRegistry: getAddress(a.modelRegistry),
    nodeRegistry: getAddress(a.nodeRegistry),
    ...(a.attestationQuorum ? { attestationQuorum: getAddress(a.attestationQuorum) } : {}),
  };
}

/**
 * The client library bound to one deployment: every action of the package with the clients and addresses filled
 * in. Each is also exported on its own, viem style (`getModel(publicClient, { modelRegistry, modelId })`).
 */
export interface TwinpathClient {
  addresses: TwinpathAddresses;
  publicClient: ReadClient;
  /** a registered model version (cached: a version never changes what it computes) */
  getModel(modelId: bigint): Promise<TwinpathModel>;
  listModels(): Promise<TwinpathModel[]>;
  /** registered nodes with stakes and slashes, and each role's totals */
  getNodes(): Promise<NodesView>;
  /** what a request must send (wei): the model's price plus the callback budget */
  quoteFee(modelId: bigint, options?: RequestOptions): Promise<bigint>;
  /** real input values -> fixed-point at the model's input scale */
  encodeInput(modelId: bigint, values: NestedNumbers): Promise<bigint[]>;
  /** an output the hub emitted -> real values at the model's output scale (and a class label with `labels`) */
  decodeOutput(modelId: bigint, raw: readonly bigint[], options?: DecodeOutputOptions): Promise<DecodedOutput>;
  /** sends a request from the wallet's account; resolves once it is mined, with its id */
  requestInference(p: ClientRequestParameters): Promise<RequestInferenceReturnType>;
  /** what happened to a request so far */
  getRequestTimeline(requestId: bigint, p?: { fromBlock?: bigint }): Promise<RequestTimeline>;
  /** follows a request to its settlement or refund */
  watchRequest(requestId: bigint, p?: Omit<WatchRequestParameters, "hub" | "requestId">): AsyncGenerator<RequestEvent, void, undefined>;
  /** follows a request with callbacks; returns unwatch */
  watchRequestEvents(requestId: bigint, p: Omit<WatchRequestEventsParameters, "hub" | "requestId">): () => void;
  /** verifies a settled result offline: model binding, proof, attestations */
  verifySettledResult(requestId: bigint, p: Omit<VerifySettledResultParameters, "addresses" | "requestId">): Promise<VerificationReport>;
}

export function createTwinpathClient(o: TwinpathClientOptions): TwinpathClient {
  const addresses = checkAddresses(o.addresses);
  const client = o.publicClient;
  const models = new Map<bigint, Promise<TwinpathModel>>();
  const model = (modelId: bigint) => {
    let m = models.get(modelId);
    if (!m) {
      m = getModel(client, { modelRegistry: addresses.modelRegistry, modelId });
      m.catch(() => models.delete(modelId));
      models.set(modelId, m);
    }
    return m;
  };
  const wallet = (): WriteClient => {
    if (!o.walletClient) throw new ClientOptionsError("sending a request needs a walletClient", { details: "createTwinpathClient({ walletClient, ... })" });
    return o.walletClient;
  };
  return {
    addresses,
    publicClient: client,
    getModel: model,
    listModels: () => listModels(client, { modelRegistry: addresses.modelRegistry }),
    getNodes: () => getNodes(client, { nodeRegistry: addresses.nodeRegistry, fromBlock: o.fromBlock }),
    quoteFee: (modelId, options) => quoteFee(client, { hub: addresses.hub, modelRegistry: addresses.modelRegistry, modelId, options }),
    encodeInput: async (modelId, values) => encodeTensor((await model(modelId)).input, values),
    decodeOutput: async (modelId, raw, options) => decodeOutput((await model(modelId)).output, raw, options),
    async requestInference(p) {
      const m = await model(p.modelId);
      const input = typeof p.input === "object" && "fixedPoint" in p.input ? [...p.input.fixedPoint] : encodeTensor(m.input, p.input);
      const fee = p.fee ?? (await quoteFee(client, { hub: addresses.hub, modelRegistry: addresses.modelRegistry, modelId: p.modelId, options: p.options }));
      return requestInference(wallet(), client, { hub: addresses.hub, modelId: p.modelId, input, fee, options: p.options });
    },
    getRequestTimeline: (requestId, p = {}) => getRequestTimeline(client, { hub: addresses.hub, quorum: addresses.attestationQuorum, requestId, ...p }),
    watchRequest: (requestId, p = {}) => watchRequest(client, { hub: addresses.hub, quorum: addresses.attestationQuorum, requestId, ...p }),
    watchRequestEvents: (requestId, p) => watchRequestEvents(client, { hub: addresses.hub, quorum: addresses.attestationQuorum, requestId, ...p }),
    verifySettledResult: (requestId, p) => verifySettledResult(client, { addresses, requestId, ...p }),
  };
}

