import {
  BaseError,
  ContractFunctionRevertedError,
  ExecutionRevertedError,
  encodeFunctionData,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type TransactionReceipt,
} from "viem";
import type { TwinpathPublicClient, TwinpathWalletClient } from "../client.js";
import { ChainError, TxRejectedError, errorMessage, fullMessage } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import type { WorkerMetrics } from "../../shared/metrics.js";
import { bumpFees, isNonceError, type Fees } from "./feePolicy.js";

/** Options of a TxSender. */
export interface TxSenderOptions {
  publicClient: TwinpathPublicClient;
  walletClient: TwinpathWalletClient;
  /** Re-send with bumped fees when no receipt arrives within this time. @defaultValue 30_000 */
  receiptTimeoutMs?: number;
  /** Fee increase of each replacement, percent. @defaultValue 20 */
  feeBumpPercent?: number;
  /** Replacements before giving up. @defaultValue 5 */
  maxResends?: number;
  /** Receipt polling period. @defaultValue 25 */
  pollIntervalMs?: number;
  /** Gas limit = estimate * (100 + margin) / 100. @defaultValue 25 */
  gasMarginPercent?: number;
  logger?: Logger;
  metrics?: WorkerMetrics;
}

export interface ContractCall<abi extends Abi = Abi> {
  address: Address;
  abi: abi;
  functionName: ContractFunctionName<abi, "nonpayable" | "payable">;
  args: ContractFunctionArgs<abi, "nonpayable" | "payable">;
  value?: bigint;
}

export interface SendParameters<abi extends Abi = Abi> {
  call: ContractCall<abi>;
  /** Name for logs and metrics (e.g. "submitResults"). */
  label: string;
  /**
   * Asked before every re-send: is the transaction still needed according to on-chain state (e.g. the requests
   * are still Requested)? If not, the sender stops re-sending and reports `superseded`.
   */
  stillNeeded?: () => Promise<boolean>;
  /**
   * Gas limit from the caller's own simulation and estimate of this very call (`estimate()`): the send skips its
   * own, so a batch is simulated once, not once by its batcher and again here.
   */
  gas?: bigint;
}

export interface SendReturnType {
  receipt: TransactionReceipt;
  hash: Hash;
  nonce: number;
  resends: number;
  sentAt: number;
  minedAt: number;
}

export class TxSupersededError extends ChainError {
  override name = "TxSupersededError";
}

/**
 * Owns one key's nonces. Simulates first (a revert costs no nonce), then signs and sends under a lock so
 * transactions reach the node in nonce order (an automining Hardhat node rejects a nonce ahead of the next one),
 * then tracks the receipt concurrently, re-sending the same nonce with bumped fees when it is slow, after
 * checking on-chain state. A nonce it gives up on (no longer needed, or out of re-sends) is cancelled with a
 * same-nonce self-transfer at bumped fees, so later transactions never wait behind it. Exactly one instance per key
 * may exist across all processes.
 */
export class TxSender {
  readonly address: Address;
  private nextNonce: number | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private blockGasLimit: { at: number; value: bigint } | undefined;
  private feeCache: { at: number; fees: Fees } | undefined;
  private readonly o: Required<Omit<TxSenderOptions, "logger" | "metrics">> & Pick<TxSenderOptions, "logger" | "metrics">;

  constructor(options: TxSenderOptions) {
    this.o = { receiptTimeoutMs: 30_000, feeBumpPercent: 20, maxResends: 5, pollIntervalMs: 25, gasMarginPercent: 25, ...options };
    this.address = options.walletClient.account.address;
  }

