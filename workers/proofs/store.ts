import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { keccak256, type Hex } from "viem";
import { ProofHashMismatchError } from "./errors.js";

const HASH = /^0x[0-9a-f]{64}$/;

/**
 * Content-addressed proof store on local disk: `<dir>/<keccak256>.proof` holds the raw proof bytes (what was
 * submitted on chain). Writes are atomic (temp file + rename); reads re-check the hash, so a corrupt file is
 * never served.
 */
export class ProofStore {
  constructor(readonly dir: string) {}

  static isHash(h: string): h is Hex {
    return HASH.test(h);
  }

  private path(hash: Hex): string {
    return join(this.dir, `${hash.toLowerCase()}.proof`);
  }

  async put(bytes: Uint8Array): Promise<Hex> {
    const hash = keccak256(bytes);
    const target = this.path(hash);
    if (existsSync(target)) return hash;
    await mkdir(this.dir, { recursive: true });
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, target);
    return hash;
  }

  /** The bytes stored under `hash`, or null. Throws ProofHashMismatchError for a corrupt file. */
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
