/**
 * Native EZKL (the `ezkl` Python package) is optional: tests that need it skip with this message when it is not
 * installed. CI installs it (.ci/run) and sets TWINPATH_REQUIRE_NATIVE=1, under which a missing or broken native
 * EZKL fails these tests instead of skipping them, so both prover backends are tested there.
 */
import { NativeChild, NATIVE_REQUIREMENTS } from "../../workers/proofs/native/child.js";

/** The interpreter the tests use: PROVER_PYTHON, as for the prover, else python3. */
export const NATIVE_PYTHON = process.env.PROVER_PYTHON?.trim() || "python3";

/** Set by CI: native EZKL must be there (a skip would hide that one backend went untested). */
export const NATIVE_REQUIRED = process.env.TWINPATH_REQUIRE_NATIVE === "1";

let probe: Promise<string | false> | undefined;

/**
 * false when native EZKL 21.0.0 starts; otherwise the reason to skip, with the install command. Under
 * TWINPATH_REQUIRE_NATIVE=1 it rejects instead (the test file fails with the reason).
 */
export function nativeSkipReason(): Promise<string | false> {
  probe ??= NativeChild.start({ python: NATIVE_PYTHON, threads: 1 }).then(
    async (child) => {
      await child.close();
      return false as const;
    },
    (err: Error) => {
      const reason = `native EZKL not installed (${NATIVE_PYTHON} -m pip install --require-hashes -r ${NATIVE_REQUIREMENTS}): ${err.message.split("\n")[0]}`;
      if (NATIVE_REQUIRED) throw new Error(`TWINPATH_REQUIRE_NATIVE=1 but ${reason}`, { cause: err });
      return reason;
    },
  );
  return probe;
}
