import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { keccak256, type Hex } from "viem";
import { VerificationMode } from "../../protocol/enums.js";
import { ProofHashMismatchError } from "./errors.js";

const HASH = /^0x[0-9a-f]{64}$/;

/**
 * Content-addressed proof store on local disk: `<dir>/<keccak256>.proof` holds the raw proof bytes. Writes are
 * atomic (temp file + rename); reads re-check the hash, so a corrupt file is never served. A proof kept with
 * `putPending` (`<dir>/pending/<keccak256>.proof`) is not served until `publish`: a ZKML_ATTESTED prover publishes
 * only once its own commitment is mined, so nobody can fetch the bytes of a hash copied from its pending
 * transaction and commit them as their own.
 */
export class ProofStore {
  constructor(readonly dir: string) {}

  static isHash(h: string): h is Hex {
    return HASH.test(h);
  }

  private path(hash: Hex): string {
    return join(this.dir, `${hash.toLowerCase()}.proof`);
  }

  private pendingPath(hash: Hex): string {
    return join(this.dir, "pending", `${hash.toLowerCase()}.proof`);
  }

  /** Keeps and serves `bytes` now. Returns their keccak256. */
  async put(bytes: Uint8Array): Promise<Hex> {
    const hash = keccak256(bytes);
    await writeAtomic(this.path(hash), bytes);
    return hash;
  }

  /**
   * Keeps the bytes of a proof of a model in `mode`: a ZKML_ATTESTED proof unserved until its prover's own commitment
   * is mined (`publish`), any other served at once (its bytes go on chain anyway). Returns their keccak256.
   */
  keep(bytes: Uint8Array, mode: VerificationMode): Promise<Hex> {
    return mode === VerificationMode.ZKML_ATTESTED ? this.putPending(bytes) : this.put(bytes);
  }

  /** Keeps `bytes` without serving them (until `publish`). Returns their keccak256. */
  async putPending(bytes: Uint8Array): Promise<Hex> {
    const hash = keccak256(bytes);
    if (!existsSync(this.path(hash))) await writeAtomic(this.pendingPath(hash), bytes);
    return hash;
  }

  /** Starts serving a proof kept with putPending. False if there is none (nor a published one). */
  async publish(hash: Hex): Promise<boolean> {
    const target = this.path(hash);
    if (existsSync(target)) return true;
    const pending = this.pendingPath(hash);
    if (!existsSync(pending)) return false;
    await rename(pending, target);
    return true;
  }

  /** The published bytes stored under `hash`, or null. Throws ProofHashMismatchError for a corrupt file. */
  async get(hash: Hex): Promise<Uint8Array | null> {
    if (!ProofStore.isHash(hash.toLowerCase())) return null;
    const target = this.path(hash);
    if (!existsSync(target)) return null;
    const bytes = new Uint8Array(await readFile(target));
    const actual = keccak256(bytes);
    if (actual !== hash.toLowerCase()) {
      throw new ProofHashMismatchError(`stored proof ${hash} is corrupt`, { metaMessages: [`  keccak256 of the file: ${actual}`] });
    }
    return bytes;
  }
}

async function writeAtomic(target: string, bytes: Uint8Array): Promise<void> {
  if (existsSync(target)) return;
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, target);
}
