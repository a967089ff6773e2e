/**
 * A request's options and how a request is priced: the one home of both rules, used by the workers, the client
 * library, the CLI and the dev stack.
 */

/** The hub's per-request options (IInferenceHub.RequestOptions); absent fields are zero, which takes the protocol defaults. */
export interface RequestOptions {
  /** gas forwarded to each consumer callback (contracts only) */
  callbackGasLimit?: number;
  /** call onResult on the fast path (contracts only) */
  resultCallback?: boolean;
  /** seconds from request to result deadline */
  resultTimeout?: number;
  /** seconds from result to proof deadline */
  proofTimeout?: number;
}

/** The options as the hub's ABI takes them, every field present. */
export function hubRequestOptions(o: RequestOptions = {}): Required<RequestOptions> {
  return {
    callbackGasLimit: o.callbackGasLimit ?? 0,
    resultCallback: o.resultCallback ?? false,
    resultTimeout: o.resultTimeout ?? 0,
    proofTimeout: o.proofTimeout ?? 0,
  };
}

/**
 * The gas price a request's callback budget is quoted at (the hub's `quoteFee(modelId, options, gasPrice)`): twice
 * the network's current max fee per gas. The hub charges the budget at the request transaction's own gas price,
 * which a transaction sent now does not exceed; what the callbacks do not use comes back.
 */
export function quoteGasPrice(maxFeePerGas: bigint): bigint {
  return maxFeePerGas * 2n;
}
