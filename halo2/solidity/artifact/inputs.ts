// The "inputs" section of Halo2Verifier.sol reads the proof by fixed offsets: every point before `scalarsStart`,
// every scalar in [scalarsStart, h1), then the SHPLONK points h1 and h2. This checks that a circuit's proof layout
// (and its public inputs) fit that shape, and gives the offsets the other sections encode.
import type { CircuitDescription, ProofSection } from "../../circuit/types.js";
import { ArtifactError } from "./format.js";

export interface ProofLayout {
  scalarsStart: number;
  h1Offset: number;
  proofLength: number;
  /** Public values in the one instance column. */
  numInstances: number;
  section(name: string): ProofSection;
  /** Byte offset of the i-th scalar of a scalar section. */
  evalOffset(name: string, i: number): number;
  /** Byte offset of the i-th point of a point section. */
  pointOffset(name: string, i: number): number;
}

export function proofLayout(desc: CircuitDescription): ProofLayout {
  const { cs, derived: d } = desc;
  if (cs.numInstanceColumns !== 1) throw new ArtifactError(`exactly one instance column is supported, the circuit has ${cs.numInstanceColumns}`);
  if (!desc.instanceCounts || desc.instanceCounts.length !== 1) throw new ArtifactError("the circuit's instance count is unknown");
  // EZKL v21 emits neither (its shuffles are mv-lookups); deriveParameters refuses them before this point too.
  if (cs.numChallenges > 0 || cs.shuffles.length > 0) throw new ArtifactError("multi-phase circuits and halo2 shuffle arguments are not supported");
  const sections = new Map(d.proofSections.map((s) => [s.name, s]));
  const section = (name: string) => {
    const s = sections.get(name);
    if (!s) throw new ArtifactError(`proof section ${name} is missing`);
    return s;
  };
  const element = (size: number) => (name: string, i: number) => {
    const s = section(name);
    if (i < 0 || i >= s.count) throw new ArtifactError(`${name}[${i}] is out of range`);
    return s.offset + size * i;
  };

  const scalarsStart = section("advice_evals").offset;
  const h1Offset = section("shplonk_h1").offset;
  for (const s of d.proofSections) {
    const size = s.kind === "point" ? 64 : 32;
    const inPoints = s.offset + s.count * size <= scalarsStart || s.offset >= h1Offset;
    if ((s.kind === "point") !== inPoints) throw new ArtifactError(`unexpected proof layout at section ${s.name}`);
  }
  if (section("shplonk_h2").offset !== h1Offset + 64 || d.proofLength !== h1Offset + 128) throw new ArtifactError("unexpected proof tail");
  if (d.proofLength > 0xffff) throw new ArtifactError("proof too long for 16-bit offsets");
  return {
    scalarsStart,
    h1Offset,
    proofLength: d.proofLength,
    numInstances: desc.instanceCounts[0],
    section,
    evalOffset: element(32),
    pointOffset: element(64),
  };
}
