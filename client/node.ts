/**
 * Node entry of the client library: everything of the browser entry, plus bundles read from a directory and circuit
 * descriptions derived with the EZKL engine from the registered compiled circuit (the one way to get a circuit's
 * gates without trusting a circuit.json).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describeCircuit } from "../halo2/circuit/describe.js";
import type { CircuitDescription } from "../halo2/circuit/types.js";
import { BundleSourceError } from "./errors.js";
import type { BundleSource, RegisteredBundle } from "./verify/bundle.js";

export * from "./index.js";

/** A bundle folder on disk (the folder with manifest.json). */
export function directoryBundle(dir: string): BundleSource {
  return {
    location: dir.endsWith("/") ? dir : `${dir}/`,
    async read(path) {
      try {
        return new Uint8Array(await readFile(join(dir, path)));
      } catch (cause) {
        throw new BundleSourceError(`cannot read ${join(dir, path)}`, { cause });
      }
    },
  };
}

/**
 * The circuit description of a registered bundle (loadRegisteredBundle's result: every file checked against the
 * registry), derived by the engine from its compiled circuit, settings, SRS and verifying key (halo2/circuit/
 * describe.ts: the gates come from the circuit itself and every commitment is checked against the VK). Pass it as
 * verifySettledResult's `circuit`. Takes a few seconds; cache the result per model.
 */
export function deriveCircuit(bundle: RegisteredBundle): Promise<CircuitDescription> {
  const f = bundle.files;
  return describeCircuit({ compiled: f.compiled, settings: f.settings, srs: f.srs, vk: f.vk });
}
