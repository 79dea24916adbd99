#!/usr/bin/env python3
"""End-to-end tests of the parxz binary against independent references.

Every round trip is checked by /usr/bin/xz and Python's lzma module; the one
golden comparison is byte-identity with `xz -T2` for the same options. Data
is generated from fixed seeds. Run by tests/cli/cli_test.sh under Bazel (the
binary comes from $PARXZ, or bazel-bin/tools/parxz when run by hand).
"""
import hashlib
import lzma
import os
import pathlib
import pty
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

HERE = pathlib.Path(__file__).resolve().parent


def find_parxz():
    env = os.environ.get("PARXZ")
    if env:
        return str(pathlib.Path(env).resolve())
    for base in (os.environ.get("TEST_SRCDIR"), HERE.parent.parent):
        if base:
            for cand in (pathlib.Path(base) / "parxz/tools/parxz",
                         pathlib.Path(base) / "bazel-bin/tools/parxz"):
                if cand.exists():
                    return str(cand)
    raise RuntimeError("parxz binary not found; set PARXZ")


PARXZ = find_parxz()
XZ = shutil.which("xz") or "/usr/bin/xz"


_CACHE = {}


def mixed_data(size, seed=1):
    """Text-like, repetitive and random parts: compresses like real files."""
    key = (size, seed)
    if key not in _CACHE:
        _CACHE[key] = _make_mixed(size, seed)
    return _CACHE[key]


def _make_mixed(size, seed):
    rng = random.Random(seed)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz")
                   for _ in range(rng.randint(2, 9))) for _ in range(500)]
    out = bytearray()
    while len(out) < size:
        kind = rng.random()
        if kind < 0.6:
            out += b" ".join(rng.choice(words) for _ in range(200)) + b"\n"
        elif kind < 0.8:
            out += rng.randbytes(rng.randint(100, 4000))
        else:
            out += bytes([rng.randint(0, 255)]) * rng.randint(10, 3000)
    return bytes(out[:size])


def run(args, stdin=None, input_bytes=None, env=None, cwd=None):
    return subprocess.run([PARXZ] + args, input=input_bytes, stdin=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, cwd=cwd, timeout=120)


def xz(args, input_bytes=None):
    return subprocess.run([XZ] + args, input=input_bytes,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120)


class CliTestBase(unittest.TestCase):
    def setUp(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="parxz-cli-"))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, data):
        p = self.dir / name
        p.write_bytes(data)
        return p

    def ok(self, args, **kw):
        r = run(args, **kw)
        self.assertEqual(r.returncode, 0,
                         f"parxz {' '.join(args)}: {r.stderr.decode()}")
        return r

    def assert_decodes_to(self, compressed, data, fmt=None):
        args = ["-dc"] + ([f"--format={fmt}"] if fmt else [])
        r = xz(args, compressed)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(r.stdout, data, "xz decodes to something else")
        if fmt != "raw":
            self.assertEqual(lzma.decompress(compressed), data,
                             "Python's lzma decodes to something else")

    def leftovers(self):
        return sorted(p.name for p in self.dir.iterdir() if ".parxz-" in p.name)


class HelpTest(CliTestBase):
    def test_help_lists_every_option(self):
        r = self.ok(["-h"])
        text = r.stdout.decode()
        for opt in ["-z", "-d", "-t", "-l", "-k", "-f", "-c", "-q", "-v", "-h",
                    "-V", "-T", "-0 ... -9", "-e", "--block-size", "--check",
                    "--format", "--lzma1", "--lzma2", "--delta", "--x86",
                    "--powerpc", "--ia64", "--arm", "--armthumb", "--arm64",
                    "--sparc", "--memlimit", "--suffix", "PARXZ_PROGRESS",
                    "--offset", "--length", "Exit status"]:
            self.assertIn(opt, text)
        self.assertLess(len(text.splitlines()), 80, "help should be concise")

    def test_version(self):
        r = self.ok(["-V"])
        self.assertIn(b"liblzma", r.stdout)

    def test_bad_option_is_an_error(self):
        for args in (["--bogus"], ["-y"], ["-T"], ["-Tx"], ["--check=md5"],
                     ["--block-size=1XB"], ["--lzma2=dict=huge"],
                     ["--lzma2=foo=1"], ["--delta=dist=0"], ["--format=zip"]):
            r = run(args, input_bytes=b"")
            self.assertEqual(r.returncode, 1, args)
            self.assertTrue(r.stderr.startswith(b"parxz: "), r.stderr)


