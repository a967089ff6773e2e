import { encodeAbiParameters, keccak256, type Hex } from "viem";

/**
 * Public instances of a Twinpath proof: the request's fixed-point input followed by the output, as BN254 scalar
 * field elements (v >= 0 ? v : r - |v|), in EZKL's single instance column. The same rule as the hub's
 * Instances.build (contracts/libraries/Instances.sol), so `instancesHash` equals the hub's record.
 */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const BOUND = 2n ** 127n;

export class InstanceRangeError extends RangeError {
  override name = "InstanceRangeError";
}

export function toField(v: bigint, index: number): bigint {
  if (v >= BOUND || v <= -BOUND) throw new InstanceRangeError(`instance ${index} (${v}) is outside (-2^127, 2^127)`);
  return v >= 0n ? v : FIELD_MODULUS + v;
}

/** Field element -> signed fixed-point integer (values above r/2 are negative). */
export const fromField = (f: bigint): bigint => (f > FIELD_MODULUS / 2n ? f - FIELD_MODULUS : f);

export function buildInstances(input: readonly bigint[], output: readonly bigint[]): bigint[] {
  return [...input, ...output].map((v, i) => toField(v, i));
}

/**
 * Instances of a batch version's proof (the hub's Instances.buildBatch): every slot's input in slot order (the
 * requests', then zeros for each padded slot), then every slot's output. `outputs` has one entry per slot (padded
 * slots too: whatever the circuit computes for zeros).
 */
export function buildBatchInstances(inputs: readonly (readonly bigint[])[], outputs: readonly (readonly bigint[])[], inputLength: number): bigint[] {
  if (inputs.length > outputs.length) throw new RangeError(`${inputs.length} requests for ${outputs.length} slots`);
  inputs.forEach((input, i) => {
    if (input.length !== inputLength) throw new RangeError(`slot ${i}: ${input.length} inputs, the version takes ${inputLength}`);
  });
  const padding = new Array<bigint>((outputs.length - inputs.length) * inputLength).fill(0n);
  return [...inputs.flat(), ...padding, ...outputs.flat()].map((v, i) => toField(v, i));
}

/** keccak256(abi.encode(uint256[] instances)): what the hub records as instancesHash. */
export const instancesHash = (instances: readonly bigint[]): Hex => keccak256(encodeAbiParameters([{ type: "uint256[]" }], [instances]));

/** keccak256(abi.encode(int256[] values)): the hub's input/output hash. */
export const valuesHash = (values: readonly bigint[]): Hex => keccak256(encodeAbiParameters([{ type: "int256[]" }], [values]));

/** Largest |a_i - b_i| (Infinity when lengths differ): what the hub compares with a model's tolerance. */
export function maxAbsDiff(a: readonly bigint[], b: readonly bigint[]): number {
  if (a.length !== b.length) return Infinity;
  let max = 0n;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    const abs = d < 0n ? -d : d;
    if (abs > max) max = abs;
  }
  return Number(max);
}
