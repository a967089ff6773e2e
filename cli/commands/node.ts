/**
 * `twinpath node register|stake|unbond|withdraw|status`: a node operator's stake, with role names from the
 * contracts' NodeRole enum (executor, prover, verifier). Transactions go through workers/chain/staking.ts.
 */
import { Command, Option } from "commander";
import type { Address } from "viem";
import { getNodeStatus, type NodeStatus } from "../../workers/chain/getNodeStatus.js";
import { beginUnbonding, increaseStake, registerNode, withdrawHubBalance, withdrawUnbonded, type StakingReturnType } from "../../workers/chain/staking.js";
import { parseAddress, parseAmount, roleChoices, roleOf, roleOption } from "../args.js";
import { contextOf, optionsOf } from "../command.js";
import type { CliContext } from "../context.js";
import { CliError, CliUsageError } from "../errors.js";
import { eth, table } from "../output.js";

const tx = (r: StakingReturnType) => ({ transactionHash: r.hash, blockNumber: r.receipt.blockNumber, gasUsed: r.receipt.gasUsed });

const when = (at: bigint, now: bigint) => {
  if (at === 0n) return "-";
  const iso = new Date(Number(at) * 1000).toISOString().replace(".000Z", "Z");
  if (at <= now) return `${iso} (ready)`;
  const s = Number(at - now);
  const left = s >= 86_400 ? `${(s / 86_400).toFixed(1)} d` : s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${s} s`;
  return `${iso} (in ${left})`;
};

/** The status as text: one row per role the node is registered for (or every role when it is registered for none). */
export function formatNodeStatus(s: NodeStatus): string[] {
  const rows = s.roles.filter((r) => r.registered || r.unbonding.amount > 0n);
  const shown = rows.length ? rows : s.roles;
  return [
    `node ${s.node}`,
    table(
      ["role", "registered", "stake", "min stake", "eligible", "open duties", "unbonding", "withdrawable at", "suspended until"],
      shown.map((r) => [
        r.roleName.toLowerCase(),
        r.registered ? "yes" : "no",
        eth(r.stake),
        eth(r.minStake),
        r.eligible ? "yes" : "no",
        r.duties,
        eth(r.unbonding.amount),
        when(r.unbonding.readyAt, s.chainTime),
        r.suspended.suspended ? when(r.suspended.until, s.chainTime) : "-",
      ]),
    ),
    `fees to withdraw at the hub: ${eth(s.releasable)}; unbonding delay ${Number(s.unbondingDelay) / 3600} h`,
  ];
}

async function status(ctx: CliContext, node?: Address): Promise<NodeStatus> {
  const [{ client }, a] = await Promise.all([ctx.chain(), ctx.addresses()]);
  return getNodeStatus(client, { nodeRegistry: a.nodeRegistry, hub: a.inferenceHub, node: node ?? (await ctx.account()) });
}

export function nodeCommand(): Command {
  const node = new Command("node").description("stake and manage an executor, prover or verification node (the signing key's account)");

  node
    .command("register")
    .description("register the account for a role with stake (at least the role's minimum, the default)")
    .addOption(roleOption("the role: executor runs models, prover makes proofs, verifier attests proofs").makeOptionMandatory())
    .addOption(new Option("-s, --stake <amount>", "stake to bond: 0.05 (ETH), 20gwei or 1000wei; default the role's minimum").argParser(parseAmount))
    .option("--json", "print the result as JSON")
    .action(async (_o, cmd: Command) => {
      const o = optionsOf<{ role: string; stake?: bigint }>(cmd);
      const ctx = contextOf(cmd);
      const { role, roleName } = roleOf(o.role);
      const [{ client }, a, wallet] = await Promise.all([ctx.chain(), ctx.addresses(), ctx.wallet()]);
      const before = await getNodeStatus(client, { nodeRegistry: a.nodeRegistry, hub: a.inferenceHub, node: wallet.account.address });
      const r = before.roles.find((x) => x.role === role)!;
      if (r.registered) throw new CliError(`${wallet.account.address} is already registered as ${roleName.toLowerCase()} (stake ${eth(r.stake)}): add stake with \`twinpath node stake --role ${roleName.toLowerCase()}\``);
      const amount = o.stake ?? r.minStake;
      if (amount < r.minStake) throw new CliUsageError(`--stake ${eth(amount)} is below the ${roleName.toLowerCase()} minimum of ${eth(r.minStake)}`);
      const done = ctx.out.step(`registering ${wallet.account.address} as ${roleName.toLowerCase()} with ${eth(amount)}`);
      const sent = await registerNode(wallet, client, { nodeRegistry: a.nodeRegistry, role, amount });
      done(`block ${sent.receipt.blockNumber}`);
      const after = await getNodeStatus(client, { nodeRegistry: a.nodeRegistry, hub: a.inferenceHub, node: wallet.account.address });
      ctx.out.result({ action: "register", node: wallet.account.address, role: roleName, stake: amount, ...tx(sent), status: after }, () => formatNodeStatus(after));
    });

  node
    .command("stake")
    .description("add stake to a role the account is registered for")
    .addOption(roleOption("the role").makeOptionMandatory())
    .addOption(new Option("-a, --amount <amount>", "stake to add: 0.05 (ETH), 20gwei or 1000wei").argParser(parseAmount).makeOptionMandatory())
    .option("--json", "print the result as JSON")
    .action(async (_o, cmd: Command) => {
      const o = optionsOf<{ role: string; amount: bigint }>(cmd);
      const ctx = contextOf(cmd);
      const { role, roleName } = roleOf(o.role);
      if (o.amount === 0n) throw new CliUsageError("--amount must be more than 0");
      const [{ client }, a, wallet] = await Promise.all([ctx.chain(), ctx.addresses(), ctx.wallet()]);
      const done = ctx.out.step(`adding ${eth(o.amount)} to ${wallet.account.address}'s ${roleName.toLowerCase()} stake`);
      const sent = await increaseStake(wallet, client, { nodeRegistry: a.nodeRegistry, role, amount: o.amount });
      done(`block ${sent.receipt.blockNumber}`);
      const after = await getNodeStatus(client, { nodeRegistry: a.nodeRegistry, hub: a.inferenceHub, node: wallet.account.address });
      ctx.out.result({ action: "stake", node: wallet.account.address, role: roleName, amount: o.amount, ...tx(sent), status: after }, () => formatNodeStatus(after));
    });

  node
    .command("unbond")
    .description("start unbonding stake: it stops counting at once and can be withdrawn after the unbonding delay, once the node owes nothing on open requests")
    .addOption(roleOption("the role").makeOptionMandatory())
    .addOption(new Option("-a, --amount <amount>", "stake to unbond: 0.05 (ETH), 20gwei or 1000wei").argParser(parseAmount).conflicts("all"))
    .option("--all", "unbond the whole bonded stake of the role")
    .option("--json", "print the result as JSON")
    .action(async (_o, cmd: Command) => {
      const o = optionsOf<{ role: string; amount?: bigint; all?: boolean }>(cmd);
      const ctx = contextOf(cmd);
      const { role, roleName } = roleOf(o.role);
      if (o.amount === undefined && !o.all) throw new CliUsageError("give --amount <amount> or --all");
      const [{ client }, a, wallet] = await Promise.all([ctx.chain(), ctx.addresses(), ctx.wallet()]);
      const before = await getNodeStatus(client, { nodeRegistry: a.nodeRegistry, hub: a.inferenceHub, node: wallet.account.address });
      const r = before.roles.find((x) => x.role === role)!;
      const amount = o.all ? r.stake : o.amount!;
      if (amount === 0n) throw new CliUsageError(o.all ? `no bonded ${roleName.toLowerCase()} stake to unbond` : "--amount must be more than 0");
      if (amount > r.stake) throw new CliUsageError(`--amount ${eth(amount)} is more than the bonded ${roleName.toLowerCase()} stake (${eth(r.stake)})`);
      if (r.stake - amount < r.minStake && r.stake - amount > 0n) ctx.out.warn(`the remaining ${eth(r.stake - amount)} is below the minimum (${eth(r.minStake)}): the node stops getting work`);
      const done = ctx.out.step(`unbonding ${eth(amount)} of ${wallet.account.address}'s ${roleName.toLowerCase()} stake`);
      const sent = await beginUnbonding(wallet, client, { nodeRegistry: a.nodeRegistry, role, amount });
      done(`block ${sent.receipt.blockNumber}`);
      const after = await getNodeStatus(client, { nodeRegistry: a.nodeRegistry, hub: a.inferenceHub, node: wallet.account.address });
      ctx.out.result({ action: "unbond", node: wallet.account.address, role: roleName, amount, ...tx(sent), status: after }, () => formatNodeStatus(after));
    });

  node
    .command("withdraw")
    .description("withdraw what is due: unbonded stake whose delay has passed, and the fees the node earned at the hub (everything withdrawable now, unless --role or --fees narrows it)")
    .addOption(new Option("-r, --role <role>", "only this role's unbonded stake").choices(roleChoices).conflicts("fees"))
    .option("--fees", "only the fees earned at the hub")
    .option("--json", "print the result as JSON")
    .action(async (_o, cmd: Command) => {
      const o = optionsOf<{ role?: string; fees?: boolean }>(cmd);
      const ctx = contextOf(cmd);
      const [{ client }, a, wallet] = await Promise.all([ctx.chain(), ctx.addresses(), ctx.wallet()]);
      const s = await getNodeStatus(client, { nodeRegistry: a.nodeRegistry, hub: a.inferenceHub, node: wallet.account.address });
      const only = o.role ? roleOf(o.role).role : undefined;
      const withdrawn: { what: string; amount: bigint; transactionHash: string }[] = [];
      const skipped: string[] = [];
      if (!o.fees) {
        for (const r of s.roles) {
          if (only !== undefined && r.role !== only) continue;
          const name = r.roleName.toLowerCase();
          if (r.unbonding.amount === 0n) {
            if (only !== undefined) skipped.push(`${name}: nothing unbonding (start with \`twinpath node unbond --role ${name}\`)`);
            continue;
          }
          if (r.unbonding.readyAt > s.chainTime) {
            skipped.push(`${name}: ${eth(r.unbonding.amount)} unbonding, withdrawable at ${when(r.unbonding.readyAt, s.chainTime)}`);
            continue;
          }
          if (r.duties > 0n) {
            skipped.push(`${name}: ${eth(r.unbonding.amount)} ready, but the node still owes ${r.duties} open request(s)`);
            continue;
          }
          const done = ctx.out.step(`withdrawing ${eth(r.unbonding.amount)} of unbonded ${name} stake`);
          const sent = await withdrawUnbonded(wallet, client, { nodeRegistry: a.nodeRegistry, role: r.role });
          done(`block ${sent.receipt.blockNumber}`);
          withdrawn.push({ what: `${name} stake`, amount: r.unbonding.amount, transactionHash: sent.hash });
        }
      }
      if (only === undefined) {
        if (s.releasable > 0n) {
          const done = ctx.out.step(`withdrawing ${eth(s.releasable)} of fees from the hub`);
          const sent = await withdrawHubBalance(wallet, client, { hub: a.inferenceHub });
          done(`block ${sent.receipt.blockNumber}`);
          withdrawn.push({ what: "fees", amount: s.releasable, transactionHash: sent.hash });
        } else if (o.fees) skipped.push("fees: no balance at the hub");
      }
      const result = { action: "withdraw", node: wallet.account.address, withdrawn, notYet: skipped };
      ctx.out.result(result, () => [
        ...(withdrawn.length ? withdrawn.map((w) => `withdrew ${eth(w.amount)} (${w.what}) in ${w.transactionHash}`) : ["nothing withdrawn"]),
        ...skipped.map((x) => `  not yet: ${x}`),
      ]);
      if (withdrawn.length === 0 && skipped.length > 0) process.exitCode = 1;
    });

  node
    .command("status")
    .description("stake, eligibility, open duties, unbonding and fees of a node, per role")
    .argument("[address]", "the node (default: the signing key's account)", parseAddress)
    .option("--json", "print the status as JSON")
    .action(async (address: Address | undefined, _o, cmd: Command) => {
      const ctx = contextOf(cmd);
      const s = await status(ctx, address);
      ctx.out.result(s, () => formatNodeStatus(s));
    });

  return node;
}
