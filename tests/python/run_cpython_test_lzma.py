#!/usr/bin/python3
"""Runs CPython's own Lib/test/test_lzma.py (the system's copy) on stock
`_lzma`, on `parxz._lzma` swapped in for `_lzma`, on `parxz.lzma` swapped
in for `lzma`, and on the standard `lzma` module after
parxz.lzma.install(threads=2) (default Blocks, and 4 KiB Blocks so that the
suite's inputs span several), each in a fresh interpreter, and compares the
outcomes: every test that passes on stock must pass on parxz, and the skip
counts must be equal. Prints the summaries; exits 1 on any difference.

Usage: run_cpython_test_lzma.py [--only MODE]   (MODE: a key of MODES)
The package parxz must be importable (PYTHONPATH).
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

# In the child: which implementation to put under the test.
MODES = {
    "stock": "stock _lzma and lzma",
    "parxz_lzma_c": "sys.modules['_lzma'] = parxz._lzma, stock lzma.py",
    "parxz_lzma": "sys.modules['lzma'] = parxz.lzma",
    "installed": "stock lzma after parxz.lzma.install(threads=2)",
    "installed_4k": "stock lzma after install(threads=2, block_size=4096)",
}

# Tests whose premise a mode breaks on purpose, with the reason; they may
# fail there and are reported, not counted.
KNOWN = {
    "installed_4k": {
        "test.test_lzma.FileTestCase.test_decompress_limited":
            "asserts that 2 MB of zeros compress below 8 KiB, which 489 "
            "Blocks of 4 KiB do not",
    },
}


class RecordingResult(unittest.TextTestResult):
    """Remembers one outcome per test id."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {}

    def addSuccess(self, test):
        super().addSuccess(test)
        self.outcomes[test.id()] = "pass"

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.outcomes[test.id()] = "FAIL"

    def addError(self, test, err):
        super().addError(test, err)
        self.outcomes[test.id()] = "ERROR"

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.outcomes[test.id()] = "skip"

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.outcomes[test.id()] = "xfail"

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.outcomes[test.id()] = "xpass"


def child(mode, out_path):
    if mode == "parxz_lzma_c":
        import parxz._lzma
        sys.modules["_lzma"] = parxz._lzma
    elif mode == "parxz_lzma":
        import parxz.lzma
        sys.modules["lzma"] = parxz.lzma
    elif mode.startswith("installed"):
        import parxz.lzma
        parxz.lzma.install(threads=2,
                           block_size=4096 if mode == "installed_4k" else None)
    import lzma
    from test import test_lzma
    # Make sure the swap took: the classes under test are ours.
    if mode.startswith("installed"):
        from parxz import _install
        assert test_lzma.LZMAFile is _install._objects["LZMAFile"]
        assert (test_lzma.LZMADecompressor
                is _install._objects["LZMADecompressor"])
        assert lzma.compress is _install._objects["compress"]
    elif mode != "stock":
        assert "parxz" in (lzma.__spec__.name if mode == "parxz_lzma"
                           else sys.modules["_lzma"].__spec__.name)
    suite = unittest.defaultTestLoader.loadTestsFromModule(test_lzma)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=1,
                                     resultclass=RecordingResult)
    result = runner.run(suite)
    with open(out_path, "w") as f:
        json.dump({"outcomes": result.outcomes, "testsRun": result.testsRun,
                   "lzma_file": getattr(lzma, "__file__", "?")}, f)


def run_mode(mode, workdir):
    out_path = os.path.join(workdir, mode + ".json")
    # test_lzma writes TESTFN into the current directory.
    proc = subprocess.run([sys.executable, __file__, "--child", mode, out_path],
                          cwd=workdir, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    tail = proc.stdout.strip().splitlines()[-4:]
    if not os.path.exists(out_path):
        print(proc.stdout)
        raise SystemExit(f"{mode}: the test run crashed (exit {proc.returncode})")
    with open(out_path) as f:
        data = json.load(f)
    return data, proc.stdout, tail


def summary(outcomes):
    counts = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return 0
    modes = list(MODES)
    if len(sys.argv) == 3 and sys.argv[1] == "--only":
        modes = ["stock", sys.argv[2]]
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    results = {}
    ok = True
    for mode in modes:
        data, log, tail = run_mode(mode, workdir)
        results[mode] = data["outcomes"]
        print(f"== {mode} ({MODES[mode]}): {data['testsRun']} tests: "
              f"{summary(data['outcomes'])}")
        print("   " + "\n   ".join(tail))
        if mode != "stock" and any(v not in ("pass", "skip")
                                   for v in data["outcomes"].values()):
            print(log)
    stock = results["stock"]
    for mode in modes[1:]:
        ours = results[mode]
        if set(ours) != set(stock):
            print(f"{mode}: different test sets: "
                  f"{sorted(set(ours) ^ set(stock))}")
            ok = False
        for test_id, outcome in sorted(stock.items()):
            if test_id in KNOWN.get(mode, {}):
                print(f"{mode}: {test_id}: {ours.get(test_id)} (expected: "
                      f"{KNOWN[mode][test_id]})")
                continue
            if outcome == "pass" and ours.get(test_id) != "pass":
                print(f"{mode}: {test_id}: stock passes, parxz {ours.get(test_id)}")
                ok = False
        skips_stock = sum(v == "skip" for v in stock.values())
        skips_ours = sum(v == "skip" for v in ours.values())
        if skips_stock != skips_ours:
            print(f"{mode}: {skips_ours} skipped, stock {skips_stock}")
            ok = False
    if len(stock) < 100:
        print(f"only {len(stock)} tests found in test_lzma: wrong file?")
        ok = False
    print("SAME OUTCOMES" if ok else "DIFFERENT OUTCOMES")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
