import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import RegistriesModule from "./Registries.js";

/**
 * InferenceHub wired to the registries: deploys the hub, lets it slash (`NodeRegistry.setHub`, from the registry
 * admin = the deployer) and sets the protocol parameters in one `setParameters` call (from the hub owner = the deployer). To hand the hub to a
 * multisig afterwards, call `transferOwnership(newOwner)` and have the multisig `acceptOwnership()` (two steps).
 *
 * Parameters (module id "Hub"): treasury (address; default the deployer), fee split in basis points
 * (executorBps, proverBps, verifierBps, protocolBps; sum 10000), quorumBps (> 5000), timeouts in seconds
 * (min/default/max for results and proofs), assignmentWindow (s), callback gas (default/max), slash amounts (wei)
 * and slashRewardBps.
 */
export default buildModule("Hub", (m) => {
  const { modelRegistry, nodeRegistry } = m.useModule(RegistriesModule);
  const deployer = m.getAccount(0);
  const treasury = m.getParameter("treasury", deployer);

  const inferenceHub = m.contract("InferenceHub", [modelRegistry, nodeRegistry, deployer, treasury]);
  m.call(nodeRegistry, "setHub", [inferenceHub]);

  // One call sets every protocol parameter (HubParameters.setParameters checks each bound); the defaults here
  // equal the hub's constructor defaults, so an empty parameters file changes nothing.
  m.call(
    inferenceHub,
    "setParameters",
    [
      {
        executorBps: m.getParameter("executorBps", 4_000),
        proverBps: m.getParameter("proverBps", 3_000),
        verifierBps: m.getParameter("verifierBps", 2_000),
        protocolBps: m.getParameter("protocolBps", 1_000),
        quorumBps: m.getParameter("quorumBps", 6_666),
        slashRewardBps: m.getParameter("slashRewardBps", 5_000),
        assignmentWindow: m.getParameter("assignmentWindow", 30),
        minResultTimeout: m.getParameter("minResultTimeout", 10),
        defaultResultTimeout: m.getParameter("defaultResultTimeout", 300),
        maxResultTimeout: m.getParameter("maxResultTimeout", 86_400),
        minProofTimeout: m.getParameter("minProofTimeout", 60),
        defaultProofTimeout: m.getParameter("defaultProofTimeout", 3_600),
        maxProofTimeout: m.getParameter("maxProofTimeout", 604_800),
        defaultCallbackGas: m.getParameter("defaultCallbackGas", 200_000),
        maxCallbackGas: m.getParameter("maxCallbackGas", 2_000_000),
        executorSlash: m.getParameter("executorSlash", 10n ** 17n),
        proverSlash: m.getParameter("proverSlash", 10n ** 17n),
        verifierSlash: m.getParameter("verifierSlash", 10n ** 17n),
        treasury,
      },
    ],
    { id: "setParameters" },
  );

  return { inferenceHub, modelRegistry, nodeRegistry };
});
