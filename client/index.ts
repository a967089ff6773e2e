/**
 * Twinpath's client library (browser and Node): request inference, follow a request's lifecycle, encode and decode
 * fixed-point tensors, read models and nodes, and verify a settled result offline. No Node module is imported
 * from here (the browser entry); `twinpath/node` adds reading bundles from a directory and deriving a circuit
 * description with the EZKL engine.
 */
export { createTwinpathClient, type TwinpathClient, type TwinpathClientOptions, type ClientRequestParameters } from "./createClient.js";
export type { ReadClient, WriteClient, TwinpathAddresses } from "./chain/types.js";
export { getModel, listModels, type TwinpathModel, type GetModelParameters } from "./chain/models.js";
export { getNodes, type TwinpathNode, type NodeSlash, type NodesView, type GetNodesParameters } from "./chain/nodes.js";
export {
  quoteFee,
  requestInference,
  requestInferences,
  type RequestItem,
  type RequestOptions,
  type RequestInferenceParameters,
  type RequestInferenceReturnType,
  type RequestInferencesParameters,
  type RequestInferencesReturnType,
} from "./chain/requestInference.js";
export { getRequestEvents, getAttestationQuorum, decodeRequestLogs, addTimestamps, isFinalEvent, requestEventAbi, STATUS_AFTER, type RequestEvent, type RequestEventName, type RequestEventOf } from "./chain/events.js";
export {
  findRequestBlock,
  getRequestTimeline,
  timelineOf,
  watchRequest,
  watchRequestEvents,
  type RequestLocator,
  type RequestTimeline,
  type StepInfo,
  type WatchRequestParameters,
  type WatchRequestEventsParameters,
} from "./chain/lifecycle.js";
export { gasByRequest, type GasBySteps } from "./chain/gas.js";
export { encodeTensor, decodeTensor, decodeOutput, type TensorSpec, type NestedNumbers, type DecodedOutput, type DecodeOutputOptions } from "./tensor.js";
export { httpBundle, memoryBundle, loadRegisteredBundle, type BundleSource, type RegisteredBundle, type VerificationCheck } from "./verify/bundle.js";
export { loadCircuit, checkProof, type CircuitSource } from "./verify/proof.js";
export { checkAttestations } from "./verify/attestations.js";
export { verifySettledResult, type VerifySettledResultParameters, type VerificationReport } from "./verify/settled.js";
export { TwinpathClientError, TensorError, RequestNotFoundError, BundleSourceError, RequestFailedError, WatchTimeoutError, ClientOptionsError } from "./errors.js";
// the protocol's enums (names of statuses, modes and roles come from the contracts, never from string literals)
export { RequestStatus, requestStatusName, VerificationMode, verificationModeName, NodeRole, nodeRoleName } from "../protocol/enums.js";
export { inferenceHubAbi, modelRegistryAbi, nodeRegistryAbi, inferenceConsumerAbi, attestationQuorumAbi } from "../protocol/abi/generated.js";
