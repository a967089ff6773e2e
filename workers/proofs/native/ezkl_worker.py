#!/usr/bin/env python3
"""Native EZKL (the `ezkl` Python package, 21.0.0) as a long-lived child process of a Twinpath worker.

Protocol: line-delimited JSON over stdio. The first line the child writes is
  {"ready": true, "ezkl": "21.0.0", "pid": 123, "rayonThreads": "2"}   or   {"ready": false, "error": "..."}
then for every request line {"id": n, "op": "...", ...params} exactly one reply line
  {"id": n, "ok": true, "result": {...}}   or   {"id": n, "ok": false, "error": "..."}.
Requests are handled one at a time, in order. EOF on stdin ends the process.

The ezkl API takes file paths, so artifacts are files (the parent writes each model's artifacts once into a
private folder); inputs, witnesses and proofs travel inline and go through files in --workdir. Only the protocol
uses the real stdout: fd 1 is pointed at stderr so that anything the native library prints cannot corrupt it.
"""
import argparse
import asyncio
import json
import logging
import os
import re
import sys
import time

REQUIRED_VERSION = "21.0.0"

_proto = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr


def send(obj):
    _proto.write(json.dumps(obj, separators=(",", ":")) + "\n")
    _proto.flush()


try:
    import ezkl  # noqa: E402
except Exception as err:  # ImportError, or a wheel for another platform
    send({"ready": False, "error": f"cannot import the Python package ezkl: {err}"})
    sys.exit(3)

VERSION = getattr(ezkl, "__version__", "unknown")
if VERSION != REQUIRED_VERSION:
    send({"ready": False, "error": f"ezkl {VERSION} is installed; {REQUIRED_VERSION} is required (the release of @ezkljs/engine)"})
    sys.exit(3)

_UNITS = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0}


