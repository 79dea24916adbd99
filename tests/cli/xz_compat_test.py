#!/usr/bin/env python3
"""parxz as a drop-in for xz 5.4: every option xz has, compared with xz.

Each test runs parxz and /usr/bin/xz on the same input and compares exit
status, stdout bytes (the --robot text byte for byte) and, for .xz output, the
bytes: `parxz -T1` with `xz -T1` (single-threaded format), every other -T with
`xz -T2` (block-parallel format). Shares the helpers of cli_test.py; run by
tests/cli/xz_compat_test.sh under Bazel or by hand with PARXZ set.
"""
import hashlib
import lzma
import os
import pathlib
import random
import shutil
import struct
import subprocess
import sys
import time
import unittest
import zlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cli_test  # noqa: E402
from cli_test import PARXZ, XZ, CliTestBase, mixed_data, run, xz  # noqa: E402

CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in ("XZ_OPT", "XZ_DEFAULTS")}


def both(args, input_bytes=None, env=None, cwd=None, prog=None, xz_prog=None):
    """(parxz result, xz result) for the same arguments."""
    env = CLEAN_ENV if env is None else env
    mine = subprocess.run([prog or PARXZ] + args, input=input_bytes,
                          capture_output=True, env=env, cwd=cwd, timeout=120)
    ref = subprocess.run([xz_prog or XZ] + args, input=input_bytes,
                         capture_output=True, env=env, cwd=cwd, timeout=120)
    return mine, ref


def make_lz(data, dict_pow=20):
    """One lzip member (version 1), from Python's raw LZMA1 encoder."""
    raw = lzma.compress(data, format=lzma.FORMAT_RAW, filters=[{
        "id": lzma.FILTER_LZMA1, "dict_size": 1 << dict_pow,
        "lc": 3, "lp": 0, "pb": 2}])
    member = b"LZIP\x01" + bytes([dict_pow]) + raw
    return member + struct.pack("<IQQ", zlib.crc32(data), len(data),
                                len(member) + 20)


class CompatBase(CliTestBase):
    def same(self, args, input_bytes=None, **kw):
        mine, ref = both(args, input_bytes, **kw)
        self.assertEqual(mine.returncode, ref.returncode,
                         f"{args}: exit status; parxz said "
                         f"{mine.stderr.decode()!r}, xz {ref.stderr.decode()!r}")
        self.assertEqual(mine.stdout, ref.stdout, f"{args}: stdout differs")
        return mine, ref


class ThreadsFormatTest(CompatBase):
    """-T as xz 5.4: -T1 single-threaded, everything else block-parallel."""

    def setUp(self):
        super().setUp()
        self.data = mixed_data(3 << 19, seed=11)
        self.src = self.write("d", self.data)

    def compare(self, mine_args, ref_args):
        mine = self.ok(mine_args + ["-c", str(self.src)]).stdout
        ref = xz(ref_args + ["-c", str(self.src)]).stdout
        self.assertEqual(hashlib.sha256(mine).hexdigest(),
                         hashlib.sha256(ref).hexdigest(),
                         f"parxz {mine_args} != xz {ref_args}")
        self.assert_decodes_to(mine, self.data)

    def test_t1_is_single_threaded_xz(self):
        for extra in (["-0"], ["-6"], ["-3e", "-C", "sha256"], ["-C", "none"],
                      ["--delta=dist=2", "--lzma2=preset=1"]):
            with self.subTest(extra=extra):
                self.compare(["-T1"] + extra, ["-T1"] + extra)
                self.compare(["--threads=1"] + extra, ["-T1"] + extra)

    def test_other_thread_counts_are_xz_t2(self):
        for t in ("0", "2", "3", "+1", "+2"):
            for extra in (["-1", "--block-size=400KiB"], ["-6"],
                          ["-0", "-C", "crc32", "--block-size=1MiB"]):
                with self.subTest(t=t, extra=extra):
                    self.compare([f"-T{t}"] + extra, ["-T2"] + extra)

    def test_empty_and_tiny_inputs(self):
        for data in (b"", b"x"):
            for t, rt in (("1", "1"), ("0", "2"), ("+1", "2")):
                with self.subTest(data=data, t=t):
                    mine = self.ok([f"-T{t}", "-c"], input_bytes=data).stdout
                    ref = xz([f"-T{rt}", "-c"], data).stdout
                    self.assertEqual(mine, ref)

    def test_bad_thread_counts(self):
        for t in ("x", "-1", "+", "16385"):
            with self.subTest(t=t):
                self.same([f"-T{t}", "-c"], b"x")