class ByteIdentityTest(CliTestBase):
    """The golden comparison: parxz -T equals xz -T for identical settings."""

    def setUp(self):
        super().setUp()
        self.data = mixed_data(3 << 19, seed=7)
        self.src = self.write("data.bin", self.data)

    def compare(self, args):
        mine = self.ok(args + ["-c", str(self.src)]).stdout
        ref = xz(args + ["-c", str(self.src)])
        self.assertEqual(ref.returncode, 0, ref.stderr.decode())
        self.assertEqual(hashlib.sha256(mine).hexdigest(),
                         hashlib.sha256(ref.stdout).hexdigest(),
                         f"output differs from xz {' '.join(args)}")
        self.assert_decodes_to(mine, self.data)

    def test_preset6_small_blocks(self):
        self.compare(["-6", "-T2", "--block-size=512KiB"])

    def test_preset6_default_block_size(self):
        # 1.5 MiB < 24 MiB: a single Block, still with sizes in its header.
        self.compare(["-6", "-T2"])

    def test_preset1_checks(self):
        for check in ("none", "crc32", "crc64", "sha256"):
            with self.subTest(check=check):
                self.compare(["-0", "-T2", "--block-size=512KiB",
                              f"--check={check}"])

    def test_extreme(self):
        self.compare(["-3e", "-T2", "--block-size=512KiB"])

    def test_custom_filters(self):
        self.compare(["-T2", "--block-size=1MiB", "--delta=dist=4",
                      "--lzma2=preset=2,dict=256KiB,lc=2,lp=1,pb=1,"
                      "mode=fast,nice=32,mf=hc4,depth=8"])
        self.compare(["-T2", "--block-size=768KiB", "--x86=start=16",
                      "--lzma2=preset=1"])

    def test_threads_do_not_change_output(self):
        # -T1 is xz's single-threaded format; -T+1 the threaded one.
        outs = {self.ok([f"-T{t}", "-2", "--block-size=256KiB", "-c",
                         str(self.src)]).stdout for t in ("+1", 2, 0)}
        self.assertEqual(len(outs), 1)

    def test_size_spellings(self):
        outs = {self.ok(["-0", "-T2", f"--block-size={b}", "-c",
                         str(self.src)]).stdout
                for b in ("1MiB", "1048576", "1024KiB", "1M", "1024k")}
        self.assertEqual(len(outs), 1)


