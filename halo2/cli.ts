// Command line: describe a bundle's circuit, or verify an engine proof JSON with the TS verifier.
//   node --import tsx halo2/cli.ts describe <bundleDir>
//   node --import tsx halo2/cli.ts verify <bundleDir> <proof.json>
import fs from "node:fs";
import { bundleFiles, describeBundle } from "./circuit/describe.js";
import { readSrsVerifierParams } from "./circuit/encoding.js";
import { instancesFromProofJson } from "./verify/instances.js";
import { verifyProofDetailed } from "./verify/verifier.js";

const USAGE = "usage: halo2/cli.ts describe <bundleDir> | verify <bundleDir> <proof.json>";

async function main(argv: string[]): Promise<number> {
  const [cmd, dir, proofPath] = argv;
  if (cmd === "describe" && dir) {
    const d = await describeBundle(dir);
    console.log(
      JSON.stringify(
        {
          vkDigest: d.vkDigest,
          k: d.k,
          csDegree: d.derived.csDegree,
          advice: d.cs.numAdviceColumns,
          fixed: d.cs.numFixedColumns,
          gates: d.cs.gates.length,
          lookups: d.cs.lookups.length,
          permutationColumns: d.cs.permutationColumns.length,
          proofLength: d.derived.proofLength,
          instanceCounts: d.instanceCounts,
          checks: d.checks,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  if (cmd === "verify" && dir && proofPath) {
    const desc = await describeBundle(dir);
    const srs = readSrsVerifierParams(new Uint8Array(fs.readFileSync(bundleFiles(dir).srs)));
    const pj = JSON.parse(fs.readFileSync(proofPath, "utf8"));
    if (!Array.isArray(pj.proof)) throw new Error(`${proofPath}: no proof byte array`);
    const t = performance.now();
    const res = verifyProofDetailed(desc, Uint8Array.from(pj.proof as number[]), instancesFromProofJson(pj), srs);
    console.log(JSON.stringify({ ...res, ms: Math.round(performance.now() - t) }));
    return res.ok ? 0 : 1;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`halo2/cli: ${(e as Error).message}`);
    process.exit(2);
  },
);