class BlockListTest(CompatBase):
    def setUp(self):
        super().setUp()
        self.data = mixed_data(5 << 20, seed=12)
        self.src = self.write("d", self.data)

    def test_equals_xz_t2(self):
        for lst in ("1MiB", "100000,2000000", "300KiB,,1MiB,0", "4MiB,0",
                    "64KiB,64KiB,1,1MiB", "10MiB"):
            for bs in (None, "700KiB", "3MiB"):
                args = ["-1", f"--block-list={lst}"]
                if bs:
                    args.append(f"--block-size={bs}")
                with self.subTest(args=args):
                    mine = self.ok(args + ["-T0", "-c", str(self.src)]).stdout
                    ref = xz(args + ["-T2", "-c", str(self.src)])
                    self.assertEqual(ref.returncode, 0)
                    self.assertEqual(mine, ref.stdout, f"{args}")
        self.assert_decodes_to(mine, self.data)

    def test_from_a_pipe(self):
        args = ["-0", "--block-list=123456,,700000", "-c"]
        mine = self.ok(args, input_bytes=self.data).stdout
        self.assertEqual(mine, xz(args + ["-T2"], self.data).stdout)

    def test_block_boundaries_listed(self):
        p = self.write("b.xz", self.ok(["-0", "--block-list=1000,2000,0",
                                        "-c", str(self.src)]).stdout)
        self.same(["--robot", "-lv", str(p)])

    def test_bad_lists(self):
        for lst in ("", ",1", "1,0,2", "x", "1,-2", "5QiB"):
            with self.subTest(lst=lst):
                self.same([f"--block-list={lst}", "-c"], b"x")


