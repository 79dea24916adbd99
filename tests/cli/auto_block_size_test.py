#!/usr/bin/env python3
"""--block-size=auto and container-aware memory limits, end to end.

Auto Blocks are checked with xz itself (xz -dc decodes them, xz --robot -lvv
shows each Block's size and dictionary) against the rule computed here
independently; the default output is still compared with xz -T2 byte for
byte. The memory limits are checked by running parxz under a lowered
RLIMIT_AS / RLIMIT_DATA, and inside a real cgroup where the test can make
one (skipped with the reason otherwise).

Run by tests/cli/auto_block_size_test.sh under Bazel or by hand with PARXZ:
  PARXZ=bazel-bin/tools/parxz python3 tests/cli/auto_block_size_test.py
"""
import os
import pathlib
import resource
import subprocess
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from cli_test import PARXZ, XZ, CliTestBase, mixed_data, run, xz  # noqa: E402

MiB = 1 << 20
# xz 5.4's preset dictionaries (xz(1), "Compression presets"), -0 .. -9.
PRESET_DICT = [256 << 10, 1 * MiB, 2 * MiB, 4 * MiB, 4 * MiB, 8 * MiB,
               8 * MiB, 16 * MiB, 32 * MiB, 64 * MiB]


def stored_dict(n):
    """The smallest 2^k or 2^k + 2^(k-1) >= n (what LZMA2 headers store)."""
    candidates = sorted({1 << k for k in range(12, 33)} |
                        {(1 << k) + (1 << (k - 1)) for k in range(12, 33)})
    return next(c for c in candidates if c >= n)