class RoundTripTest(CliTestBase):
    def setUp(self):
        super().setUp()
        self.data = mixed_data(600 << 10, seed=3)

    def test_presets(self):
        for preset in ("-0", "-1", "-4", "-6", "-9e"):
            with self.subTest(preset=preset):
                p = self.write("f", self.data)
                self.ok([preset, "-T2", str(p)])
                self.assertFalse(p.exists(), "input must be removed")
                packed = (self.dir / "f.xz").read_bytes()
                self.assert_decodes_to(packed, self.data)
                self.ok(["-d", str(self.dir / "f.xz")])
                self.assertEqual(p.read_bytes(), self.data)
                self.assertFalse((self.dir / "f.xz").exists())
                p.unlink()

    def test_stdin_to_stdout(self):
        packed = self.ok(["-T2"], input_bytes=self.data).stdout
        self.assert_decodes_to(packed, self.data)
        self.assertEqual(self.ok(["-d"], input_bytes=packed).stdout, self.data)
        packed = self.ok(["-c", "-"], input_bytes=self.data).stdout
        self.assertEqual(self.ok(["-dc", "-"], input_bytes=packed).stdout,
                         self.data)
        ref = xz(["-c"], self.data).stdout
        self.assertEqual(self.ok(["-dc"], input_bytes=ref).stdout, self.data)

    def test_several_files(self):
        names = ["a", "b", "c"]
        datas = [mixed_data(50_000 * (i + 1), seed=i) for i in range(3)]
        for n, d in zip(names, datas):
            self.write(n, d)
        self.ok(["-k", "-T2"] + [str(self.dir / n) for n in names])
        for n, d in zip(names, datas):
            self.assertEqual((self.dir / n).read_bytes(), d)
            self.assert_decodes_to((self.dir / (n + ".xz")).read_bytes(), d)
        out = self.ok(["-dc"] + [str(self.dir / (n + ".xz"))
                                 for n in names]).stdout
        self.assertEqual(out, b"".join(datas))

    def test_keep_force_stdout(self):
        p = self.write("f", self.data)
        self.ok(["-k", str(p)])
        self.assertTrue(p.exists())
        xzfile = self.dir / "f.xz"
        first = xzfile.read_bytes()
        # Existing output: refused without -f, untouched, input kept.
        r = run(["-1", str(p)])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"File exists", r.stderr)
        self.assertEqual(xzfile.read_bytes(), first)
        self.assertTrue(p.exists())
        # -f replaces it (and removes the input, as xz).
        self.ok(["-f", "-1", str(p)])
        self.assertFalse(p.exists())
        self.assertNotEqual(xzfile.read_bytes(), first)
        self.assert_decodes_to(xzfile.read_bytes(), self.data)
        # -c writes to stdout and never removes the input.
        out = self.ok(["-dc", str(xzfile)]).stdout
        self.assertEqual(out, self.data)
        self.assertTrue(xzfile.exists())
        self.assertFalse(p.exists())
        # -d -k keeps the .xz.
        self.ok(["-dk", str(xzfile)])
        self.assertTrue(xzfile.exists())
        self.assertEqual(p.read_bytes(), self.data)
        self.assertEqual(self.leftovers(), [])

    def test_suffix(self):
        p = self.write("f", self.data)
        self.ok(["-k", "-S", ".pz", str(p)])
        packed = (self.dir / "f.pz").read_bytes()
        self.assert_decodes_to(packed, self.data)
        p.unlink()
        self.ok(["-d", "--suffix=.pz", str(self.dir / "f.pz")])
        self.assertEqual(p.read_bytes(), self.data)
        # .txz -> .tar, as xz.
        self.write("t.txz", xz(["-c"], self.data).stdout)
        self.ok(["-d", str(self.dir / "t.txz")])
        self.assertEqual((self.dir / "t.tar").read_bytes(), self.data)

    def test_unknown_suffix_and_already_compressed(self):
        p = self.write("f.bin", xz(["-c"], self.data).stdout)
        r = run(["-d", str(p)])
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"unknown suffix", r.stderr)
        self.assertTrue(p.exists())
        q = self.write("g.xz", b"x")
        r = run([str(q)])
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"already has", r.stderr)
        # -q hides the warning, -Q keeps the exit status at 0.
        r = run(["-dq", str(p)])
        self.assertEqual((r.returncode, r.stderr), (2, b""))
        self.assertEqual(run(["-dQ", str(p)]).returncode, 0)

    def test_combined_short_options(self):
        p = self.write("f", self.data)
        packed = self.ok(["-9ecT1", str(p)]).stdout
        self.assertEqual(packed, xz(["-9e", "-T1", "-c", str(p)]).stdout)
        self.assertEqual(self.ok(["-dc"], input_bytes=packed).stdout, self.data)
        self.assertEqual(self.ok(["-cdT0"], input_bytes=packed).stdout,
                         self.data)
        self.assertEqual(self.ok(["-T", "2", "-6", "-c", str(p)]).stdout,
                         self.ok(["--threads=2", "-c", str(p)]).stdout)

    def test_lzma_format(self):
        p = self.write("f", self.data)
        self.ok(["-F", "lzma", "-k", "-3", str(p)])
        packed = (self.dir / "f.lzma").read_bytes()
        self.assertEqual(packed, xz(["--format=lzma", "-3", "-c", str(p)]).stdout)
        self.assert_decodes_to(packed, self.data)
        p.unlink()
        self.ok(["-d", str(self.dir / "f.lzma")])
        self.assertEqual(p.read_bytes(), self.data)
        packed = self.ok(["--format=lzma", "--lzma1=preset=1,lc=0",
                          "-c", str(p)]).stdout
        self.assert_decodes_to(packed, self.data)

    def test_raw_format(self):
        p = self.write("f", self.data)
        chain = ["--delta=dist=2", "--lzma2=preset=1,dict=1MiB"]
        packed = self.ok(["-F", "raw", "-c"] + chain + [str(p)]).stdout
        self.assertEqual(packed,
                         xz(["-F", "raw", "-c"] + chain + [str(p)]).stdout)
        r = xz(["-dc", "-F", "raw"] + chain, packed)
        self.assertEqual(r.stdout, self.data)
        self.assertEqual(self.ok(["-dc", "-F", "raw"] + chain,
                                 input_bytes=packed).stdout, self.data)
        for bcj in ("--x86", "--powerpc", "--ia64", "--arm", "--armthumb",
                    "--arm64", "--sparc"):
            with self.subTest(bcj=bcj):
                chain = [bcj, "--lzma2=preset=0"]
                packed = self.ok(["-F", "raw", "-c"] + chain + [str(p)]).stdout
                r = xz(["-dc", "-F", "raw"] + chain, packed)
                self.assertEqual(r.stdout, self.data)
        r = run(["-F", "raw", str(p)])  # a raw file needs a suffix (xz: error)
        self.assertEqual(r.returncode, 1)

    def test_metadata_carried_over(self):
        p = self.write("f", self.data)
        os.chmod(p, 0o640)
        os.utime(p, ns=(1_500_000_000_123_456_789, 1_600_000_000_987_654_321))
        self.ok([str(p)])
        st = os.stat(self.dir / "f.xz")
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o640)
        self.assertEqual(st.st_mtime_ns, 1_600_000_000_987_654_321)
        self.ok(["-d", str(self.dir / "f.xz")])
        st = os.stat(p)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o640)
        self.assertEqual(st.st_mtime_ns, 1_600_000_000_987_654_321)

    def test_byte_range_through_the_index(self):
        # A file made by xz itself, with Blocks of 64 KiB; slices at Block
        # boundaries, straddling Blocks, the whole file, empty, past the end.
        p = self.write("r.xz", xz(["-c", "-T2", "--block-size=64KiB"],
                                  self.data).stdout)
        n = len(self.data)
        for offset, length in ((0, 65536), (65536, 1), (65000, 140000),
                               (0, n), (n // 2, 0), (n - 10, 100), (n + 5, 10)):
            with self.subTest(offset=offset, length=length):
                r = self.ok(["-dc", f"--offset={offset}", f"--length={length}",
                             str(p)])
                self.assertEqual(r.stdout, self.data[offset:offset + length])
        r = self.ok(["-dc", "--offset=100000", str(p)])
        self.assertEqual(r.stdout, self.data[100000:])
        r = run(["-d", "--offset=5", str(p)])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"-dc", r.stderr)

    def test_test_mode(self):
        p = self.write("f.xz", xz(["-c"], self.data).stdout)
        r = self.ok(["-t", str(p)])
        self.assertEqual(r.stdout, b"")
        self.assertEqual(sorted(x.name for x in self.dir.iterdir()), ["f.xz"])

    def test_concatenated_and_padded(self):
        a, b = self.data[:1000], self.data[1000:5000]
        blob = xz(["-c"], a).stdout + b"\0" * 8 + xz(["-c"], b).stdout
        self.assertEqual(self.ok(["-dc"], input_bytes=blob).stdout, a + b)
        self.assertEqual(self.ok(["-dc", "--single-stream"],
                                 input_bytes=blob).stdout, a)
        r = run(["-dc"], input_bytes=blob + b"\0" * 3)
        self.assertEqual(r.returncode, 1)


class ErrorTest(CliTestBase):
    def setUp(self):
        super().setUp()
        self.data = mixed_data(300 << 10, seed=5)

    def test_missing_file(self):
        r = run([str(self.dir / "nope")])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"nope: ", r.stderr)
        self.assertIn(b"No such file or directory", r.stderr)

    def test_directory_and_symlink_are_skipped(self):
        (self.dir / "d").mkdir()
        r = run([str(self.dir / "d")])
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"Is a directory, skipping", r.stderr)
        p = self.write("f", self.data)
        os.symlink(p, self.dir / "link")
        r = run([str(self.dir / "link")])
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"symbolic link", r.stderr)
        self.assertFalse((self.dir / "link.xz").exists())
        # -c follows it, as xz.
        packed = self.ok(["-c", str(self.dir / "link")]).stdout
        self.assert_decodes_to(packed, self.data)
        # A file with two hard links is skipped without -f.
        os.link(p, self.dir / "hard")
        r = run(["-k", str(p)])
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"hard link", r.stderr)
        self.ok(["-kf", str(p)])

    def test_no_permission(self):
        if os.geteuid() == 0:
            # Root ignores permission bits. What still fails for root: an
            # output directory that refuses new files (/proc).
            r = run(["-k", "/proc/version"])
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(b"/proc/version.xz: ", r.stderr)
            self.assertFalse(os.path.exists("/proc/version.xz"))
            return
        p = self.write("f", self.data)
        os.chmod(self.dir, 0o500)
        try:
            r = run([str(p)])
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"Permission denied", r.stderr)
            self.assertEqual(p.read_bytes(), self.data)
        finally:
            os.chmod(self.dir, 0o700)

    def test_corrupt_input(self):
        packed = bytearray(xz(["-c"], self.data).stdout)
        packed[len(packed) // 2] ^= 0x55
        p = self.write("f.xz", bytes(packed))
        r = run(["-d", str(p)])
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr.decode(),
                         r"^parxz: .*f\.xz: .*(corrupt|Corrupt).*"
                         r"at compressed byte \d+")
        self.assertTrue(p.exists(), "input must be kept")
        self.assertFalse((self.dir / "f").exists(), "no partial output")
        self.assertEqual(self.leftovers(), [])
        # Truncated input.
        p2 = self.write("g.xz", bytes(packed[:100]))
        r = run(["-t", str(p2)])
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"at compressed byte", r.stderr)
        # Not compressed at all.
        r = run(["-t"], input_bytes=b"hello, world\n" * 10)
        self.assertEqual(r.returncode, 1)

    def test_dev_full(self):
        p = self.write("f", self.data)
        with open("/dev/full", "wb") as full:
            r = subprocess.run([PARXZ, "-c", str(p)], stdout=full,
                               stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"No space left on device", r.stderr)
        self.assertEqual(p.read_bytes(), self.data)
        q = self.write("g.xz", xz(["-c"], self.data).stdout)
        with open("/dev/full", "wb") as full:
            r = subprocess.run([PARXZ, "-dc", str(q)], stdout=full,
                               stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(q.exists())

    def test_sigint_mid_compression(self):
        data = random.Random(11).randbytes(24 << 20)
        p = self.write("big", data)
        proc = subprocess.Popen([PARXZ, "-6e", "-T1", str(p)],
                                stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while not self.leftovers() and time.time() < deadline:
            time.sleep(0.01)
        self.assertTrue(self.leftovers(), "no temporary output appeared")
        time.sleep(0.3)
        self.assertIsNone(proc.poll(), "finished before the signal")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, -signal.SIGINT)
        self.assertEqual(self.leftovers(), [])
        self.assertFalse((self.dir / "big.xz").exists())
        self.assertEqual(p.read_bytes(), data)

    def test_terminal_output_refused(self):
        p = self.write("f", self.data)
        master, slave = pty.openpty()
        try:
            r = subprocess.run([PARXZ, "-c", str(p)], stdout=slave,
                               stderr=subprocess.PIPE, timeout=60)
        finally:
            os.close(slave)
            os.close(master)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"cannot be written to a terminal", r.stderr)