  async send<abi extends Abi>(params: SendParameters<abi>): Promise<SendReturnType> {
    const { call, label } = params;
    const data = encodeFunctionData({ abi: call.abi as Abi, functionName: call.functionName as string, args: call.args as unknown[] });

    // 1. Simulate: a revert is reported with its decoded custom error and costs nothing.
    let gas = params.gas;
    if (gas === undefined) {
      await this.simulate(call as ContractCall, label);
      gas = await this.estimate(call as ContractCall, label);
    }
    let fees = await this.currentFees();

    // 2. Sign and send under the key's lock: nonce order is send order.
    const first = await this.withLock(async () => {
      for (let attempt = 0; ; attempt++) {
        const nonce = await this.reserveNonce();
        try {
          const sentAt = Date.now();
          const hash = await this.signAndSend({ to: call.address, data, value: call.value, gas, nonce, fees });
          this.nextNonce = nonce + 1;
          return { hash, nonce, sentAt };
        } catch (err) {
          // Unknown whether the node took it: forget the counter so the next send reads it from the chain.
          this.nextNonce = undefined;
          if (attempt < 3 && isNonceError(err)) continue;
          throw new ChainError(`sending ${label} failed`, { cause: err, details: fullMessage(err) });
        }
      }
    });
    this.o.logger?.debug({ label, hash: first.hash, nonce: first.nonce }, "tx sent");

    // 3. Wait for a receipt of any of the hashes sent for this nonce; re-send with bumped fees when slow.
    const hashes: Hash[] = [first.hash];
    let resends = 0;
    for (;;) {
      const found = await this.waitForAnyReceipt(hashes, this.o.receiptTimeoutMs);
      if (found) return this.done(label, found, first, resends);
      if (resends >= this.o.maxResends) {
        const mined = await this.cancel(first.nonce, fees, hashes, label);
        if (mined?.transactionHash && hashes.includes(mined.transactionHash)) return this.done(label, mined, first, resends);
        this.o.metrics?.txSent.inc({ action: label, outcome: "failed" });
        throw new ChainError(`no receipt for ${label} (nonce ${first.nonce}) after ${resends} re-sends; nonce cancelled`, {
          metaMessages: hashes.map((h) => `  sent: ${h}`),
        });
      }
      // Before re-sending, ask the chain whether the work is still to be done (a crash or another sender may
      // have delivered it). If not, the pending transaction is cancelled so it cannot stall the key.
      if (params.stillNeeded && !(await params.stillNeeded())) {
        const mined = await this.cancel(first.nonce, fees, hashes, label);
        if (mined?.transactionHash && hashes.includes(mined.transactionHash)) return this.done(label, mined, first, resends);
        this.o.metrics?.txSent.inc({ action: label, outcome: "superseded" });
        throw new TxSupersededError(`${label} no longer needed on chain; nonce ${first.nonce} cancelled`);
      }
      fees = bumpFees(fees, await this.currentFees(true), this.o.feeBumpPercent);
      resends++;
      try {
        const hash = await this.signAndSend({ to: call.address, data, value: call.value, gas, nonce: first.nonce, fees });
        hashes.push(hash);
        this.o.metrics?.txSent.inc({ action: label, outcome: "replaced" });
        this.o.logger?.warn({ label, nonce: first.nonce, hash, resends, maxFeePerGas: String(fees.maxFeePerGas) }, "re-sent with bumped fees");
      } catch (err) {
        // "nonce too low": one of our hashes was mined meanwhile; the next wait finds its receipt.
        if (!isNonceError(err)) this.o.logger?.warn({ err: errorMessage(err), label }, "re-send failed");
      }
    }
  }

  /**
   * Runs the call against the latest state (eth_call) and returns its result; a revert throws TxRejectedError with
   * the decoded custom error, anything else (RPC down) a ChainError. `gas`: run it with that gas limit (else the
   * node's default, the block gas limit).
   */
  async simulate<T = unknown>(call: ContractCall, label: string, gas?: bigint): Promise<T> {
    try {
      const { result } = await this.o.publicClient.simulateContract({ ...call, account: this.address, gas } as never);
      return result as T;
    } catch (err) {
      throw this.rejected(err, label, call);
    }
  }

  /**
   * The gas limit this sender would give the call: its estimate plus the margin, within gasCeiling(). Throws like
   * simulate(), and TxRejectedError when the call needs more than a transaction may carry. A node that refuses to
   * estimate because an inner call runs out of gas at any limit (Hardhat does, for a consumer callback that burns
   * all the gas the hub forwards it; the hub catches that) gets the call simulated at growing limits instead
   * (findGas).
   */
  async estimate(call: ContractCall, label: string): Promise<bigint> {
    const data = encodeFunctionData({ abi: call.abi as Abi, functionName: call.functionName as string, args: call.args as unknown[] });
    const ceiling = await this.gasCeiling();
    let gas: bigint;
    try {
      gas = await this.o.publicClient.estimateGas({ account: this.address, to: call.address, data, value: call.value });
    } catch (err) {
      if (!isInnerOutOfGasRefusal(err)) throw this.rejected(err, label, call, "estimating");
      gas = (await this.findGas(call, label, { ceiling })).gas;
    }
    if (gas > ceiling) throw new TxRejectedError(`${label} needs ${gas} gas, more than a transaction may carry (${ceiling})`);
    const withMargin = (gas * BigInt(100 + this.o.gasMarginPercent)) / 100n;
    return withMargin < ceiling ? withMargin : ceiling;
  }

