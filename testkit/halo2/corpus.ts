// Shared setup for the on-chain verifier tests: demo bundles, their descriptions, real engine proofs (cached under
// .twinpath/halo2/), and a deployed Halo2Verifier + verifying artifact + adapter per model.
import fs from "node:fs";
import { loadBundle } from "../../compiler/bundle.js";
import { bundleFiles, describeBundle } from "../../halo2/circuit/describe.js";
import { readSrsVerifierParams, type SrsVerifierParams } from "../../halo2/circuit/encoding.js";
import type { CircuitDescription } from "../../halo2/circuit/types.js";
import { instancesFromProofJson } from "../../halo2/verify/instances.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { cachedEngineProof, type EngineKey } from "./engine.js";
import { loadShuffleCircuit, type ShuffleCircuitName } from "./shuffle-circuit.js";

/** The demo bundles are part of the repository (models/), so these suites always run; kept for their skip options. */
export const SKIP_MODELS: string | false = false;

export interface ModelCase {
  name: string;
  /** Bundle directory ("" for a circuit built by the tests, not from a bundle). */
  dir: string;
  desc: CircuitDescription;
  srs: SrsVerifierParams;
  proof: Uint8Array;
  instances: bigint[];
  /** A second proof of the same model for a different input. */
  otherProof: Uint8Array;
  otherInstances: bigint[];
  engineKey: EngineKey;
  /** Public values that are the model's input (the hub's instances are input ‖ output). */
  inputLength: number;
}

const cache = new Map<string, ModelCase>();

export async function loadModelCase(name: string): Promise<ModelCase> {
  const hit = cache.get(name);
  if (hit) return hit;
  const { dir } = await ensureDemoBundle(name);
  const files = bundleFiles(dir);
  const read = (f: keyof typeof files) => new Uint8Array(fs.readFileSync(files[f]));
  const desc = await describeBundle(dir);
  const vk = read("vk");
  const vkTag = Buffer.from(vk.subarray(7, 15)).toString("hex");
  const inputs = exampleInputs(name, 12);
  // the bundle's proving key (ensureDemoBundle derived, checked and cached it)
  const pk = () => loadBundle(dir, { requirePk: true }).read("pk")!;
  const prove = (i: number, tag: string) =>
    cachedEngineProof(`${name}-${vkTag}${tag}`, read("compiled"), read("srs"), vk, JSON.stringify({ input_data: [inputs[i]] }), pk);
  const pj = prove(0, "");
  const pj2 = prove(11, "-other");
  const c: ModelCase = {
    name,
    dir,
    desc,
    srs: readSrsVerifierParams(read("srs")),
    proof: Uint8Array.from(pj.proof as number[]),
    instances: instancesFromProofJson(pj)[0],
    otherProof: Uint8Array.from(pj2.proof as number[]),
    otherInstances: instancesFromProofJson(pj2)[0],
    engineKey: { vk, settings: read("settings"), srs: read("srs"), proofJsonTemplate: pj },
    inputLength: inputs[0].length,
  };
  cache.set(name, c);
  return c;
}

/** A MaxPool + Softmax circuit (EZKL shuffles) built by compiler/, as a model case. */
export async function loadShuffleModelCase(name: ShuffleCircuitName = "pool-softmax"): Promise<ModelCase> {
  const s = await loadShuffleCircuit({ name });
  return {
    name,
    dir: "",
    desc: s.desc,
    srs: s.srs,
    proof: s.proof,
    instances: s.instances[0],
    otherProof: s.otherProof,
    otherInstances: s.otherInstances[0],
    engineKey: s.engineKey,
    inputLength: s.inputLength,
  };
}

export const hex = (b: Uint8Array) => ("0x" + Buffer.from(b).toString("hex")) as `0x${string}`;