class ListTest(CliTestBase):
    def test_list_equals_xz_list(self):
        a = self.write("a", mixed_data(700 << 10, seed=1))
        b = self.write("b", mixed_data(90 << 10, seed=2))
        self.ok(["-k", "-T2", "--block-size=128KiB", str(a)])
        self.ok(["-k", "-1", "--check=sha256", str(b)])
        files = [str(self.dir / "a.xz"), str(self.dir / "b.xz")]
        for args in (["-l"], ["-lv"]):
            with self.subTest(args=args):
                for fs in (files[:1], files):
                    mine = self.ok(args + fs).stdout.decode()
                    ref = xz(args + fs)
                    self.assertEqual(mine, ref.stdout.decode())
        rows = self.ok(["-lv", files[0]]).stdout.decode()
        self.assertIn("  Blocks:", rows)
        self.assertEqual(run(["-l"], input_bytes=b"").returncode, 1)


class StreamRulesTest(CliTestBase):
    """Regressions of issue 13: inputs where parxz and xz used to disagree.
    Every case compares with the xz program run on the same bytes."""

    def same_as_xz(self, args, blob):
        mine, ref = run(args, input_bytes=blob), xz(args, blob)
        self.assertEqual(mine.returncode, ref.returncode,
                         f"{args}: parxz {mine.stderr!r} / xz {ref.stderr!r}")
        self.assertEqual(mine.stdout, ref.stdout, args)
        return mine

    def test_single_stream_of_unrecognized_input(self):
        # All zeros, plain text, empty, a lone .xz magic: "File format not
        # recognized" (status 1), with and without --single-stream and -F.
        blobs = {"zeros": b"\0" * 100, "text": b"hello\n", "empty": b"",
                 "magic": b"\xfd7zXZ\0"}
        for name, blob in blobs.items():
            for fmt in ("auto", "lzma", "xz"):
                for extra in ([], ["--single-stream"]):
                    with self.subTest(input=name, format=fmt, extra=extra):
                        r = self.same_as_xz(["-dc", "-F", fmt] + extra, blob)
                        self.assertEqual(r.returncode, 1)

    def test_single_stream_ignores_what_follows(self):
        a = xz(["-c"], b"first stream\n").stdout
        for tail in (b"", b"\0" * 4, b"garbage", a):
            with self.subTest(tail=tail[:8]):
                r = self.same_as_xz(["-dc", "--single-stream"], a + tail)
                self.assertEqual(r.stdout, b"first stream\n")

    def test_raw_memlimit_is_enforced(self):
        data = mixed_data(200 << 10, seed=9)
        blob = xz(["-c", "-F", "raw", "--lzma2=preset=9"], data).stdout
        args = ["-dc", "-F", "raw", "--lzma2=preset=9"]
        r = self.same_as_xz(args + ["-M", "1MiB"], blob)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"65 MiB", r.stderr)
        r = self.same_as_xz(args + ["-M", "100MiB"], blob)
        self.assertEqual(r.stdout, data)

    def test_concatenated_small_streams_list_and_ranges(self):
        one = xz(["-c"], b"a").stdout
        p = self.write("a3.xz", one * 3)
        for args in (["-l"], ["-lv"]):
            with self.subTest(args=args):
                self.assertEqual(self.ok(args + [str(p)]).stdout.decode(),
                                 xz(args + [str(p)]).stdout.decode())
        for offset, length in ((0, 3), (1, 1), (2, 5), (3, 1)):
            with self.subTest(offset=offset, length=length):
                r = self.ok(["-dc", f"--offset={offset}",
                             f"--length={length}", str(p)])
                self.assertEqual(r.stdout, b"aaa"[offset:offset + length])


