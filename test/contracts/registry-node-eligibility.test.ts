import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { network } from "hardhat";
import { getAddress, stringToHex } from "viem";

// Property: under any sequence of register / increaseStake / beginUnbonding / withdrawUnbonded / slash /
// setMinStake / duties / suspend / reinstate / time jumps, the registry's O(1) bookkeeping equals what a plain model
// of the stakes implies: the eligible list is exactly the registered, unsuspended nodes with bonded >= min,
// totalEligibleStake is their sum, stake owed to an open duty never leaves, the checkpoints answer every past
// timepoint with what was counted then, and the registry's balance is all bonded plus all unbonding stake. Every
// call's success or revert is also predicted.

const ROLES = [0, 1, 2] as const;
const DELAY = 3600n;
const REASON = stringToHex("property", { size: 32 });

const { viem, networkHelpers } = await network.create();
const publicClient = await viem.getPublicClient();

async function deployFixture() {
  const [admin, , ...rest] = await viem.getWalletClients();
  const registry = await viem.deployContract("NodeRegistry", [admin.account.address, [100n, 200n, 300n], DELAY]);
  const hub = await viem.deployContract("NodeRegistryProbe", [registry.address]); // test-only hub
  await registry.write.setHub([hub.address]);
  const nodeWallets = rest.slice(0, 4);
  const asNodes = await Promise.all(
    nodeWallets.map((w) => viem.getContractAt("NodeRegistry", registry.address, { client: { wallet: w } })),
  );
  return { registry, hub, asNodes, nodes: nodeWallets.map((w) => getAddress(w.account.address)) };
}

type Op =
  | { kind: "register" | "increase" | "unbond" | "slash"; node: number; role: number; amount: bigint }
  | { kind: "withdraw" | "duty" | "release" | "suspend" | "reinstate"; node: number; role: number }
  | { kind: "setMin"; role: number; amount: bigint }
  | { kind: "advance" };

const node = fc.integer({ min: 0, max: 3 });
const role = fc.constantFrom(...ROLES);
// Thresholds (the minimum stakes and one wei either side) are drawn often so boundary cases are exercised.
const amount = fc
  .oneof(fc.integer({ min: 0, max: 500 }), fc.constantFrom(0, 1, 99, 100, 101, 199, 200, 201, 299, 300, 301))
  .map(BigInt);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom("register", "increase", "unbond", "slash" as const), node, role, amount }),
  fc.record({ kind: fc.constantFrom("withdraw", "duty", "release", "suspend", "reinstate" as const), node, role }),
  fc.record({ kind: fc.constant("setMin" as const), role, amount }),
  fc.record({ kind: fc.constant("advance" as const) }),
);

interface NodeStake {
  registered: boolean;
  bonded: bigint;
  unbonding: bigint;
  matured: boolean; // a time jump past the delay happened since the last beginUnbonding
  duties: number;
  suspended: boolean;
  suspensionOver: boolean; // a time jump happened since the suspension
}

async function succeeds(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch {
    return false;
  }
}