def expected_auto(size, threads, dict_size):
    """--block-size=auto's Block size and dictionary, the rule as prose."""
    default = max(3 * dict_size, MiB)
    per_thread = -(-size // threads)
    block = min(max(-(-per_thread // MiB) * MiB, MiB), default)
    return block, (dict_size if block >= dict_size else stored_dict(block))


def parse_size(text):
    """xz -lvv's filter sizes: 48MiB, 1536KiB, 4096."""
    for suffix, mult in (("MiB", MiB), ("KiB", 1 << 10)):
        if text.endswith(suffix):
            return int(text[:-len(suffix)]) * mult
    return int(text)


def xz_blocks(path):
    """(uncompressed size, dictionary) of every Block, as xz reads them."""
    r = xz(["--robot", "-lvv", str(path)])
    assert r.returncode == 0, r.stderr
    blocks = []
    for line in r.stdout.decode().splitlines():
        f = line.split("\t")
        if f[0] == "block":
            opts = dict(kv.split("=") for kv in
                        f[15].split("--lzma2=")[-1].split(","))
            blocks.append((int(f[7]), parse_size(opts["dict"])))
    return blocks


class AutoBlockSizeTest(CliTestBase):
    def compress_file(self, data, args, name="in"):
        path = self.write(name, data)
        r = self.ok(args + ["--block-size=auto", "-c", str(path)])
        out = self.write(name + ".xz", r.stdout)
        return r.stdout, out

    def test_blocks_follow_the_rule_and_round_trip(self):
        all_sizes = (0, 100, 3 * MiB + 7, 9 * MiB)
        cases = [(p, "", t, all_sizes) for p in (0, 6) for t in (2, 3, 8)]
        cases += [(9, "", 2, (100, 3 * MiB + 7)), (9, "", 8, (3 * MiB + 7,)),
                  (9, "e", 3, (3 * MiB + 7,)), (1, "", 2, (9 * MiB,))]
        for preset, extreme, threads, sizes in cases:
            for size in sizes:
                data = mixed_data(size, seed=size + preset)
                args = [f"-{preset}{extreme}", f"-T{threads}"]
                with self.subTest(args=args, size=size):
                    comp, out = self.compress_file(data, args)
                    self.assert_decodes_to(comp, data)
                    self.check_blocks(out, size, threads, PRESET_DICT[preset])

    def check_blocks(self, path, size, threads, dict_size):
        block, want_dict = expected_auto(size, threads, dict_size)
        blocks = xz_blocks(path)
        want = [block] * (size // block) + ([size % block] if size % block
                                            else [])
        self.assertEqual([b[0] for b in blocks], want)
        for _, d in blocks:
            self.assertEqual(d, want_dict)
        # Never larger than the default's Blocks.
        self.assertTrue(all(b[0] <= max(3 * dict_size, MiB) for b in blocks))

    def test_custom_chain_lowers_its_lzma2_dictionary(self):
        data = mixed_data(5 * MiB, seed=3)
        args = ["--x86", "--lzma2=preset=9,dict=32MiB", "-T4"]
        comp, out = self.compress_file(data, args)
        self.assert_decodes_to(comp, data)
        blocks = xz_blocks(out)
        self.assertEqual([b[0] for b in blocks], [2 * MiB, 2 * MiB, MiB])
        self.assertTrue(all(d == 2 * MiB for _, d in blocks))
        lv = xz(["-lvv", str(out)]).stdout.decode()
        self.assertIn("--x86 --lzma2=dict=2MiB", lv)

    def test_blocks_never_larger_than_the_defaults(self):
        # Compared with xz's own -T2 output of the same file.
        data = mixed_data(7 * MiB + 11, seed=5)
        path = self.write("d", data)
        for preset in ("-1", "-3", "-6"):
            with self.subTest(preset=preset):
                ref = self.write("ref.xz",
                                 xz([preset, "-T2", "-c", str(path)]).stdout)
                mine = self.write("auto.xz", self.ok(
                    [preset, "-T2", "--block-size=auto", "-c",
                     str(path)]).stdout)
                biggest = max(b[0] for b in xz_blocks(ref))
                self.assertLessEqual(max(b[0] for b in xz_blocks(mine)),
                                     biggest)

    def test_repeated_runs_are_identical(self):
        data = mixed_data(6 * MiB + 5, seed=9)
        path = self.write("r", data)
        runs = [self.ok(["-9", "-T2", "--block-size=auto", "-c",
                         str(path)]).stdout for _ in range(3)]
        self.assertEqual(runs[0], runs[1])
        self.assertEqual(runs[0], runs[2])
        # A regular file on standard input has a size, too: same bytes.
        with open(path, "rb") as f:
            stdin = self.ok(["-9", "-T2", "--block-size=auto"], stdin=f)
        self.assertEqual(stdin.stdout, runs[0])
        # To a file (not -c), kept input: the same stream.
        self.ok(["-9", "-T2", "--block-size=auto", "-k", str(path)])
        self.assertEqual(pathlib.Path(str(path) + ".xz").read_bytes(),
                         runs[0])
        # The thread count is part of the rule: -T3 cuts other Blocks.
        t3 = self.ok(["-9", "-T3", "--block-size=auto", "-c", str(path)])
        self.assertNotEqual(t3.stdout, runs[0])
        self.assert_decodes_to(t3.stdout, data)

    def test_default_still_equals_xz(self):
        data = mixed_data(5 * MiB + 3, seed=11)
        path = self.write("x", data)
        for args in (["-6", "-T2"], ["-1", "-T2"], ["-9", "-T2"],
                     ["-T2", "--block-size=1MiB"]):
            with self.subTest(args=args):
                self.assertEqual(self.ok(args + ["-c", str(path)]).stdout,
                                 xz(args + ["-c", str(path)]).stdout)

    def test_unknown_size_and_single_threaded_are_the_default(self):
        data = mixed_data(3 * MiB, seed=13)
        # A pipe: no size ahead, so xz's default (byte-identical to xz -T2).
        piped = run(["-9", "-T2", "--block-size=auto"], input_bytes=data)
        self.assertEqual(piped.returncode, 0, piped.stderr)
        self.assertEqual(piped.stdout, xz(["-9", "-T2"], data).stdout)
        # -T1: xz's single-threaded format, one Block.
        path = self.write("s", data)
        one = self.ok(["-9", "-T1", "--block-size=auto", "-c", str(path)])
        self.assertEqual(one.stdout, xz(["-9", "-T1", "-c", str(path)]).stdout)
        # --block-list goes through the push API: default Blocks after the
        # list's, and the data round-trips.
        bl = self.ok(["-6", "-T2", "--block-size=auto",
                      "--block-list=1MiB,512KiB", "-c", str(path)])
        self.assert_decodes_to(bl.stdout, data)

    def test_bad_values_are_errors(self):
        for value in ("automatic", "", "-1"):
            with self.subTest(value=value):
                r = run([f"--block-size={value}", "-c"], input_bytes=b"x")
                self.assertNotEqual(r.returncode, 0)

    def test_help_documents_it(self):
        for opt in ("--help", "--long-help"):
            text = self.ok([opt]).stdout.decode()
            self.assertIn("'auto'", text)
            self.assertIn("depends on the file size", " ".join(text.split()))


def ram_bytes():
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def with_rlimit(which, limit):
    def set_limit():
        _, hard = resource.getrlimit(which)
        resource.setrlimit(which, (limit, hard))
    return set_limit


def run_limited(args, preexec, input_bytes=None):
    return subprocess.run([PARXZ] + args, input=input_bytes,
                          capture_output=True, preexec_fn=preexec,
                          timeout=120)


class MemoryLimitTest(CliTestBase):
    LIMIT = 1 << 30

    def setUp(self):
        super().setUp()
        if ram_bytes() // 4 <= self.LIMIT // 4:
            self.skipTest("RAM/4 is not above a quarter of 1 GiB here")
        binary = pathlib.Path(PARXZ).read_bytes()
        if b"__asan_init" in binary or b"__tsan_init" in binary:
            self.skipTest("sanitizer runtimes reserve address space: "
                          "RLIMIT_AS cannot be lowered under them")

    def test_info_memory_names_the_rlimit(self):
        for which, name in ((resource.RLIMIT_AS, "RLIMIT_AS"),
                            (resource.RLIMIT_DATA, "RLIMIT_DATA")):
            with self.subTest(name=name):
                pre = with_rlimit(which, self.LIMIT)
                robot = run_limited(["--robot", "--info-memory"], pre)
                self.assertEqual(robot.returncode, 0, robot.stderr)
                fields = robot.stdout.decode().split()
                # RAM, -M compress, -M decompress, mt-decompress, -T0 default
                self.assertEqual(int(fields[0]), ram_bytes())
                self.assertEqual(int(fields[3]), self.LIMIT // 4)
                self.assertEqual(int(fields[4]), self.LIMIT // 4)
                text = run_limited(["--info-memory"], pre).stdout.decode()
                line = next(l for l in text.splitlines()
                            if "Default for -T0" in l)
                self.assertIn("256 MiB", line)
                self.assertIn(f"a quarter of {name} (1024 MiB)", line)
        # Without a limit it is xz's line, word for word.
        self.assertEqual(run(["--info-memory"]).stdout,
                         xz(["--info-memory"]).stdout)

    def test_compression_plans_within_the_rlimit(self):
        data = mixed_data(2 * MiB, seed=17)
        pre = with_rlimit(resource.RLIMIT_AS, self.LIMIT)
        r = run_limited(["-vv", "-6", "-T0", "-c"], pre, data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_decodes_to(r.stdout, data)
        err = r.stderr.decode()
        threads = int(err.split("Using up to ")[1].split()[0])
        if threads < 2:
            self.skipTest("-T0 is one thread here: nothing to reduce")
        # xz's -6 figure is 331 MiB for two threads, 166 MiB for one: a
        # quarter of 1 GiB (256 MiB) allows one.
        self.assertIn(f"Reduced the number of threads from {threads} to 1 "
                      "to not exceed the memory usage limit of 256 MiB", err)
        # Unlimited: all threads stay (the host's RAM/4 is far above).
        free = run(["-vv", "-6", "-T0", "-c"], input_bytes=data)
        self.assertNotIn("Reduced the number of threads",
                         free.stderr.decode())


def own_cgroup():
    """(version, directory of this process's memory cgroup) or None."""
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            lf, rf = left.split(), right.split()
            if rf and rf[0] == "cgroup2":
                mounts.setdefault("v2", (lf[3], lf[4]))
            if rf and rf[0] == "cgroup" and "memory" in rf[2].split(","):
                mounts.setdefault("v1", (lf[3], lf[4]))
    with open("/proc/self/cgroup") as f:
        for line in f:
            hid, ctrls, path = line.rstrip("\n").split(":", 2)
            for version, match in (("v1", "memory" in ctrls.split(",")),
                                   ("v2", hid == "0" and ctrls == "")):
                if not match or version not in mounts:
                    continue
                root, point = mounts[version]
                rel = path[len(root):] if root != "/" and \
                    path.startswith(root) else path
                d = pathlib.Path(point + rel)
                if version == "v2" and "memory" not in \
                        (d / "cgroup.controllers").read_text().split():
                    continue
                return version, d
    return None


class RealCgroupTest(CliTestBase):
    def test_limit_of_a_new_cgroup(self):
        found = own_cgroup()
        if found is None:
            self.skipTest("no memory cgroup controller visible")
        version, parent = found
        limit = 512 * MiB
        if ram_bytes() <= limit:
            self.skipTest("RAM is not above the test's 512 MiB limit")
        child = parent / f"parxz-test-{os.getpid()}"
        try:
            child.mkdir()
        except OSError as e:
            self.skipTest(f"cannot create a cgroup under {parent}: {e}")
        try:
            name = "memory.max" if version == "v2" else \
                "memory.limit_in_bytes"
            try:
                (child / name).write_text(str(limit))
            except OSError as e:
                self.skipTest(f"cannot set {child / name}: {e}")

            def enter():
                with open(child / "cgroup.procs", "w") as f:
                    f.write("0")
            try:
                r = subprocess.run([PARXZ, "--robot", "--info-memory"],
                                   capture_output=True, preexec_fn=enter,
                                   timeout=60)
            except subprocess.SubprocessError as e:
                self.skipTest(f"cannot move a process into {child}: {e}")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(int(r.stdout.split()[4]), limit // 4)
            text = subprocess.run([PARXZ, "--info-memory"],
                                  capture_output=True, preexec_fn=enter,
                                  timeout=60).stdout.decode()
            what = "cgroup v2 memory.max" if version == "v2" else \
                "cgroup v1 memory.limit_in_bytes"
            self.assertIn(f"a quarter of {what} (512 MiB)", text)
        finally:
            for _ in range(50):
                try:
                    child.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