class ProgressTest(CliTestBase):
    def test_summary_and_forced_progress(self):
        data = mixed_data(2 << 20, seed=9)
        p = self.write("f", data)
        r = self.ok(["-v", "-k", "-1", "-T2", str(p)])
        lines = r.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, "one summary line when not a tty")
        self.assertRegex(lines[0], r"f: 100\.0 %.* -> .* = 0\.\d{3}, "
                         r"[\d.]+ MB/s in, [\d.]+ MB/s out")
        env = dict(os.environ, PARXZ_PROGRESS="1")
        r = self.ok(["-v", "-f", "-k", "-6", "-T1", str(p)], env=env)
        lines = r.stderr.decode().strip().splitlines()
        self.assertGreaterEqual(len(lines), 2, "live lines expected")
        self.assertRegex(r.stderr.decode(), r"MB/s in")
        r = self.ok(["-k", "-f", "-1", str(p)])
        self.assertEqual(r.stderr, b"", "quiet without -v")


@unittest.skipUnless(shutil.which("taskset") and len(os.sched_getaffinity(0)) > 1,
                     "needs taskset and two CPUs")
class ThreadsTest(CliTestBase):
    """-T0 is the CPUs the process may run on; -T N is N, as xz's."""

    def taskset(self, args):
        cpu = str(min(os.sched_getaffinity(0)))
        return subprocess.run(["taskset", "-c", cpu, PARXZ] + args,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120)

    def test_bound_to_one_cpu(self):
        data = mixed_data(3 << 20, seed=11)
        p = self.write("f", data)
        online = os.sysconf("SC_NPROCESSORS_ONLN")
        mask = f"the CPU affinity mask (1 of {online} CPUs)"
        r = self.taskset(["-T0", "-vv", "-1", "-c", str(p)])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        err = r.stderr.decode()
        self.assertIn("Using up to 1 threads.\n", err)
        self.assertIn("The CPUs this process may run on: " + mask, err)
        # -T2: two threads as xz, and -v says how many CPUs there are.
        r = self.taskset(["-T2", "-v", "-1", "-c", str(p)])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertIn("2 threads, more than the CPUs this process may run "
                      "on: " + mask, r.stderr.decode())
        self.assertNotIn("TBB", r.stderr.decode())
        self.assertEqual(r.stdout, xz(["-T2", "-1", "-c", str(p)]).stdout)
        # Quiet without -v.
        r = self.taskset(["-T2", "-1", "-c", str(p)])
        self.assertEqual(r.stderr, b"")

    def test_unbound_says_nothing_new(self):
        if len(os.sched_getaffinity(0)) != os.sysconf("SC_NPROCESSORS_ONLN"):
            self.skipTest("this process is bound")
        p = self.write("f", mixed_data(1 << 20, seed=12))
        err = self.ok(["-T0", "-vv", "-1", "-c", str(p)]).stderr.decode()
        self.assertIn(f"Using up to {len(os.sched_getaffinity(0))} threads.",
                      err)
        self.assertNotIn("may run on", err)


