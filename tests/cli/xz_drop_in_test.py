#!/usr/bin/env python3
"""parxz as a drop-in for xz 5.4, part 2: --ignore-check, --memlimit-compress,
the memory estimates and live -v progress, each compared with /usr/bin/xz.

Run by tests/cli/xz_drop_in_test.sh under Bazel or by hand with PARXZ set:
  PARXZ=bazel-bin/tools/parxz python3 tests/cli/xz_drop_in_test.py [Class]
"""
import base64
import os
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from cli_test import PARXZ, XZ, CliTestBase, mixed_data  # noqa: E402

ENV = {k: v for k, v in os.environ.items()
       if k not in ("XZ_OPT", "XZ_DEFAULTS")}


def call(prog, args, input_bytes=None, env=None):
    return subprocess.run([prog] + args, input=input_bytes,
                          capture_output=True, env=env or ENV, timeout=300)


def messages(stderr, prog):
    """The program's own message lines, with its name replaced by "P"."""
    out = []
    for line in stderr.splitlines():
        for name in (prog.encode(), os.path.basename(prog).encode()):
            if line.startswith(name + b": "):
                out.append(b"P:" + line[len(name) + 1:])
                break
    return out


def corrupt_checks(xz_bytes):
    """Flips the last byte of every Block's Check (from `xz --robot -lvv`)."""
    with tempfile.NamedTemporaryFile(suffix=".xz") as f:
        f.write(xz_bytes)
        f.flush()
        r = subprocess.run([XZ, "--robot", "-lvv", f.name],
                           capture_output=True, check=False)
    blocks = [line.split("\t") for line in r.stdout.decode().splitlines()
              if line.startswith("block\t")]
    assert blocks, r.stderr
    out = bytearray(xz_bytes)
    for b in blocks:
        start, total = int(b[4]), int(b[6])
        out[start + total - 1] ^= 0x5A
    return bytes(out)


class IgnoreCheckTest(CliTestBase):
    def check_case(self, xz_args):
        data = mixed_data(3 << 20, seed=71)
        bad = corrupt_checks(call(XZ, xz_args + ["-c"], data).stdout)
        path = self.write("bad.xz", bad)
        for how in ("file", "pipe"):
            args = [str(path)] if how == "file" else []
            stdin = None if how == "file" else bad
            for extra, status in ((["--ignore-check"], 0), ([], 1)):
                with self.subTest(xz=xz_args, how=how, extra=extra):
                    mine = call(PARXZ, ["-dc"] + extra + args, stdin)
                    ref = call(XZ, ["-dc"] + extra + args, stdin)
                    self.assertEqual(ref.returncode, status)
                    self.assertEqual(mine.returncode, status, mine.stderr)
                    if status == 0:
                        self.assertEqual(mine.stdout, data)
                    self.assertEqual(mine.stdout, ref.stdout)
                    t = call(PARXZ, ["-t"] + extra + args, stdin)
                    self.assertEqual(t.returncode, status)

    def test_single_block_crc64(self):
        self.check_case(["-T1", "-6"])

    def test_many_blocks_sha256(self):
        # Blocks with sizes: the parallel decoder's Block decoders.
        self.check_case(["-T2", "-1", "-C", "sha256", "--block-size=512KiB"])

    def test_crc32_lzma_untouched(self):
        data = b"ignore me " * 5000
        good = call(XZ, ["-c", "-C", "crc32"], data).stdout
        bad = corrupt_checks(good)
        self.assertEqual(call(PARXZ, ["-dc", "--ignore-check"], bad).stdout,
                         data)
        # .lzma has no check: the option changes nothing.
        lz = call(XZ, ["-c", "-F", "lzma"], data).stdout
        self.assertEqual(call(PARXZ, ["-dc", "--ignore-check"], lz).stdout,
                         data)