  /**
   * The least of `from`, 2·from, 4·from … (then `ceiling`) the call is taken at: it does not revert and `accepts` its
   * result (by default: no `false` among the bools a batch entry point returns, so no item was starved). The hub
   * reverts a call that cannot forward a callback its full gas, so a call taken at a limit starved nothing. Throws
   * the call's revert at the ceiling.
   */
  async findGas<T = unknown>(
    call: ContractCall,
    label: string,
    o: { from?: bigint; ceiling?: bigint; accepts?: (result: T) => boolean } = {},
  ): Promise<{ gas: bigint; result: T }> {
    const ceiling = o.ceiling ?? (await this.gasCeiling());
    const accepts = o.accepts ?? ((r: T) => !(Array.isArray(r) && r.includes(false)));
    for (let gas = o.from ?? 1_000_000n; gas < ceiling; gas *= 2n) {
      try {
        const result = await this.simulate<T>(call, label, gas);
        if (accepts(result)) return { gas, result };
      } catch (err) {
        if (!(err instanceof TxRejectedError)) throw err;
      }
    }
    return { gas: ceiling, result: await this.simulate<T>(call, label, ceiling) };
  }

  /**
   * The most gas one transaction may ask for: the next block's gas limit (read again after 30 s), never above
   * EIP-7825's 2^24.
   */
  async gasCeiling(): Promise<bigint> {
    if (!this.blockGasLimit || Date.now() - this.blockGasLimit.at > 30_000) {
      // The block being built next is where the transaction must fit (a limit change shows there first).
      const pc = this.o.publicClient;
      const block = await pc.getBlock({ blockTag: "pending" }).catch(() => pc.getBlock({ blockTag: "latest" }));
      this.blockGasLimit = { at: Date.now(), value: block.gasLimit };
    }
    return this.blockGasLimit.value < TX_GAS_CAP ? this.blockGasLimit.value : TX_GAS_CAP;
  }

  private done(label: string, receipt: TransactionReceipt, first: { nonce: number; sentAt: number }, resends: number): SendReturnType {
    this.o.metrics?.txGas.observe({ action: label }, Number(receipt.gasUsed));
    this.o.metrics?.txSent.inc({ action: label, outcome: receipt.status === "success" ? "mined" : "reverted" });
    return { receipt, hash: receipt.transactionHash, nonce: first.nonce, resends, sentAt: first.sentAt, minedAt: Date.now() };
  }

  /**
   * Gives up on `nonce`: replaces whatever is pending there with a self-transfer of 0 at bumped fees, so the nonce is
   * used and the key never stalls behind a transaction nobody will mine. Waits (one receipt timeout per attempt, up
   * to maxResends) for any transaction of that nonce to be mined and returns its receipt: the original may still win
   * the race, and then the caller reports it as sent.
   */
  private async cancel(nonce: number, previous: Fees, hashes: Hash[], label: string): Promise<TransactionReceipt | null> {
    let fees = previous;
    const all = [...hashes];
    for (let attempt = 0; attempt <= this.o.maxResends; attempt++) {
      fees = bumpFees(fees, await this.currentFees(true), this.o.feeBumpPercent);
      try {
        const hash = await this.signAndSend({ to: this.address, data: "0x", value: 0n, gas: 21_000n, nonce, fees });
        all.push(hash);
        this.o.metrics?.txSent.inc({ action: label, outcome: "cancelled" });
        this.o.logger?.warn({ label, nonce, hash, maxFeePerGas: String(fees.maxFeePerGas) }, "given-up nonce cancelled with a self-transfer");
      } catch (err) {
        // "nonce too low": something of this nonce was mined meanwhile; the wait below finds it.
        if (!isNonceError(fullMessage(err))) this.o.logger?.warn({ err: errorMessage(err), label, nonce }, "cancel failed");
      }
      const mined = await this.waitForAnyReceipt(all, this.o.receiptTimeoutMs);
      if (mined) return mined;
      if ((await this.o.publicClient.getTransactionCount({ address: this.address, blockTag: "latest" })) > nonce) return null;
    }
    this.o.logger?.error({ label, nonce }, "could not cancel the nonce; later transactions of this key may wait behind it");
    return null;
  }

  /** Forget the cached nonce (e.g. after another tool used the key). */
  resetNonce(): void {
    this.nextNonce = undefined;
  }

  private async reserveNonce(): Promise<number> {
    if (this.nextNonce === undefined) {
      this.nextNonce = await this.o.publicClient.getTransactionCount({ address: this.address, blockTag: "pending" });
    }
    return this.nextNonce;
  }

