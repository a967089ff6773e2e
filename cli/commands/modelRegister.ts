/**
 * `twinpath model register <bundle>`: registers a bundle in the ModelRegistry. Everything the registry checks comes
 * from the bundle (compiler/registration.ts): the artifact hashes, shapes and scales, the admitted input domain and
 * the tolerance; for ZKML_ONCHAIN and OPTIMISTIC the bundle's own on-chain verifier is deployed (halo2/solidity)
 * unless --verifier names one. On the `twinpath dev up` chain the bundle is also served to the running workers.
 */
import { Command, Option } from "commander";
import { zeroAddress, type Address } from "viem";
import { loadBundleManifest, manifestToModelSpec } from "../../compiler/registration.js";
import { serveBundle } from "../../devnet/dev/serve.js";
import { writeDevState } from "../../devnet/dev/state.js";
import { deployVerifierForBundle } from "../../halo2/solidity/forBundle.js";
import { type VerificationModeName } from "../../protocol/enums.js";
import { registerModel } from "../../workers/chain/registerModel.js";
import { parseAddress, parseAmount, parseMode, parseUint } from "../args.js";
import { contextOf, optionsOf } from "../command.js";
import { eth } from "../output.js";
import { ensureBundleProvingKey } from "./provingKey.js";

interface RegisterFlags {
  mode: VerificationModeName;
  verifier?: Address;
  halo2Verifier?: Address;
  price: bigint;
  tolerance?: bigint;
  previous?: bigint;
  labels?: string[];
  serve: boolean;
  json?: boolean;
}