class ConformanceTest(CliTestBase):
    """Every file of the xz test suite: `-t` status and `-dc` output as xz."""

    def test_xz_test_files(self):
        shared = os.environ.get("PARXZ_SHARED")
        files_dir = pathlib.Path(shared or "/nonexistent") / "xz-test-files"
        if not files_dir.is_dir():
            self.skipTest("PARXZ_SHARED/xz-test-files not available")
        manifest = (files_dir / "MANIFEST.tsv").read_text().splitlines()[1:]
        self.assertGreater(len(manifest), 90)
        for line in manifest:
            name, want = line.split("\t")[:2]
            f = str(files_dir / name)
            with self.subTest(file=name):
                r = run(["-t", f])
                self.assertEqual(r.returncode, int(want),
                                 f"{name}: {r.stderr.decode()}")
                mine = run(["-dc", f])
                ref = xz(["-dc", f])
                self.assertEqual(mine.returncode, ref.returncode)
                self.assertEqual(mine.stdout, ref.stdout,
                                 f"{name}: output differs from xz -dc")
                if name.startswith("good-") and name.endswith(".xz"):
                    self.assertEqual(run(["-lv", f]).stdout,
                                     xz(["-lv", f]).stdout,
                                     f"{name}: -lv differs from xz -lv")