describe("NodeRegistry eligible-set bookkeeping (property)", () => {
  it("matches a model of the stakes under random operation sequences", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 25 }), async (ops) => {
        const { registry, hub, asNodes, nodes } = await networkHelpers.loadFixture(deployFixture);
        const min = [100n, 200n, 300n];
        const model = nodes.map(() =>
          ROLES.map(
            (): NodeStake => ({ registered: false, bonded: 0n, unbonding: 0n, matured: false, duties: 0, suspended: false, suspensionOver: false }),
          ),
        );
        const counted = (n: number, r: number) => {
          const s = model[n][r];
          return s.registered && !s.suspended && s.bonded >= min[r] ? s.bonded : 0n;
        };
        // what the model counted at the end of each block, for the checkpoint lookups
        const history: { at: bigint; total: bigint[]; each: bigint[][] }[] = [];

        for (const o of ops) {
          await apply(o);
          await checkInvariants();
          const at = (await publicClient.getBlock()).timestamp;
          history.push({ at, total: ROLES.map((r) => nodes.reduce((acc, _, n) => acc + counted(n, r), 0n)), each: nodes.map((_, n) => ROLES.map((r) => counted(n, r))) });
          await networkHelpers.mine(1); // the next operation lands in a later second
        }
        // every past second answers with what was counted at its end
        for (const h of history) {
          for (const r of ROLES) {
            assert.equal(await registry.read.totalStakeAt([r, h.at]), h.total[r], `totalStakeAt(${r}, ${h.at})`);
            for (let n = 0; n < nodes.length; n++) assert.equal(await registry.read.stakeAt([nodes[n], r, h.at]), h.each[n][r], "stakeAt");
          }
        }

        async function apply(o: Op) {
          if (o.kind === "advance") {
            await networkHelpers.time.increase(DELAY);
            for (const roles of model) for (const s of roles) Object.assign(s, { matured: true, suspensionOver: true });
            return;
          }
          if (o.kind === "setMin") {
            const ok = await succeeds(registry.write.setMinStake([o.role, o.amount]));
            assert.equal(ok, o.amount > 0n, `setMinStake(${o.role}, ${o.amount})`);
            if (ok) min[o.role] = o.amount;
            return;
          }
          const s = model[o.node][o.role];
          const who = asNodes[o.node];
          switch (o.kind) {
            case "register": {
              const ok = await succeeds(who.write.register([o.role], { value: o.amount }));
              assert.equal(ok, !s.registered && o.amount >= min[o.role], `register ${JSON.stringify(o, replacer)}`);
              if (ok) Object.assign(s, { registered: true, bonded: o.amount });
              break;
            }
            case "increase": {
              const ok = await succeeds(who.write.increaseStake([o.role], { value: o.amount }));
              assert.equal(ok, s.registered && o.amount > 0n, "increaseStake");
              if (ok) s.bonded += o.amount;
              break;
            }
            case "unbond": {
              const ok = await succeeds(who.write.beginUnbonding([o.role, o.amount]));
              assert.equal(ok, s.registered && o.amount > 0n && o.amount <= s.bonded, "beginUnbonding");
              if (ok) Object.assign(s, { bonded: s.bonded - o.amount, unbonding: s.unbonding + o.amount, matured: false });
              break;
            }
            case "withdraw": {
              const ok = await succeeds(who.write.withdrawUnbonded([o.role]));
              assert.equal(ok, s.unbonding > 0n && s.matured && s.duties === 0, "withdrawUnbonded");
              if (ok) Object.assign(s, { unbonding: 0n, registered: s.bonded > 0n });
              break;
            }
            case "duty":
              await hub.write.updateDuties([o.role, "0x0000000000000000000000000000000000000000", nodes[o.node]]);
              s.duties += 1;
              break;
            case "release": {
              const ok = await succeeds(hub.write.updateDuties([o.role, nodes[o.node], "0x0000000000000000000000000000000000000000"]));
              assert.equal(ok, s.duties > 0, "a duty is released only once");
              if (ok) s.duties -= 1;
              break;
            }
            case "suspend":
              await hub.write.suspend([nodes[o.node], o.role, (await publicClient.getBlock()).timestamp + DELAY / 2n]);
              Object.assign(s, { suspended: true, suspensionOver: false });
              break;
            case "reinstate": {
              const ok = await succeeds(who.write.reinstate([o.role]));
              assert.equal(ok, s.suspended && s.suspensionOver, "reinstate");
              if (ok) s.suspended = false;
              break;
            }
            case "slash": {
              await hub.write.hubSlash([nodes[o.node], o.role, o.amount, REASON]);
              const fromBonded = o.amount < s.bonded ? o.amount : s.bonded;
              const rest = o.amount - fromBonded;
              s.bonded -= fromBonded;
              s.unbonding -= rest < s.unbonding ? rest : s.unbonding;
              break;
            }
          }
        }

        async function checkInvariants() {
          let held = 0n;
          for (const r of ROLES) {
            const count = await registry.read.eligibleCount([r]);
            const listed: string[] = [];
            for (let i = 0n; i < count; i++) listed.push(await registry.read.eligibleAt([r, i]));
            const expected = nodes.filter((_, n) => counted(n, r) > 0n);
            assert.deepEqual([...listed].sort(), [...expected].sort(), `eligible set of role ${r}`);
            assert.equal(new Set(listed).size, listed.length, "no duplicates in the eligible list");
            assert.equal(await registry.read.pendingResync([r]), 0n, "few members: setMinStake re-checks all at once");
            const sum = nodes.reduce((acc, _, n) => (expected.includes(nodes[n]) ? acc + model[n][r].bonded : acc), 0n);
            assert.equal(await registry.read.totalEligibleStake([r]), sum, `totalEligibleStake of role ${r}`);
            for (let n = 0; n < nodes.length; n++) {
              const s = model[n][r];
              held += s.bonded + s.unbonding;
              if (s.bonded + s.unbonding === 0n && !s.registered) continue;
              assert.equal(await registry.read.stakeOf([nodes[n], r]), s.bonded);
              assert.equal((await registry.read.unbondingOf([nodes[n], r]))[0], s.unbonding);
              assert.equal(await registry.read.dutiesOf([nodes[n], r]), BigInt(s.duties));
            }
          }
          assert.equal(await publicClient.getBalance({ address: registry.address }), held, "balance = bonded + unbonding");
        }
      }),
      { numRuns: 25 },
    );
  });
});

function replacer(_: string, v: unknown) {
  return typeof v === "bigint" ? v.toString() : v;
}