class MemlimitCompressTest(CliTestBase):
    """xz's coder_set_compression_settings(): notices, errors, bytes."""

    CASES = [
        ["-6", "-T2", "-M", "150MiB"],       # single-threaded mode
        ["-6", "-T2", "-M", "50MiB"],        # ... and a smaller dictionary
        ["-6", "-T0", "-M", "50MiB"],
        ["-6", "-T2", "-M", "5MiB"],         # cannot fit: error
        ["-0", "-T2", "-M", "500KiB"],       # the limit shown in bytes
        ["-6", "-T1", "-M", "50MiB"],
        ["-9", "-T2", "-M", "300MiB"],
        ["-6", "-T4", "-M", "400MiB"],       # fewer threads (4 -> 2)
        ["-6", "-T4", "-M", "300MiB"],       # (4 -> 1, still threaded)
        ["-2", "-T4", "-M", "100MiB"],
        ["-6", "-T3", "-M", "340MiB"],
        ["-6", "-T2", "--no-adjust", "-M", "50MiB"],  # error
        ["-6", "-T4", "--no-adjust", "-M", "300MiB"],  # threads may drop
        ["-6", "-T1", "--no-adjust", "-M", "50MiB"],
        ["-F", "raw", "-M", "50MiB"],        # raw: never adjusted
        ["-F", "raw"],                       # xz's preset-in-raw warning
        ["-F", "lzma", "-T2", "-M", "30MiB"],  # LZMA1 dictionary
        ["--x86", "--lzma2=dict=16MiB", "-T1", "-M", "60MiB"],
        ["-6e", "-T2", "-M", "200MiB"],
        ["--memlimit-compress=150MiB", "-T2", "--block-size=1MiB"],
        ["-q", "-6", "-T1", "-M", "50MiB"],
        ["--no-adjust", "-T2"],              # no limit: nothing to adjust
    ]

    def test_same_as_xz(self):
        data = mixed_data(3 << 20, seed=72)
        src = self.write("in", data)
        for args in self.CASES:
            for verbose in ([], ["-v"]):
                full = ["-c"] + verbose + args + [str(src)]
                with self.subTest(args=full):
                    mine, ref = call(PARXZ, full), call(XZ, full)
                    self.assertEqual(mine.returncode, ref.returncode,
                                     mine.stderr)
                    self.assertEqual(messages(mine.stderr, PARXZ),
                                     messages(ref.stderr, XZ))
                    self.assertEqual(mine.stdout, ref.stdout)


def required_mib(prog, args):
    r = call(prog, ["-vv", "-c"] + args, b"x" * 1000)
    m = re.search(rb"(\d+) MiB of memory is required", r.stderr)
    assert m, r.stderr
    return int(m.group(1))