class FlushTimeoutTest(CliTestBase):
    def test_flushes_stalled_input(self):
        part1, part2 = b"first part " * 500, b"second part " * 300
        proc = subprocess.Popen([PARXZ, "--flush-timeout=100", "-c"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                env=CLEAN_ENV)
        proc.stdin.write(part1)
        proc.stdin.flush()
        # What arrives before the input ends must decode to part1.
        dec = lzma.LZMADecompressor()
        got = b""
        deadline = time.time() + 30
        while len(got) < len(part1) and time.time() < deadline:
            chunk = os.read(proc.stdout.fileno(), 65536)
            self.assertTrue(chunk, "output ended early")
            got += dec.decompress(chunk)
        self.assertEqual(got, part1)
        proc.stdin.write(part2)
        proc.stdin.close()
        rest = proc.stdout.read()
        self.assertEqual(proc.wait(), 0)
        self.assertEqual(got + dec.decompress(rest), part1 + part2)
        self.assertTrue(dec.eof)

    def test_bad_values(self):
        for args in (["--flush-timeout=x"], ["--flush-timeout=10", "--x86"],
                     ["--flush-timeout=10", "-F", "lzma"]):
            with self.subTest(args=args):
                mine, ref = both(args + ["-c"], b"")
                self.assertEqual(mine.returncode, ref.returncode)


class FilesTest(CompatBase):
    def setUp(self):
        super().setUp()
        for i in range(3):
            self.write(f"f{i}", mixed_data(100000 + i, seed=20 + i))

    def test_files_and_files0_compress(self):
        names = [str(self.dir / f"f{i}") for i in range(3)]
        for opt, sep in (("--files", "\n"), ("--files0", "\0")):
            with self.subTest(opt=opt):
                lst = self.write("list", (sep.join(names) + sep).encode())
                self.ok(["-k", "-f", "-T2", f"{opt}={lst}"])
                for n in names:
                    mine = pathlib.Path(n + ".xz").read_bytes()
                    self.assertEqual(mine, xz(["-T2", "-c", n]).stdout)
                # From standard input, after names on the command line.
                self.same(["-dc", str(self.dir / "f0.xz"), opt],
                          input_bytes=(sep.join(n + ".xz" for n in names)
                                       + sep).encode())

    def test_empty_lines_skipped(self):
        lst = self.write("list", b"\n\nf1\n\n")
        self.same(["-c", "-T2", "--files=list"], cwd=self.dir)

    def test_list_mode(self):
        self.ok(["-k", "-T2", str(self.dir / "f0"), str(self.dir / "f1")])
        lst = self.write("list", b"f0.xz\nf1.xz\n")
        for args in (["-l"], ["-lv"], ["--robot", "-lvv"]):
            with self.subTest(args=args):
                self.same(args + ["--files=list"], cwd=self.dir)

    def test_errors(self):
        cases = [
            (["-dc", "--files"], b"a.xz\0b.xz\n"),   # NUL with --files
            (["-dc", "--files"], b"unterminated"),
            (["-dc", "--files0"], b"unterminated"),
            (["-c", "-T1", "--files", "-"], b"f0\n"),  # stdin twice
            (["-c", "--files=nonexistent"], b""),
            (["-c", "--files=a", "--files0=b"], b""),
        ]
        for args, data in cases:
            with self.subTest(args=args):
                mine, ref = both(args, data, cwd=self.dir)
                self.assertEqual(mine.returncode, ref.returncode,
                                 mine.stderr + ref.stderr)
                self.assertEqual(mine.stdout, ref.stdout)


class RobotListTest(CompatBase):
    def setUp(self):
        super().setUp()
        data = mixed_data(2 << 20, seed=30)
        self.files = []
        for name, args in (("a.xz", ["-T2", "--block-size=300KiB"]),
                           ("b.xz", ["-T1", "-C", "sha256"]),
                           ("c.xz", ["-T2", "-C", "crc32", "--x86",
                                     "--lzma2=preset=1"]),
                           ("d.xz", ["-T2", "-C", "none"])):
            self.files.append(str(self.write(
                name, xz(args + ["-c"], data).stdout)))
        padded = xz(["-c"], b"abc").stdout + b"\0" * 8 + xz(["-c"], b"").stdout
        self.files.append(str(self.write("e.xz", padded)))

    def test_list_modes_equal_xz(self):
        for args in (["-l"], ["-lv"], ["-lvv"], ["--robot", "-l"],
                     ["--robot", "-lv"], ["--robot", "-lvv"]):
            for files in (self.files[:1], self.files):
                with self.subTest(args=args, n=len(files)):
                    self.same(args + files)

    def test_errors_and_totals(self):
        bad = str(self.write("bad.xz", b"not xz at all, not at all"))
        for args in (["--robot", "-l"], ["-l"], ["--robot", "-lvv"]):
            with self.subTest(args=args):
                self.same(args + [self.files[0], bad, self.files[1]])

    def test_info_memory(self):
        for args in ([], ["-M", "1GiB"], ["-M", "40%"],
                     ["--memlimit-compress=100MiB",
                      "--memlimit-mt-decompress=3GiB",
                      "--memlimit-decompress=2GiB"],
                     ["--memlimit-mt-decompress=5%"], ["-M", "0"]):
            for robot in ([], ["--robot"]):
                with self.subTest(args=args, robot=robot):
                    self.same(robot + args + ["--info-memory"])

    def test_robot_version(self):
        mine, ref = both(["--robot", "--version"])
        self.assertEqual(mine.stdout, ref.stdout)


class HelpTest(CompatBase):
    def test_long_help_has_every_xz_option(self):
        import re
        ref = xz(["--long-help"]).stdout.decode()
        want = set(re.findall(r"(?<![\w-])--[a-z0-9][a-z0-9-]*", ref))
        want |= set(re.findall(r"(?<![\w-])-[A-Za-z0-9](?![\w-])", ref))
        for opt in (["--long-help"], ["-H"]):
            r = self.ok(opt)
            text = r.stdout.decode()
            have = set(re.findall(r"(?<![\w-])--[a-z0-9][a-z0-9-]*", text))
            have |= set(re.findall(r"(?<![\w-])-[A-Za-z0-9](?![\w-])", text))
            self.assertEqual(sorted(want - have), [], f"{opt} lacks these")

    def test_help_stops_parsing(self):
        # xz acts on -h/-H/-V/--info-memory as soon as it sees them.
        for args in (["-h", "--bogus"], ["--info-memory", "-T", "x"]):
            with self.subTest(args=args):
                mine, ref = both(args)
                self.assertEqual(mine.returncode, ref.returncode)


class EnvironmentTest(CompatBase):
    def setUp(self):
        super().setUp()
        self.data = mixed_data(1 << 20, seed=40)
        self.src = self.write("d", self.data)

    def env(self, **kw):
        e = dict(CLEAN_ENV)
        e.update(kw)
        return e

    def test_order_and_names_ignored(self):
        for env, ref_args in (
                ({"XZ_OPT": "-1 -T1"}, ["-1", "-T1"]),
                ({"XZ_DEFAULTS": "-9", "XZ_OPT": "-0"}, ["-0", "-T2"]),
                ({"XZ_DEFAULTS": "-0 -C sha256"}, ["-0", "-C", "sha256",
                                                    "-T2"]),
                ({"XZ_OPT": "\t-2  notafile\n--block-size=200KiB "},
                 ["-2", "--block-size=200KiB", "-T2"])):
            with self.subTest(env=env):
                r = run(["-c", str(self.src)], env=self.env(**env))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout,
                                 xz(ref_args + ["-c", str(self.src)]).stdout)
        # The command line comes last.
        r = run(["-3", "-c", str(self.src)], env=self.env(XZ_OPT="-1"))
        self.assertEqual(r.stdout, xz(["-3", "-T2", "-c",
                                       str(self.src)]).stdout)

    def test_bad_values(self):
        for env in ({"XZ_OPT": "--bogus"}, {"XZ_DEFAULTS": "-T x"},
                    {"XZ_OPT": "--check=md5"}, {"XZ_OPT": "-M 5QiB"}):
            with self.subTest(env=env):
                mine, ref = both(["-c"], b"x", env=self.env(**env))
                self.assertEqual(mine.returncode, ref.returncode)
                self.assertEqual(mine.returncode, 1)

    def test_tar_with_xz_opt(self):
        tree = self.dir / "tree"
        tree.mkdir()
        for i in range(3):
            (tree / f"f{i}").write_bytes(mixed_data(300000, seed=50 + i))
        bindir = self.dir / "bin"
        bindir.mkdir()
        os.symlink(PARXZ, bindir / "xz")
        tar = ["tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0",
               "--numeric-owner", "-C", str(self.dir), "-cJf"]
        mine_env = self.env(XZ_OPT="-9e",
                            PATH=f"{bindir}:{os.environ['PATH']}")
        subprocess.run(tar + [str(self.dir / "mine.tar.xz"), "tree"],
                       env=mine_env, check=True)
        ref_env = self.env(XZ_OPT="-9e -T2")
        subprocess.run(tar + [str(self.dir / "ref.tar.xz"), "tree"],
                       env=ref_env, check=True)
        self.assertEqual((self.dir / "mine.tar.xz").read_bytes(),
                         (self.dir / "ref.tar.xz").read_bytes())

    def test_tar_use_compress_program(self):
        tree = self.dir / "tree"
        tree.mkdir()
        (tree / "a").write_bytes(self.data)
        for flag in (["-I", PARXZ], [f"--use-compress-program={PARXZ}"]):
            with self.subTest(flag=flag):
                out = self.dir / "t.tar.xz"
                subprocess.run(["tar"] + flag + ["-C", str(self.dir), "-cf",
                                                 str(out), "tree"], check=True)
                dest = self.dir / "x"
                shutil.rmtree(dest, ignore_errors=True)
                dest.mkdir()
                subprocess.run(["tar"] + flag + ["-C", str(dest), "-xf",
                                                 str(out)], check=True)
                self.assertEqual((dest / "tree" / "a").read_bytes(),
                                 self.data)
                # Plain xz reads it too.
                subprocess.run(["tar", "-tJf", str(out)], check=True,
                               capture_output=True)


