/** Argument parsers shared by the commands (commander calls them; a bad value fails with the reason). */
import { InvalidArgumentError, Option } from "commander";
import { getAddress, isAddress, parseEther, parseGwei, type Address } from "viem";
import { NodeRole, nodeRoleNames, VerificationMode, verificationModeNames, type NodeRoleName, type VerificationModeName } from "../protocol/enums.js";

/** An amount of native token: "0.5" (ETH), "0.5eth", "20gwei" or "1000wei". */
export function parseAmount(value: string): bigint {
  const v = value.trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*(eth|gwei|wei)?$/.exec(v);
  if (!m) throw new InvalidArgumentError(`expected an amount such as 0.05 (ETH), 20gwei or 1000wei`);
  const [, num, unit = "eth"] = m;
  if (unit === "wei") {
    if (num.includes(".")) throw new InvalidArgumentError("wei amounts are whole numbers");
    return BigInt(num);
  }
  return unit === "gwei" ? parseGwei(num) : parseEther(num);
}

export function parseUint(value: string): bigint {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError("expected a non-negative integer");
  return BigInt(value.trim());
}

export function parseIndex(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1_000) throw new InvalidArgumentError("expected an account index (0, 1, 2, …)");
  return n;
}

export function parseAddress(value: string): Address {
  if (!isAddress(value, { strict: false })) throw new InvalidArgumentError("expected a 0x-prefixed 20-byte address");
  return getAddress(value);
}

/** Role names as the contracts name them (NodeRole), case-insensitive on the command line. */
export const roleChoices = nodeRoleNames.map((n) => n.toLowerCase());
export const roleOf = (name: string): { role: NodeRole; roleName: NodeRoleName } => {
  const roleName = nodeRoleNames.find((n) => n.toLowerCase() === name.toLowerCase());
  if (!roleName) throw new InvalidArgumentError(`unknown role '${name}' (${roleChoices.join(", ")})`);
  return { role: NodeRole[roleName], roleName };
};
export const roleOption = (description: string) => new Option("-r, --role <role>", description).choices(roleChoices);

/** Verification modes: the contracts' names (ZKML_ATTESTED) or short ones (attested, onchain, optimistic). */
const SHORT_MODES: Record<string, VerificationModeName> = { attested: "ZKML_ATTESTED", onchain: "ZKML_ONCHAIN", optimistic: "OPTIMISTIC" };
export function parseMode(value: string): VerificationModeName {
  const v = value.trim();
  const mode = SHORT_MODES[v.toLowerCase()] ?? verificationModeNames.find((n) => n === v.toUpperCase());
  if (!mode || VerificationMode[mode] === undefined) throw new InvalidArgumentError(`expected one of ${[...Object.keys(SHORT_MODES), ...verificationModeNames].join(", ")}`);
  return mode;
}
