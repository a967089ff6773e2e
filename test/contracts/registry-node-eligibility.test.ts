import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { network } from "hardhat";
import { getAddress, stringToHex } from "viem";

// Property: under any sequence of register / increaseStake / beginUnbonding / withdrawUnbonded / slash /
// setMinStake / time jumps, the registry's O(1) bookkeeping equals what a plain model of the stakes implies:
// the eligible list is exactly the registered nodes with bonded >= min, totalEligibleStake is their sum, and the
// registry's balance is all bonded plus all unbonding stake. Every call's success or revert is also predicted.

const ROLES = [0, 1, 2] as const;
const DELAY = 3600n;
const REASON = stringToHex("property", { size: 32 });

const { viem, networkHelpers } = await network.create();
const publicClient = await viem.getPublicClient();

async function deployFixture() {
  const [admin, hub, ...rest] = await viem.getWalletClients();
  const registry = await viem.deployContract("NodeRegistry", [admin.account.address, [100n, 200n, 300n], DELAY]);
  await registry.write.setHub([hub.account.address]);
  const nodeWallets = rest.slice(0, 4);
  const asNodes = await Promise.all(
    nodeWallets.map((w) => viem.getContractAt("NodeRegistry", registry.address, { client: { wallet: w } })),
  );
  const asHub = await viem.getContractAt("NodeRegistry", registry.address, { client: { wallet: hub } });
  return { registry, asHub, asNodes, nodes: nodeWallets.map((w) => getAddress(w.account.address)) };
}

type Op =
  | { kind: "register" | "increase" | "unbond" | "slash"; node: number; role: number; amount: bigint }
  | { kind: "withdraw"; node: number; role: number }
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
  fc.record({ kind: fc.constant("withdraw" as const), node, role }),
  fc.record({ kind: fc.constant("setMin" as const), role, amount }),
  fc.record({ kind: fc.constant("advance" as const) }),
);

interface NodeStake {
  registered: boolean;
  bonded: bigint;
  unbonding: bigint;
  matured: boolean; // a time jump past the delay happened since the last beginUnbonding
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
        const { registry, asHub, asNodes, nodes } = await networkHelpers.loadFixture(deployFixture);
        const min = [100n, 200n, 300n];
        const model = nodes.map(() =>
          ROLES.map((): NodeStake => ({ registered: false, bonded: 0n, unbonding: 0n, matured: false })),
        );

        for (const o of ops) {
          await apply(o);
          await checkInvariants();
        }

        async function apply(o: Op) {
          if (o.kind === "advance") {
            await networkHelpers.time.increase(DELAY);
            for (const roles of model) for (const s of roles) s.matured = true;
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
              assert.equal(ok, s.unbonding > 0n && s.matured, "withdrawUnbonded");
              if (ok) Object.assign(s, { unbonding: 0n, registered: s.bonded > 0n });
              break;
            }
            case "slash": {
              await asHub.write.slash([nodes[o.node], o.role, o.amount, REASON]);
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
            const expected = nodes.filter((_, n) => model[n][r].registered && model[n][r].bonded >= min[r]);
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