class ProgramNameTest(CompatBase):
    """unxz, xzcat, lzma, unlzma, lzcat (and unparxz, parxzcat) as xz-utils."""

    def link(self, name, target):
        d = self.dir / ("mine" if target == PARXZ else "ref")
        d.mkdir(exist_ok=True)
        p = d / name
        if not p.exists():
            os.symlink(target, p)
        return str(p)

    def test_names_behave_as_xz(self):
        data = mixed_data(200000, seed=60)
        packed = xz(["-c"], data).stdout
        lzpacked = xz(["-c", "--format=lzma"], data).stdout
        for name in ("unxz", "xzcat", "lzma", "unlzma", "lzcat", "xz"):
            for args, inp in ((["-c"], packed), ([], packed), ([], lzpacked),
                              (["-c"], data), (["-t"], lzpacked),
                              (["-f"], b"plain text\n")):
                with self.subTest(name=name, args=args):
                    # XZ_DEFAULTS=-T1: when a name compresses, both write
                    # the single-threaded format.
                    mine, ref = both(args, inp, prog=self.link(name, PARXZ),
                                     xz_prog=self.link(name, XZ),
                                     env=dict(CLEAN_ENV, XZ_DEFAULTS="-T1"))
                    self.assertEqual(mine.returncode, ref.returncode,
                                     mine.stderr + ref.stderr)
                    if name != "lzma" or args != []:
                        self.assertEqual(mine.stdout, ref.stdout)
                    else:  # lzma compresses: .lzma bytes may differ
                        self.assertEqual(lzma.decompress(mine.stdout), inp)

    def test_parxz_spellings(self):
        data = b"spelled " * 1000
        packed = xz(["-c"], data).stdout
        p = self.write("s.xz", packed)
        r = subprocess.run([self.link("parxzcat", PARXZ), str(p)],
                           capture_output=True, env=CLEAN_ENV)
        self.assertEqual(r.stdout, data)
        r = subprocess.run([self.link("unparxz", PARXZ), str(p)],
                           capture_output=True, env=CLEAN_ENV)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((self.dir / "s").read_bytes(), data)

    def test_usage_messages_equal_xz(self):
        # Installed as xz, mistakes in options are reported word for word.
        mine_xz = self.link("xz", PARXZ)
        for args in (["-Tx"], ["-T99999"], ["--block-size=5QiB"],
                     ["--check=md5"], ["--format=zip"], ["-S", ""],
                     ["--lzma2=foo=1"], ["--bogus"], ["-y"], ["-T"],
                     ["--memlimit=101%"], ["--lzma2=dict=huge"],
                     ["--lzma2=foo"], ["--delta=dist=0"],
                     ["--lzma2=preset=x"], ["--lzma2=mf=zz"],
                     ["--lzma2=lc=9"], ["--block-list=,1"],
                     ["--block-list=1,0,1"], ["--lzma"], ["--mem=1"],
                     ["--files=/dev/null", "--files0=/dev/null"],
                     ["-F", "lzip", "-z"],
                     ["--flush-timeout=10", "--x86"],
                     ["--lzma1", "--lzma2", "--x86", "--x86", "--x86"]):
            with self.subTest(args=args):
                # Called through PATH, as scripts do: argv[0] is "xz" (xz
                # prints argv[0] as given, parxz its last component).
                results = []
                for prog in (mine_xz, self.link("xz", XZ)):
                    env = dict(CLEAN_ENV, PATH=os.path.dirname(prog) + ":" +
                               os.environ.get("PATH", "/usr/bin:/bin"))
                    results.append(subprocess.run(
                        ["xz"] + args + ["-c"], input=b"", env=env,
                        capture_output=True, timeout=60))
                mine, ref = results
                self.assertEqual(mine.returncode, ref.returncode)
                self.assertEqual(mine.stderr.decode(), ref.stderr.decode())

    def test_messages_use_the_program_name(self):
        r = subprocess.run([self.link("xz", PARXZ), "--bogus"],
                           capture_output=True, env=CLEAN_ENV)
        self.assertTrue(r.stderr.startswith(b"xz: "), r.stderr)