class JUnitResult(unittest.TextTestResult):
    """Records each test case for Bazel's test.xml (one entry per case)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.cases = []
        self._t0 = {}

    def startTest(self, test):
        self._t0[test.id()] = time.time()
        super().startTest(test)

    def _record(self, test, kind, text=""):
        took = time.time() - self._t0.get(test.id(), time.time())
        self.cases.append((test.id(), kind, text, took))

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "failure" if issubclass(err[0], test.failureException) \
                else "error"
            self._record(subtest, kind, self._exc_info_to_string(err, test))


def write_junit(path, result):
    suite = ET.Element("testsuite", name="cli_test",
                       tests=str(len(result.cases)))
    for case_id, kind, text, took in result.cases:
        cls, _, name = case_id.rpartition(".")
        case = ET.SubElement(suite, "testcase", classname=cls, name=name,
                             time=f"{took:.3f}")
        if kind != "ok":
            ET.SubElement(case, kind, message=text[:200]).text = text
    ET.ElementTree(ET.Element("testsuites")).getroot().append(suite)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])
    if len(sys.argv) > 1:
        suite = unittest.defaultTestLoader.loadTestsFromNames(
            sys.argv[1:], sys.modules[__name__])
    runner = unittest.TextTestRunner(verbosity=2, resultclass=JUnitResult)
    result = runner.run(suite)
    xml_out = os.environ.get("XML_OUTPUT_FILE")
    if xml_out:
        write_junit(xml_out, result)
    sys.exit(0 if result.wasSuccessful() else 1)
