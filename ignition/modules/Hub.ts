import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import RegistriesModule from "./Registries.js";

/**
 * InferenceHub wired to the registries: deploys the HubRequests, HubLogic, HubParameters and HubViews libraries (the
 * hub's state machine, its parameter bounds and its request views, linked into it), the AttestationQuorum (electorates and votes of verification nodes), the
 * hub with its protocol parameters, then lets
 * the hub slash and count duties (`NodeRegistry.setHub`, from the registry admin = the deployer) and serve the quorum
 * (`AttestationQuorum.setHub`). The registry's unbonding delay must exceed the hub's longestWindow() (epoch + max
 * result timeout + max proof timeout + attestation window): both contracts refuse otherwise. To hand the hub to a
 * multisig afterwards, call `transferOwnership(newOwner)` and have the multisig `acceptOwnership()` (two steps).
 *
 * Parameters (module id "Hub"): treasury (address; default the deployer), fee split in basis points
 * (executorBps, proverBps, verifierBps, protocolBps; sum 10000), quorumBps (> 5000), timeouts in seconds
 * (min/default/max for results and proofs), assignmentWindow, proverWindow, attestationWindow, electorateEpoch (s),
 * silenceLimit (rounds), suspension (s), callback gas (default/max), slash amounts (wei) and slashRewardBps. The
 * defaults below are the protocol's defaults (they need an unbonding delay above 8 days and 10 minutes).
 */
export default buildModule("Hub", (m) => {
  const { modelRegistry, nodeRegistry } = m.useModule(RegistriesModule);
  const deployer = m.getAccount(0);
  const treasury = m.getParameter("treasury", deployer);

  const hubLogic = m.library("HubLogic");
  const hubParameters = m.library("HubParameters");
  const hubViews = m.library("HubViews");
  const hubRequests = m.library("HubRequests");
  const attestationQuorum = m.contract("AttestationQuorum", [nodeRegistry, deployer]);
  const parameters = {
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
    proverWindow: m.getParameter("proverWindow", 600),
    attestationWindow: m.getParameter("attestationWindow", 600),
    electorateEpoch: m.getParameter("electorateEpoch", 1),
    silenceLimit: m.getParameter("silenceLimit", 10),
    suspension: m.getParameter("suspension", 604_800),
    executorSlash: m.getParameter("executorSlash", 10n ** 17n),
    proverSlash: m.getParameter("proverSlash", 10n ** 17n),
    verifierSlash: m.getParameter("verifierSlash", 10n ** 17n),
    treasury,
  };
  const inferenceHub = m.contract("InferenceHub", [modelRegistry, nodeRegistry, attestationQuorum, deployer, parameters], {
    libraries: { HubLogic: hubLogic, HubParameters: hubParameters, HubViews: hubViews, HubRequests: hubRequests },
  });
  m.call(nodeRegistry, "setHub", [inferenceHub]);
  m.call(attestationQuorum, "setHub", [inferenceHub]);

  return { inferenceHub, attestationQuorum, hubLogic, modelRegistry, nodeRegistry };
});
