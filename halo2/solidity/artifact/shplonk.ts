// The SHPLONK section (Halo2Verifier.sol _shplonk): the distinct opening rotations as ω^rot, then per rotation set
// its point indices, its Lagrange constants, and per commitment a base (proof point, VK point or the quotient) plus
// each point's evaluation source (a proof offset, or EVAL_H for the computed h(x)).
import { inv, mul, parseHex, pow, sub } from "../../field.js";
import type { CircuitDescription } from "../../circuit/types.js";
import { ArtifactError, BASE, EVAL_H, Writer } from "./format.js";
import type { ProofLayout } from "./inputs.js";

/** Proof section holding each kind of prover commitment (name prefix before ':'). */
const PROOF_POINT_SECTIONS: Record<string, string> = {
  advice: "advice_commitments",
  perm_z: "permutation_z_commitments",
  phi: "lookup_phi_commitments",
  m: "lookup_m_commitments",
  random: "vanishing_random_commitment",
};

export function encodeShplonk(desc: CircuitDescription, layout: ProofLayout): Writer {
  const d = desc.derived;
  const omega = parseHex(desc.omega);
  const omegaInv = parseHex(desc.omegaInv);
  const rootOf = (rot: number) => (rot >= 0 ? pow(omega, BigInt(rot)) : pow(omegaInv, BigInt(-rot)));
  const rotations: number[] = [];
  for (const o of d.openings) if (!rotations.includes(o.rotation)) rotations.push(o.rotation);
  const sh = new Writer();
  sh.u8(rotations.length);
  for (const r of rotations) sh.word(rootOf(r));
  sh.u8(d.rotationSets.length);
  const numFixed = desc.fixedCommitments.length;
  const evalSource = (commitment: string, rotation: number) => {
    const o = d.openings.find((x) => x.commitment === commitment && x.rotation === rotation);
    if (!o) throw new ArtifactError(`no opening of ${commitment} at rotation ${rotation}`);
    return o.evalOffset === null ? EVAL_H : o.evalOffset;
  };
  for (const set of d.rotationSets) {
    sh.u8(set.rotations.length);
    for (const r of set.rotations) sh.u8(rotations.indexOf(r));
    // C_k = 1 / Π_{l≠k} (ω^{r_k} − ω^{r_l}); the verifier multiplies by x^{-(m-1)} and Π_{l≠k} (u − x·ω^{r_l}).
    for (const rk of set.rotations) {
      let den = 1n;
      for (const rl of set.rotations) if (rl !== rk) den = mul(den, sub(rootOf(rk), rootOf(rl)));
      sh.word(inv(den));
    }
    sh.u8(set.commitments.length);
    for (const c of set.commitments) {
      const [kind, idxText] = c.split(":");
      const i = Number(idxText);
      if (c === "h") {
        sh.u8(BASE.quotient);
        sh.u16(0);
      } else if (kind === "fixed" || kind === "sigma") {
        sh.u8(BASE.vkPoint);
        sh.u16(kind === "fixed" ? i : numFixed + i);
      } else {
        const section = PROOF_POINT_SECTIONS[kind];
        if (!section) throw new ArtifactError(`unknown commitment ${c}`);
        sh.u8(BASE.proofPoint);
        sh.u16(layout.pointOffset(section, kind === "random" ? 0 : i));
      }
      for (const r of set.rotations) sh.u16(evalSource(c, r));
    }
  }
  return sh;
}