class PassThroughTest(CompatBase):
    def test_dcf_copies_unknown_input(self):
        packed = xz(["-c"], b"real").stdout
        for inp in (b"", b"plain text\n", b"\xfd7zXZ", b"x" * 3000000,
                    packed + b"garbage"):
            for args in (["-dcf"], ["-dc", "-f"], ["-d", "-f", "-c", "-"],
                         ["-dc"], ["-df"], ["-tf"], ["-dcf", "-F", "xz"],
                         ["-dcf", "--single-stream"]):
                with self.subTest(n=len(inp), args=args):
                    self.same(args, inp)

    def test_from_a_file(self):
        p = self.write("plain", b"plain file contents\n" * 1000)
        q = self.write("p.xz", xz(["-c"], b"packed").stdout)
        self.same(["-dcf", str(p), str(q), str(p)])
        self.same(["-dc", str(p), str(q)])


class LzipTest(CompatBase):
    def setUp(self):
        super().setUp()
        self.data = mixed_data(300000, seed=70)
        self.lz = make_lz(self.data) + make_lz(b"second member")

    def test_decode_and_test(self):
        for args in (["-dc"], ["-dc", "-F", "lzip"], ["--format=lzip", "-t"],
                     ["-dc", "--single-stream"], ["-dc", "-F", "xz"],
                     ["-dc", "-F", "lzma"]):
            for inp in (self.lz, self.lz + b"trailing", self.lz[:-3]):
                with self.subTest(args=args, n=len(inp)):
                    self.same(args, inp)
        p = self.write("a.lz", self.lz)
        self.same(["-dc", "-F", "lzip", str(p)])

    def test_lzip_refuses_other_formats_and_compression(self):
        self.same(["-dc", "-F", "lzip"], xz(["-c"], b"xz data").stdout)
        self.same(["-dcf", "-F", "lzip"], xz(["-c"], b"xz data").stdout)
        self.same(["-z", "-F", "lzip", "-c"], b"data")

    def test_file_suffix(self):
        p = self.write("a.lz", self.lz)
        self.ok(["-d", str(p)])
        self.assertEqual((self.dir / "a").read_bytes(),
                         self.data + b"second member")


