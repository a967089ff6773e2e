/**
 * One error base for every worker. Like viem's BaseError: a short message, optional details, the cause chain
 * (`walk()` finds the root or the first link matching a predicate) and a numbered code whose text says how to fix.
 */
export interface TwinpathErrorOptions {
  details?: string;
  cause?: unknown;
  /** Extra lines printed under the message (facts: the bad value, the id, the hash). */
  metaMessages?: string[];
}

export class TwinpathError extends Error {
  override name = "TwinpathError";
  readonly code: number = 0;
  /** Retrying the same job cannot help: it fails at once (workers/chain/failurePolicy.ts). */
  readonly permanent: boolean = false;
  readonly shortMessage: string;
  readonly details?: string;
  readonly metaMessages: string[];

  constructor(shortMessage: string, options: TwinpathErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.metaMessages?.length) lines.push("", ...options.metaMessages);
    if (options.details) lines.push("", `Details: ${options.details}`);
    super(lines.join("\n"), options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.metaMessages = options.metaMessages ?? [];
  }

  /** Follows `cause` to the root, or to the first error for which `fn` returns true (null if none does). */
  walk(fn?: (err: unknown) => boolean): unknown {
    return walk(this, fn);
  }
}

export function walk(err: unknown, fn?: (err: unknown) => boolean): unknown {
  let current: unknown = err;
  for (let depth = 0; depth < 32; depth++) {
    if (fn?.(current)) return current;
    const next = (current as { cause?: unknown } | null)?.cause;
    if (next === undefined || next === null) return fn ? null : current;
    current = next;
  }
  return fn ? null : current;
}

/** 1xxx: configuration. */
export class ConfigError extends TwinpathError {
  override name = "ConfigError";
  override readonly code = 1001;
  constructor(
    readonly role: string,
    readonly issues: { variable: string; message: string }[],
  ) {
    super(`Invalid ${role} configuration: ${issues.map((i) => i.variable).join(", ")}`, {
      metaMessages: issues.map((i) => `  ${i.variable}: ${i.message}`),
      details: "Fix the listed environment variables (see workers/config/ for every variable and its default).",
    });
  }
}

/** 2xxx: models and inputs (permanent: retrying cannot help). */
export class UnknownModelError extends TwinpathError {
  override name = "UnknownModelError";
  override readonly code = 2001;
  override readonly permanent = true;
  constructor(readonly onnxHash: string, where: string, what = "model file") {
    super(`No ${what} with keccak256 ${onnxHash} in the model store`, {
      metaMessages: [`  store: ${where}`],
      details:
        what === "model file"
          ? "Put the registered ONNX file into the model store (file name <hash>.onnx or a bundle with manifest.json)."
          : "Put the registered model's bundle (with manifest.json and model.compiled) or <hash>.compiled into the model store.",
    });
  }
}

export class ModelHashMismatchError extends TwinpathError {
  override name = "ModelHashMismatchError";
  override readonly code = 2002;
  override readonly permanent = true;
  constructor(
    readonly expected: string,
    readonly actual: string,
    readonly path: string,
  ) {
    super(`Model file ${path} does not match its registered hash`, {
      metaMessages: [`  registered hash: ${expected}`, `  keccak256 of the file: ${actual}`],
      details: "The file is corrupt or is another model; replace it with the registered bytes.",
    });
  }
}

export class BadInputError extends TwinpathError {
  override name = "BadInputError";
  override readonly code = 2003;
  override readonly permanent = true;
}

export class InferenceError extends TwinpathError {
  override name = "InferenceError";
  override readonly code = 2004;
  override readonly permanent = true;
}

/** 3xxx: chain and transactions. */
export class ChainError extends TwinpathError {
  override name = "ChainError";
  override readonly code = 3001;
}

export class TxRejectedError extends TwinpathError {
  override name = "TxRejectedError";
  override readonly code = 3002;
}

export class StaleJobError extends TwinpathError {
  override name = "StaleJobError";
  override readonly code = 3003;
  override readonly permanent = true;
}

/** 4xxx: local infrastructure used by tests and the demo. */
export class ProcessError extends TwinpathError {
  override name = "ProcessError";
  override readonly code = 4001;
}

/** Message of any thrown value, for logs and job failure reasons. */
export function errorMessage(err: unknown): string {
  if (err instanceof TwinpathError) return err.shortMessage;
  if (err && typeof err === "object" && "shortMessage" in err && typeof err.shortMessage === "string") {
    return err.shortMessage;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Every message and detail along the cause chain (node error texts hide under viem's short messages). */
export function fullMessage(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 16; depth++) {
    const e = current as { message?: unknown; details?: unknown; cause?: unknown };
    if (typeof e.message === "string") parts.push(e.message);
    if (typeof e.details === "string") parts.push(e.details);
    current = e.cause;
  }
  return parts.length ? parts.join(" | ") : String(err);
}