class MemoryEstimateTest(CliTestBase):
    def test_estimates_equal_xz(self):
        # parxz plans with xz's own figures; its buffers stay within them
        # (tests/parallel/compress_memory_test.cc).
        for args in (["-0", "-T1"], ["-2", "-T1"], ["-6", "-T1"],
                     ["-9e", "-T1"], ["-0", "-T2"], ["-2", "-T2"],
                     ["-6", "-T2"], ["-6", "-T3"], ["-9", "-T2"],
                     ["-F", "lzma", "-3"]):
            with self.subTest(args=args):
                self.assertEqual(required_mib(PARXZ, args),
                                 required_mib(XZ, args))

    def peak_rss_mib(self, args):
        r = subprocess.run(["/usr/bin/time", "-f", "%M", PARXZ] + args,
                           capture_output=True, env=ENV, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        return int(r.stderr.splitlines()[-1]) / 1024

    def test_peak_rss_within_estimate(self):
        if not os.path.exists("/usr/bin/time"):
            self.skipTest("no /usr/bin/time")
        # Sanitizer runtimes (tools/sanitize.sh runs these tests on an ASan
        # or TSan build) keep shadow memory and quarantines of their own.
        binary = pathlib.Path(PARXZ).read_bytes()
        if b"__asan_init" in binary or b"__tsan_init" in binary:
            self.skipTest("parxz is built with a sanitizer: RSS says nothing")
        src = self.write("in", mixed_data(24 << 20, seed=73))
        # The program itself (code, libraries), not the coder's memory.
        base = self.peak_rss_mib(["-V"])
        for args in (["-T1", "-2"], ["-T2", "-2"]):
            with self.subTest(args=args):
                rss = self.peak_rss_mib(["-c"] + args + [str(src)]) - base
                estimate = required_mib(PARXZ, args)
                self.assertLessEqual(rss, estimate * 1.10,
                                     f"{rss:.1f} MiB over the program's "
                                     f"{base:.1f} MiB; estimate {estimate}")


PERCENT = re.compile(rb":\s+(\d+\.\d) %")


def watch_progress(args):
    """(seconds to the first line with a percentage above 0, total seconds,
    percentages seen) for `parxz -v ARGS` with the live line forced on."""
    env = dict(ENV, PARXZ_PROGRESS="1")
    start = time.monotonic()
    first, seen = None, []
    with subprocess.Popen([PARXZ, "-v"] + args, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=env) as p:
        for line in p.stderr:
            m = PERCENT.search(line)
            if m and float(m.group(1)) > 0:
                seen.append(float(m.group(1)))
                if first is None:
                    first = time.monotonic() - start
        p.wait(timeout=600)
    assert p.returncode == 0
    return first, time.monotonic() - start, seen


class SingleThreadedBlocksTest(CliTestBase):
    """-T1 with --block-size / --block-list: Blocks ended by the
    single-threaded encoder (no sizes in their headers), xz -T1's bytes."""

    def test_same_bytes_as_xz_t1(self):
        data = mixed_data(3 << 20, seed=31)
        src = self.write("d", data)
        for extra in (["--block-size=1MiB"], ["--block-size=300000"],
                      ["--block-list=100000,200000,0"],
                      ["--block-list=500000,,1000000"],
                      ["--block-size=400000", "--block-list=1000000,700000"],
                      ["-0", "--block-size=64KiB"],
                      ["-e", "-C", "sha256", "--block-size=1MiB"]):
            with self.subTest(extra=extra):
                args = ["-T1", "-c"] + extra
                mine = call(PARXZ, args + [str(src)])
                ref = call(XZ, args + [str(src)])
                self.assertEqual(mine.returncode, 0, mine.stderr)
                self.assertEqual(mine.stdout, ref.stdout)
                # Several Blocks (the same bytes as xz's, so without sizes
                # in their headers).
                listed = self.write("d.xz", mine.stdout)
                lst = call(XZ, ["--robot", "-lvv", str(listed)])
                blocks = [line for line in lst.stdout.decode().splitlines()
                          if line.startswith("block\t")]
                self.assertGreater(len(blocks), 1)
                piped = call(PARXZ, args, data)
                self.assertEqual(piped.stdout, ref.stdout, "from a pipe")
                self.assert_decodes_to(mine.stdout, data)


class LiveProgressTest(CliTestBase):
    """Progress rises while a Block is coded, not only when it is written.

    Timing is judged against the run's own duration, generously: without
    live counters the first non-zero percentage appears only when the first
    24 MiB Block is written, near the end of the run.
    """

    def test_compression(self):
        src = self.write("in", mixed_data(26_000_000, seed=74))
        first, total, seen = watch_progress(["-6", "-T2", "-c", str(src)])
        self.assertIsNotNone(first)
        self.assertLess(first, 0.5 * total, seen)
        self.assertTrue(any(0 < s < 80 for s in seen), seen)

    def test_decompression_of_one_block(self):
        rng = random.Random(75)
        data = base64.b64encode(rng.randbytes(30_000_000))
        src = self.write("in.xz", call(XZ, ["-T1", "-0", "-c"], data).stdout)
        first, total, seen = watch_progress(["-dc", str(src)])
        self.assertIsNotNone(first)
        self.assertLess(first, 0.7 * total, seen)
        self.assertTrue(any(0 < s < 90 for s in seen), seen)


if __name__ == "__main__":
    unittest.main()