class SparseTest(CliTestBase):
    def test_zero_runs_become_holes(self):
        data = (mixed_data(100000, seed=80) + bytes(8 << 20) + b"tail" +
                bytes(3 << 20))
        for t in ("-T2", "-T1"):
            for sparse in ([], ["--no-sparse"]):
                with self.subTest(t=t, sparse=sparse):
                    p = self.write("z.xz", xz([t, "-c", "--block-size=1MiB"],
                                              data).stdout)
                    out = self.dir / "z"
                    out.unlink(missing_ok=True)
                    self.ok(["-d"] + sparse + [str(p)])
                    self.assertEqual(out.read_bytes(), data)
                    blocks = os.stat(out).st_blocks * 512
                    if sparse:
                        self.assertGreaterEqual(blocks, len(data) - 65536)
                    elif blocks >= len(data):
                        self.skipTest("this file system has no holes")
                    else:
                        self.assertLess(blocks, 1 << 20)

    def test_unaligned_runs(self):
        # Data and zero runs of every length around the 8 KiB holes: the
        # bytes between holes are written in one piece, and only whole
        # aligned 8 KiB of zeros become holes.
        rng = random.Random(81)
        parts = []
        for i in range(60):
            n = rng.choice([1, 13, 4095, 8191, 8192, 8193, 20000, 70000])
            parts.append(bytes(n) if i % 2 else mixed_data(n, seed=i))
        data = b"".join(parts)
        p = self.write("u.xz", xz(["-T2", "-c", "--block-size=64KiB"],
                                  data).stdout)
        out = self.dir / "u"
        out.unlink(missing_ok=True)
        self.ok(["-d", str(p)])
        self.assertEqual(out.read_bytes(), data)

    def test_stdout_regular_file(self):
        data = b"head" + bytes(6 << 20) + b"tail" + bytes(1 << 20)
        p = self.write("z.xz", xz(["-T2", "-c"], data).stdout)
        sizes = {}
        for prog in (PARXZ, XZ):
            out = self.dir / "out"
            out.unlink(missing_ok=True)
            with open(out, "wb") as f:
                subprocess.run([prog, "-dc", str(p)], stdout=f, check=True)
            self.assertEqual(out.read_bytes(), data)
            sizes[prog] = os.stat(out).st_blocks * 512
        if sizes[XZ] >= len(data):
            self.skipTest("this file system has no holes")
        self.assertEqual(sizes[PARXZ], sizes[XZ])


