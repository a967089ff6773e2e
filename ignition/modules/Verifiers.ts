import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Verifier adapters are per model (each wraps the Halo2 verifier that has that model's verifying key baked in), so
 * they are deployed when a model is registered, not with the protocol. The adapter's address is the model's
 * `verifier` (TWINPATH_VERIFIER for scripts/register-model.ts).
 *
 * Default export, module id "Verifiers": EzklHalo2Adapter over an EZKL-generated verifier already deployed at
 * parameter `halo2Verifier`. Deploy once per model, each under its own deployment id:
 *
 *   npx hardhat ignition deploy ignition/modules/Verifiers.ts --network localhost \
 *     --parameters '{"Verifiers":{"halo2Verifier":"0x..."}}' --deployment-id verifier-iris-mlp
 */
export default buildModule("Verifiers", (m) => {
  const halo2Verifier = m.getParameter<string>("halo2Verifier");
  const ezklHalo2Adapter = m.contract("EzklHalo2Adapter", [halo2Verifier]);
  return { ezklHalo2Adapter };
});

/**
 * Module id "ReusableVerifiers": EzklReusableHalo2Adapter over EZKL's reusable verifier (parameter
 * `reusableVerifier`) with the model's verifying-key artifact (parameter `vka`) fixed in the adapter.
 */
export const ReusableVerifiersModule = buildModule("ReusableVerifiers", (m) => {
  const reusableVerifier = m.getParameter<string>("reusableVerifier");
  const vka = m.getParameter<string>("vka");
  const ezklReusableHalo2Adapter = m.contract("EzklReusableHalo2Adapter", [reusableVerifier, vka]);
  return { ezklReusableHalo2Adapter };
});