export function registerCommand(): Command {
  return new Command("register")
    .description(
      "Register a model bundle (from `twinpath model build`) in the ModelRegistry: the artifact hashes, shapes, scales, " +
        "admitted input domain and tolerance come from the bundle's manifest; the proving key is derived when the bundle " +
        "has none; ZKML_ONCHAIN and OPTIMISTIC models get the bundle's on-chain Halo2 verifier deployed. On the " +
        "`twinpath dev up` chain the bundle is also served to the running workers.",
    )
    .argument("<bundle>", "the bundle folder (with manifest.json)")
    .addOption(new Option("-m, --mode <mode>", "how results settle: attested (a stake quorum of verification nodes checks the proof), onchain (the hub verifies it), optimistic (challenge window)").default("ZKML_ATTESTED", "attested").argParser(parseMode))
    .addOption(new Option("--verifier <address>", "an already deployed IProofVerifier for onchain/optimistic (default: deploy the bundle's)").argParser(parseAddress))
    .addOption(new Option("--halo2-verifier <address>", "reuse this deployed Halo2Verifier when deploying the bundle's verifier (it is circuit-independent)").argParser(parseAddress))
    .addOption(new Option("--price <amount>", "minimum fee per request: 0.001 (ETH), 20gwei, 1000wei").default(0n, "0").argParser(parseAmount))
    .addOption(new Option("--tolerance <units>", "max |fast - proven| per output element in fixed-point units (default and minimum: the bundle's)").argParser(parseUint))
    .addOption(new Option("--previous <modelId>", "register as a new version of this model (you must own it)").argParser(parseUint))
    .addOption(new Option("--labels <names>", "class names of the output, comma-separated: `twinpath request` prints the answer's label").argParser((v) => v.split(",").map((s) => s.trim())))
    .option("--no-serve", "on the dev chain, do not copy the bundle to the running workers")
    .option("--json", "print the registration as JSON")
    .action(async (bundle: string, _o, cmd: Command) => {
      const o = optionsOf<RegisterFlags>(cmd);
      const ctx = contextOf(cmd);
      const loaded = await loadBundleManifest(bundle);
      const m = loaded.manifest;
      if (o.labels && o.labels.length !== m.output.shape.reduce((a, b) => a * b, 1)) {
        ctx.out.warn(`--labels has ${o.labels.length} names for an output of ${m.output.shape.reduce((a, b) => a * b, 1)} values`);
      }
      const [chain, a, wallet] = await Promise.all([ctx.chain(), ctx.addresses(), ctx.wallet()]);

      let done = ctx.out.step(`checking bundle ${m.name} and its proving key`);
      const complete = ensureBundleProvingKey(bundle, ctx.home, () => ctx.out.note("  deriving the proving key (keygen)…"));
      done(complete.source === "bundle" ? "pk.key present" : `pk.key ${complete.source} in ${complete.dir}`);

      let verifier = o.verifier;
      if (o.mode !== "ZKML_ATTESTED" && verifier === undefined) {
        done = ctx.out.step(`deploying ${m.name}'s on-chain Halo2 verifier`);
        const d = await deployVerifierForBundle({ walletClient: wallet as never, publicClient: chain.client as never }, complete.dir, { verifier: o.halo2Verifier });
        verifier = d.adapter;
        done(`adapter ${d.adapter} (Halo2Verifier ${d.verifier}, ${d.gasUsed.toLocaleString("en-US")} gas)`);
      }
      const spec = manifestToModelSpec(loaded, { mode: o.mode, verifier: verifier ?? zeroAddress, price: o.price, tolerance: o.tolerance });

      done = ctx.out.step(`registering ${m.name} (${o.mode}) in ModelRegistry ${a.modelRegistry}`);
      const r = await registerModel(wallet, chain.client, { modelRegistry: a.modelRegistry, spec, previous: o.previous });
      done(`model #${r.modelId}`);

      let served: string | undefined;
      if (chain.dev && o.serve) {
        done = ctx.out.step("serving the bundle to the dev stack's workers");
        served = serveBundle(complete.dir, chain.dev.bundlesDir);
        chain.dev.models.push({ name: m.name, modelId: r.modelId, mode: o.mode, bundleDir: served, manifestHash: loaded.manifestHash, labels: o.labels });
        writeDevState(chain.dev);
        done(served);
      }

      const result = {
        modelId: r.modelId,
        name: m.name,
        mode: o.mode,
        verifier: spec.verifier,
        price: spec.price,
        tolerance: spec.tolerance,
        input: { shape: spec.inputShape, scale: spec.inputScale, lower: spec.inputLower, upper: spec.inputUpper },
        output: { shape: spec.outputShape, scale: spec.outputScale },
        manifestHash: loaded.manifestHash,
        transactionHash: r.hash,
        gasUsed: r.receipt.gasUsed,
        bundle: complete.dir,
        served,
      };
      ctx.out.result(result, () => [
        `model #${r.modelId}: ${m.name}, ${o.mode}${spec.verifier !== zeroAddress ? ` (verifier ${spec.verifier})` : ""}, price ${eth(spec.price)}`,
        `  input  [${spec.inputShape.join(",")}] at scale ${spec.inputScale}, admitted ${domainText(spec.inputLower, spec.inputUpper, spec.inputScale)}`,
        `  output [${spec.outputShape.join(",")}] at scale ${spec.outputScale}, tolerance ${spec.tolerance} unit(s)`,
        `  manifest ${loaded.manifestHash}, tx ${r.hash}`,
        ...(o.mode === "ZKML_ATTESTED" ? [] : []),
        ...(chain.dev ? (served ? [`  served to the dev workers from ${served}`] : ["  not served (--no-serve): the dev workers cannot run it"]) : [`  operators: put ${complete.dir} in the workers' MODEL_STORE_DIR and BUNDLE_DIRS`]),
        "",
        `next: npx twinpath request --model ${r.modelId} --input '[…]'`,
      ]);
    });
}

/** The admitted domain as real numbers: one interval for all elements, or per element. */
function domainText(lower: readonly bigint[], upper: readonly bigint[], scale: number): string {
  const f = (v: bigint) => Number(v) / 2 ** scale;
  const iv = (i: number) => `[${f(lower[i])}, ${f(upper[i])}]`;
  if (lower.length === 1) return `${iv(0)} for every element`;
  const all = lower.map((_, i) => iv(i));
  return all.every((x) => x === all[0]) ? `${all[0]} for every element` : all.join(" ");
}