class SuffixTest(CompatBase):
    """xz's tests/test_suffix.sh (from later xz releases), step by step."""

    def step(self, args, inp=None):
        """Runs parxz and xz in twin directories; compares status and files."""
        results = []
        for prog, sub in ((PARXZ, "mine"), (XZ, "ref")):
            d = self.dir / sub
            results.append(subprocess.run([prog] + args, input=inp,
                                          capture_output=True, cwd=d,
                                          env=CLEAN_ENV, timeout=60))
        mine, ref = results
        self.assertEqual(mine.returncode, ref.returncode,
                         f"{args}: {mine.stderr} vs {ref.stderr}")
        self.assertEqual(sorted(os.listdir(self.dir / "mine")),
                         sorted(os.listdir(self.dir / "ref")), f"{args}")
        for name in os.listdir(self.dir / "ref"):
            self.assertEqual((self.dir / "mine" / name).read_bytes(),
                             (self.dir / "ref" / name).read_bytes(),
                             f"{args}: {name}")
        return mine

    def test_suffix_script(self):
        for sub in ("mine", "ref"):
            (self.dir / sub).mkdir()
            (self.dir / sub / "in").write_bytes(b"foobar\n")
            (self.dir / sub / "in_files").write_bytes(b"in\n")
            (self.dir / sub / "in_files0").write_bytes(b"in\0")
        raw = ["-Fraw", "--lzma1=preset=0"]
        self.step(["-zfk", "--suffix=.foo"] + raw + ["in"])      # in.foo
        self.step(["-zfk"] + raw + ["in"])                       # refused
        self.step(["-df"] + raw + ["in.foo"])                    # no suffix
        self.step(["-df", "--suffix=.foo"] + raw + ["in.foo"])   # round trip
        self.step(["-zfk", "--suffix=.foo", "--lzma2=preset=0", "-T1",
                   "in"])
        self.step(["-df", "--suffix=.foo", "in.foo"])
        self.assertEqual(self.step(raw, b"foo\n").returncode, 0)  # to stdout
        self.step(raw + ["--files=in_files"])                    # refused
        self.step(raw + ["--files0=in_files0"])
        self.step(["-zfk", "--suffix=.foo"] + raw + ["--files=in_files"])
        (self.dir / "mine" / "in.foo").unlink()
        (self.dir / "ref" / "in.foo").unlink()
        self.step(["-zfk", "--suffix=.foo"] + raw + ["--files0=in_files0"])
        self.step(["-df"], b"foo\n")                             # not -c
        self.step(["-dfc"], b"foo\n")                            # copied

    def test_other_suffixes(self):
        for sub in ("mine", "ref"):
            (self.dir / sub).mkdir()
            (self.dir / sub / "a").write_bytes(b"abc" * 100)
        self.step(["-k", "-T1", "-S", "bar", "a"])
        self.step(["-d", "-S", ".bar", "a.bar"])
        self.step(["-k", "-T1", "-S", ".xz", "a"])
        self.step(["-dk", "-S", ".other", "a.xz"])   # .xz still known
        self.step(["-k", "-S", "", "a"])


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])
    suite = unittest.TestSuite(
        t for t in suite if not isinstance(t, unittest.TestSuite) or
        any(True for _ in t))
    if len(sys.argv) > 1:
        suite = unittest.defaultTestLoader.loadTestsFromNames(
            sys.argv[1:], sys.modules[__name__])
    runner = unittest.TextTestRunner(verbosity=2,
                                     resultclass=cli_test.JUnitResult)
    result = runner.run(suite)
    xml_out = os.environ.get("XML_OUTPUT_FILE")
    if xml_out:
        cli_test.write_junit(xml_out, result)
    sys.exit(0 if result.wasSuccessful() else 1)