class StageTimes(logging.Handler):
    """Reads stage times from ezkl's own log records: the proving-key load (always), and with
    TWINPATH_EZKL_STAGES=1 (benchmarks) when the circuit layout (witness assignment) starts and ends, so that a
    proof splits into key load, setup, layout and the polynomial work (FFTs, MSMs, openings)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.reset()

    def reset(self):
        self.key_load_ms = None
        self.layout_start = None
        self.layout_end = None

    def emit(self, record):
        msg = record.getMessage()
        if record.name == "ezkl.pfsys":
            m = re.match(r"loaded proving key in ([0-9.]+)(ns|µs|us|ms|s)$", msg)
            if m:
                self.key_load_ms = float(m.group(1)) * _UNITS[m.group(2)]
        elif msg == "model layout...":
            self.layout_start = time.perf_counter()
        elif self.layout_start is not None:
            self.layout_end = time.perf_counter()


STAGES = StageTimes()
STAGE_DETAIL = os.environ.get("TWINPATH_EZKL_STAGES") == "1"
# Fault injection for tests only: pause inside every prove request, between witness and proof.
FAULT_PAUSE_S = int(os.environ.get("TWINPATH_EZKL_FAULT_PAUSE_MS") or 0) / 1000
# ezkl logs through Python logging: keep its warnings ("low scale values", "artifact version") off stderr, and
# read stage times from its records. (Levels are read once by the native side: set them before any call.)
logging.getLogger("ezkl").setLevel(logging.ERROR)
for name, level in [("ezkl.pfsys", logging.INFO)] + ([("ezkl.graph.model", logging.DEBUG), ("ezkl.circuit.ops.region", logging.DEBUG)] if STAGE_DETAIL else []):
    logger = logging.getLogger(name)
    logger.setLevel(level)
    logger.propagate = False
    logger.addHandler(STAGES)

_loop = asyncio.new_event_loop()
asyncio.set_event_loop(_loop)


def run_async(fn, *args):
    """Some ezkl functions return awaitables that must be created inside a running event loop."""

    async def call():
        return await fn(*args)

    return _loop.run_until_complete(call())


class Worker:
    def __init__(self, workdir):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)

    def path(self, name):
        return os.path.join(self.workdir, name)

    def write_json(self, name, value):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            json.dump(value, f)
        return p

    def write_text(self, name, text):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def read_text(self, p):
        with open(p, "r", encoding="utf-8") as f:
            return f.read()

    def witness(self, compiled, inputs):
        data = self.write_json("input.json", {"input_data": inputs})
        out = self.path("witness.json")
        t0 = time.perf_counter()
        run_async(ezkl.gen_witness, data, compiled, out, None, None)
        return out, (time.perf_counter() - t0) * 1000

    # --- proving path -------------------------------------------------------------------------------------

    def op_prove(self, r):
        wit, witness_ms = self.witness(r["compiled"], r["input"])
        if FAULT_PAUSE_S:
            time.sleep(FAULT_PAUSE_S)
        out = self.path("proof.json")
        STAGES.reset()
        t0 = time.perf_counter()
        ezkl.prove(wit, r["compiled"], r["pk"], out, "single", r["srs"])
        t1 = time.perf_counter()
        result = {"proof": self.read_text(out), "witnessMs": witness_ms, "proveMs": (t1 - t0) * 1000, "keyLoadMs": STAGES.key_load_ms}
        if STAGES.layout_start is not None and STAGES.layout_end is not None:
            result["stages"] = {
                "keyLoadMs": STAGES.key_load_ms,
                "setupMs": (STAGES.layout_start - t0) * 1000 - (STAGES.key_load_ms or 0),
                "layoutMs": (STAGES.layout_end - STAGES.layout_start) * 1000,
                "polyMs": (t1 - STAGES.layout_end) * 1000,
            }
        return result

    def op_verify(self, r):
        proof = self.write_text("verify-proof.json", r["proof"])
        t0 = time.perf_counter()
        try:
            valid = bool(ezkl.verify(proof, r["settings"], r["vk"], r["srs"], False))
            error = None
        except Exception as err:  # ezkl raises on a malformed or failing proof; both mean "not verified"
            valid, error = False, str(err)
        return {"valid": valid, "verifyMs": (time.perf_counter() - t0) * 1000, "error": error}

    def op_genWitness(self, r):
        wit, ms = self.witness(r["compiled"], r["input"])
        return {"witness": self.read_text(wit), "witnessMs": ms}

    def op_mock(self, r):
        wit, _ = self.witness(r["compiled"], r["input"])
        t0 = time.perf_counter()
        ok = bool(ezkl.mock(wit, r["compiled"]))
        return {"ok": ok, "mockMs": (time.perf_counter() - t0) * 1000}

    def op_pkLoad(self, r):
        """Deserialises a proving key (through gen_vk_from_pk_single) and reports ezkl's own load time."""
        STAGES.reset()
        t0 = time.perf_counter()
        ezkl.gen_vk_from_pk_single(r["pk"], r["settings"], self.path("vk-from-pk.key"))
        return {"keyLoadMs": STAGES.key_load_ms, "totalMs": (time.perf_counter() - t0) * 1000}

    # --- EZKL's own pipeline (the compiler's reference, keys, SRS, Solidity verifier) -------------------------

    def op_genSettings(self, r):
        args = ezkl.PyRunArgs()
        for k, v in (r.get("runArgs") or {}).items():
            setattr(args, k, v)
        return {"ok": bool(ezkl.gen_settings(r["model"], r["settings"], args))}

    def op_calibrate(self, r):
        t0 = time.perf_counter()
        ok = run_async(
            ezkl.calibrate_settings,
            r["data"],
            r["model"],
            r["settings"],
            r.get("target", "resources"),
            r.get("lookupSafetyMargin", 2),
            r.get("scales"),
            r.get("scaleRebaseMultiplier", [1]),
            r.get("maxLogrows"),
        )
        return {"ok": bool(ok), "ms": (time.perf_counter() - t0) * 1000}

    def op_compile(self, r):
        return {"ok": bool(ezkl.compile_circuit(r["model"], r["compiled"], r["settings"]))}

    def op_setup(self, r):
        t0 = time.perf_counter()
        ok = ezkl.setup(r["compiled"], r["vk"], r["pk"], r["srs"], None, bool(r.get("disableSelectorCompression", False)))
        return {"ok": bool(ok), "ms": (time.perf_counter() - t0) * 1000}

    def op_genSrs(self, r):
        ezkl.gen_srs(r["srs"], int(r["logrows"]))
        return {"ok": True}

    def op_evmVerifier(self, r):
        """EZKL writes the Solidity source, then fetches solc (svm) for the ABI: that second step needs the
        network. The source is what we need; report the error and whether the file was written."""
        try:
            run_async(ezkl.create_evm_verifier, r["vk"], r["settings"], r["sol"], r["abi"], r["srs"], bool(r.get("reusable", False)))
            error = None
        except Exception as err:
            error = str(err)
        return {"written": os.path.exists(r["sol"]), "abiWritten": os.path.exists(r["abi"]), "error": error}

    def op_evmVka(self, r):
        """The verifying-key artifact for EZKL's reusable verifier (same solc caveat as op_evmVerifier)."""
        try:
            run_async(ezkl.create_evm_vka, r["vk"], r["settings"], r["sol"], r["abi"], r["srs"])
            error = None
        except Exception as err:
            error = str(err)
        return {"written": os.path.exists(r["sol"]), "abiWritten": os.path.exists(r["abi"]), "error": error}

    def op_calldata(self, r):
        proof = self.write_text("calldata-proof.json", r["proof"])
        return {"calldata": list(ezkl.encode_evm_calldata(proof, self.path("calldata.bin"), None))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", required=True, help="private folder for inputs, witnesses and proofs")
    args = parser.parse_args()
    worker = Worker(args.workdir)
    send({"ready": True, "ezkl": VERSION, "pid": os.getpid(), "rayonThreads": os.environ.get("RAYON_NUM_THREADS")})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            fn = getattr(worker, "op_" + str(req.get("op")), None)
            if fn is None:
                raise ValueError(f"unknown op {req.get('op')!r}")
            send({"id": rid, "ok": True, "result": fn(req)})
        except Exception as err:
            send({"id": rid, "ok": False, "error": f"{type(err).__name__}: {err}"})
    # Skip interpreter finalisation: ezkl's runtime threads can abort it ("PyGILState_Release") after an error.
    _proto.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
