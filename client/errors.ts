import { TwinpathError, type TwinpathErrorOptions } from "../workers/shared/errors.js";

/**
 * Errors of the client library (8xxx), on the project's one error base: `shortMessage`, `details` (how to fix),
 * `metaMessages` (the facts) and `walk()` over the cause chain. Callers narrow on `name` or `instanceof`.
 */
export class TwinpathClientError extends TwinpathError {
  override name = "TwinpathClientError";
  override readonly code: number = 8000;
  override readonly permanent = true;
}

/** A tensor whose length or values do not fit the model's shape and scale. */
export class TensorError extends TwinpathClientError {
  override name = "TensorError";
  override readonly code = 8001;
}

/** No request with this id on the hub (status None), or its InferenceRequested event is outside the searched blocks. */
export class RequestNotFoundError extends TwinpathClientError {
  override name = "RequestNotFoundError";
  override readonly code = 8002;
  constructor(
    readonly requestId: bigint,
    options: TwinpathErrorOptions = {},
  ) {
    super(`request ${requestId} not found`, options);
  }
}

/** A bundle file could not be read (HTTP error, missing file) or is not what the manifest says. */
export class BundleSourceError extends TwinpathClientError {
  override name = "BundleSourceError";
  override readonly code = 8003;
}

/** The transaction that sent a request reverted or emitted no InferenceRequested event. */
export class RequestFailedError extends TwinpathClientError {
  override name = "RequestFailedError";
  override readonly code = 8004;
}

/** watchRequest gave up: its `timeoutMs` passed before the request was settled or refunded. */
export class WatchTimeoutError extends TwinpathClientError {
  override name = "WatchTimeoutError";
  override readonly code = 8005;
}

/** Bad addresses or options given to the client. */
export class ClientOptionsError extends TwinpathClientError {
  override name = "ClientOptionsError";
  override readonly code = 8006;
}