  private async signAndSend(tx: { to: Address; data: `0x${string}`; value?: bigint; gas: bigint; nonce: number; fees: Fees }): Promise<Hash> {
    const account = this.o.walletClient.account;
    if (!account.signTransaction) throw new ChainError("the sender needs a local account (private key)");
    const serialized = await account.signTransaction({
      chainId: this.o.walletClient.chain.id,
      type: "eip1559",
      to: tx.to,
      data: tx.data,
      value: tx.value ?? 0n,
      gas: tx.gas,
      nonce: tx.nonce,
      maxFeePerGas: tx.fees.maxFeePerGas,
      maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas,
    });
    return this.o.publicClient.sendRawTransaction({ serializedTransaction: serialized });
  }

  private async currentFees(fresh = false): Promise<Fees> {
    if (!fresh && this.feeCache && Date.now() - this.feeCache.at < 1000) return this.feeCache.fees;
    const f = await this.o.publicClient.estimateFeesPerGas();
    const fees = { maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas };
    this.feeCache = { at: Date.now(), fees };
    return fees;
  }

  private async waitForAnyReceipt(hashes: Hash[], timeoutMs: number): Promise<TransactionReceipt | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const hash of hashes) {
        const receipt = await this.o.publicClient.getTransactionReceipt({ hash }).catch(() => null);
        if (receipt) return receipt;
      }
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, this.o.pollIntervalMs));
    }
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => {});
    return run;
  }

  private rejected(err: unknown, label: string, call: ContractCall<Abi>, doing = "simulating"): Error {
    const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (revert instanceof ContractFunctionRevertedError) {
      return new TxRejectedError(`${label} would revert: ${revert.data?.errorName ?? revert.reason ?? "unknown reason"}`, {
        cause: err,
        metaMessages: revert.data?.args ? [`  args: ${revert.data.args.map(String).join(", ")}`] : [],
      });
    }
    // Plain eth_call errors carry raw revert data; decode it with the call's ABI.
    const raw = (err instanceof BaseError ? err.walk((e) => typeof (e as { data?: unknown }).data === "string") : null) as { data?: `0x${string}` } | null;
    if (raw?.data && raw.data.length >= 10) {
      const decoded = new ContractFunctionRevertedError({ abi: call.abi, data: raw.data, functionName: call.functionName as string });
      return new TxRejectedError(`${label} would revert: ${decoded.data?.errorName ?? decoded.reason ?? raw.data}`, {
        cause: err,
        metaMessages: decoded.data?.args ? [`  args: ${decoded.data.args.map(String).join(", ")}`] : [],
      });
    }
    // A revert without data the ABI names (no reason, a require without message): still the call's rejection.
    if (err instanceof BaseError && err.walk((e) => e instanceof ExecutionRevertedError)) return new TxRejectedError(`${label} would revert: ${errorMessage(err)}`, { cause: err });
    // Out of gas at the limit it was run with (the node's answer, not a revert; Hardhat: "Transaction ran out of gas",
    // geth and reth: "out of gas", anvil: "OutOfGas"): the same call fails the same way again, so it is the call's
    // rejection at that limit (a batcher splits the batch), not trouble with the node.
    if (err instanceof BaseError && err.walk((e) => OUT_OF_GAS.test(`${(e as Error).message} ${(e as { details?: string }).details ?? ""}`))) {
      return new TxRejectedError(`${label} would run out of gas at that limit`, { cause: err });
    }
    return new ChainError(`${doing} ${label} failed`, { cause: err, details: errorMessage(err) });
  }
}

/** A node's words for a call that ran out of gas at its limit (Hardhat, geth/reth, anvil). */
const OUT_OF_GAS = /\bout of gas\b|\bOutOfGas\b/i;

/** EIP-7825 (Osaka): no transaction may ask for more gas than 2^24, whatever the block's limit. */
export const TX_GAS_CAP = 16_777_216n;

/** Hardhat's refusal to estimate a call whose inner call runs out of gas regardless of the limit (data.reason
 * "InternalCallOutOfGas"): the call itself succeeds, only the estimate is refused. */
function isInnerOutOfGasRefusal(err: unknown): boolean {
  if (!(err instanceof BaseError)) return false;
  return !!err.walk((e) => {
    const data = (e as { data?: unknown }).data;
    return (typeof data === "object" && data !== null && (data as { reason?: unknown }).reason === "InternalCallOutOfGas") || /internal call runs out of gas regardless/i.test((e as Error).message ?? "");
  });
}
