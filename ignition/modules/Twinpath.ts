import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import HubModule from "./Hub.js";
import RegistriesModule from "./Registries.js";

/**
 * The whole protocol: registries, the hub wired to them, and its parameters. Verifier adapters are per model and
 * deployed with ignition/modules/Verifiers.ts when a model is registered (their address goes into the model spec).
 *
 * Parameters are keyed by the module that declares them ("Registries", "Hub"); see ignition/parameters/*.json.
 */
export default buildModule("Twinpath", (m) => {
  const { modelRegistry, nodeRegistry } = m.useModule(RegistriesModule);
  const { inferenceHub, attestationQuorum } = m.useModule(HubModule);
  return { modelRegistry, nodeRegistry, inferenceHub, attestationQuorum };
});
