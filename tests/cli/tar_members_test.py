#!/usr/bin/env python3
"""parxz --tar-list / --tar-extract against GNU tar and pixz.

Archives are made by GNU tar in the ustar, gnu and pax formats (long names,
a sparse file, hard links, symlinks, an empty file, directories), compressed
by `xz -T2` with small Blocks and by pixz. The listing must equal `tar t` /
`tar tv` of the plain tar (spaces collapsed); each extraction, unpacked by
`tar x`, must give the same tree as `tar x` of the same members from the
original archive (and as `pixz -x` for .tpxz files). Bad input fails with
exit status 1 and a message naming the member or Block. Run by
tar_members_test.sh (the binary comes from $PARXZ).
"""
import os
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from cli_test import PARXZ  # noqa: E402

ENV = dict(os.environ, TZ="UTC", LC_ALL="C")
LONG_DIR = "deep/" + "/".join("directory%02d_with_a_long_name" % i
                              for i in range(6))
FORMATS = ("ustar", "gnu", "pax")


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=ENV, timeout=300, **kw)


def make_tree(root, long_names):
    rng = random.Random(22)
    (root / "top").mkdir()
    (root / "top/sub").mkdir()
    (root / "top/empty").write_bytes(b"")
    for i in range(40):
        size = rng.choice([1, 511, 512, 513, 3000, 70000])
        (root / f"top/f{i:02d}.txt").write_bytes(
            bytes(rng.getrandbits(6) + 32 for _ in range(size)))
    (root / "top/sub/big.bin").write_bytes(rng.randbytes(600_000))
    (root / "top/sub/code.c").write_text("int main(void) { return 0; }\n")
    os.symlink("sub/code.c", root / "top/link_to_code")
    os.link(root / "top/sub/code.c", root / "top/hard_to_code")
    os.chmod(root / "top/f01.txt", 0o754)
    if long_names:
        d = root / "top" / LONG_DIR
        d.mkdir(parents=True)
        (d / ("file_with_a_name_longer_than_one_hundred_characters_" * 3 +
              ".dat")).write_bytes(rng.randbytes(20000))
        os.symlink("../" * 3 + "sub/code.c" + "/." * 60,
                   root / "top/long_symlink_target")
        with open(root / "top/sparse.img", "wb") as f:
            f.seek(3 << 20)
            f.write(b"middle")
            f.seek(7 << 20)
            f.write(b"end")
    for p in sorted(root.rglob("*"), reverse=True):
        os.utime(p, (1_700_000_000, 1_700_000_000), follow_symlinks=False)


def tree_of(root):
    """Every path under root: type, mode, size and content or link."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        st = p.lstat()
        if p.is_symlink():
            out[rel] = ("l", os.readlink(p))
        elif p.is_dir():
            out[rel] = ("d", st.st_mode & 0o7777)
        else:
            out[rel] = ("-", st.st_mode & 0o7777, st.st_nlink,
                        int(st.st_mtime), p.read_bytes())
    return out


class TarMembersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="parxz-tar-"))
        cls.archives = {}  # name -> (plain tar, compressed)
        for long_names, fmts in ((False, ("ustar",)), (True, ("gnu", "pax"))):
            src = cls.tmp / ("src-long" if long_names else "src")
            src.mkdir()
            make_tree(src, long_names)
            for fmt in fmts:
                tar = cls.tmp / f"{fmt}.tar"
                sparse = ["-S"] if long_names else []
                r = run(["tar", "-C", str(src), f"--format={fmt}"] + sparse +
                        ["-cf", str(tar), "top"])
                assert r.returncode == 0, r.stderr
                xz = cls.tmp / f"{fmt}.tar.xz"
                r = run(["xz", "-T2", "--block-size=16KiB", "-k", "-c",
                         str(tar)], )
                xz.write_bytes(r.stdout)
                cls.archives[fmt] = (tar, xz)
        tar = cls.archives["pax"][0]
        tpxz = cls.tmp / "pax.tpxz"
        with open(tar, "rb") as i, open(tpxz, "wb") as o:
            subprocess.run(["pixz", "-p", "2"], stdin=i, stdout=o, check=True)
        cls.archives["pixz"] = (tar, tpxz)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def parxz(self, args, stdin_path=None):
        if stdin_path is None:
            return run([PARXZ] + args)
        with open(stdin_path, "rb") as f:
            return run([PARXZ] + args, stdin=f)

    # -- listing ---------------------------------------------------------
    def test_list_names_and_verbose_agree_with_tar(self):
        for name, (tar, xz) in self.archives.items():
            for verbose in ([], ["-v"]):
                want = run(["tar", "-t"] + verbose + ["-f", str(tar)])
                self.assertEqual(want.returncode, 0)
                want_lines = [" ".join(l.split())
                              for l in want.stdout.decode().splitlines()]
                for via_pipe in (False, True):
                    with self.subTest(archive=name, verbose=verbose,
                                      pipe=via_pipe):
                        got = (self.parxz(["--tar-list"] + verbose, xz)
                               if via_pipe else
                               self.parxz(["--tar-list"] + verbose +
                                          [str(xz)]))
                        self.assertEqual(got.returncode, 0, got.stderr)
                        self.assertEqual(got.stderr, b"")
                        lines = [" ".join(l.split())
                                 for l in got.stdout.decode().splitlines()]
                        self.assertEqual(lines, want_lines)

    # -- extraction ------------------------------------------------------
    def extract_compare(self, name, patterns, via_pipe=False):
        tar, xz = self.archives[name]
        mine = self.tmp / f"mine-{name}"
        ref = self.tmp / f"ref-{name}"
        for d in (mine, ref):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
        args = ["--tar-extract=" + p for p in patterns]
        got = (self.parxz(args, xz) if via_pipe else
               self.parxz(args + [str(xz)]))
        self.assertEqual(got.returncode, 0, got.stderr)
        untar = run(["tar", "-x", "-C", str(mine)], input=got.stdout)
        want = run(["tar", "-x", "--wildcards", "-C", str(ref), "-f",
                    str(tar)] + patterns)
        # The same verdict (a hard link without its target fails in both).
        self.assertEqual(untar.returncode, want.returncode,
                         (untar.stderr, want.stderr))
        self.assertTrue(tree_of(ref), "the reference extracted nothing")
        self.assertEqual(tree_of(mine), tree_of(ref))
        return mine

    def test_extract_agrees_with_tar(self):
        cases = [
            ["top/f07.txt"],                      # one member, by name
            ["top/sub"],                          # a directory and its contents
            ["top/f1*.txt"],                      # a pattern
            ["*.c", "top/link_to_code"],          # '*' across '/', a symlink
            ["top/sub/code.c", "top/hard_to_code"],  # a hard link + target
            ["top"],                              # everything
        ]
        long_cases = [["top/deep"], ["top/sparse.img"],
                      ["top/long_symlink_target", "top/sub/code.c"]]
        for name in self.archives:
            more = long_cases if name != "ustar" else []
            for patterns in cases + more:
                for via_pipe in (False, True):
                    with self.subTest(archive=name, patterns=patterns,
                                      pipe=via_pipe):
                        self.extract_compare(name, patterns, via_pipe)

    def test_sparse_member_is_sparse_in_the_stream(self):
        mine = self.extract_compare("gnu", ["top/sparse.img"])
        data = (mine / "top/sparse.img").read_bytes()
        self.assertEqual(len(data), (7 << 20) + 3)
        self.assertEqual(data[3 << 20:(3 << 20) + 6], b"middle")

    def test_list_agrees_with_pixz(self):
        _, tpxz = self.archives["pixz"]
        want = run(["pixz", "-l", str(tpxz)])
        self.assertEqual(want.returncode, 0, want.stderr)
        got = self.parxz(["--tar-list", str(tpxz)])
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.stdout, want.stdout)

    def test_extract_agrees_with_pixz(self):
        tar, tpxz = self.archives["pixz"]
        for member in ("top/f03.txt", "top/sub/big.bin"):
            with self.subTest(member=member):
                ref = self.tmp / "pixz-ref"
                shutil.rmtree(ref, ignore_errors=True)
                ref.mkdir()
                with open(tpxz, "rb") as f:
                    px = run(["pixz", "-x", member], stdin=f)
                self.assertEqual(px.returncode, 0, px.stderr)
                run(["tar", "-x", "-C", str(ref)], input=px.stdout)
                mine = self.extract_compare("pixz", [member])
                self.assertEqual(tree_of(mine), tree_of(ref))

    # -- bad input -------------------------------------------------------
    def assert_fails(self, args, *needles, stdin_path=None):
        got = self.parxz(args, stdin_path)
        self.assertEqual(got.returncode, 1, got.stderr)
        err = got.stderr.decode()
        self.assertTrue(err.startswith("parxz: "), err)
        for n in needles:
            self.assertIn(n, err)
        return got

    def test_not_found_pattern(self):
        _, xz = self.archives["gnu"]
        got = self.assert_fails(["--tar-extract=top/f01.txt",
                                 "--tar-extract=nothing*", str(xz)],
                                "nothing*: Not found in archive")
        names = run(["tar", "-t"], input=got.stdout).stdout.split()
        self.assertEqual(names, [b"top/f01.txt"])

    def test_not_tar_not_xz(self):
        junk = self.tmp / "junk.xz"
        junk.write_bytes(run(["xz", "-c"], input=random.Random(3).randbytes(
            5000)).stdout)
        self.assert_fails(["--tar-list", str(junk)], "not a tar archive")
        self.assert_fails(["--tar-list"], "not a tar archive",
                          stdin_path=junk)
        tar, _ = self.archives["gnu"]
        self.assert_fails(["--tar-list", str(tar)], str(tar))

    def test_truncated_xz_names_the_member(self):
        _, xz = self.archives["gnu"]
        data = xz.read_bytes()
        cut = self.tmp / "cut.tar.xz"
        cut.write_bytes(data[:len(data) * 2 // 3])
        for via_pipe in (False, True):
            got = self.assert_fails(
                ["--tar-list"] + ([] if via_pipe else [str(cut)]),
                "member '", "ends inside a Stream",
                stdin_path=cut if via_pipe else None)
            # Members before the cut were listed, as tar lists them.
            full = run(["tar", "-tf", str(self.archives["gnu"][0])]).stdout
            self.assertGreater(len(got.stdout), 0)
            self.assertTrue(full.startswith(got.stdout))

    def test_truncated_tar_names_the_member(self):
        tar, _ = self.archives["gnu"]
        data = tar.read_bytes()
        cut = self.tmp / "cuttar.tar.xz"
        cut.write_bytes(run(["xz", "-T2", "--block-size=16KiB", "-c"],
                            input=data[:len(data) // 2]).stdout)
        self.assert_fails(["--tar-list", str(cut)], "member '", "Truncated")

    def test_corrupt_block_is_named(self):
        tar, _ = self.archives["ustar"]
        bad = bytearray(run(["xz", "-T2", "--block-size=4KiB", "-c"],
                            input=tar.read_bytes()).stdout)
        bad[len(bad) // 3] ^= 0x55
        path = self.tmp / "bad.tar.xz"
        path.write_bytes(bytes(bad))
        self.assert_fails(["--tar-list", str(path)], "Block")
        self.assert_fails(["--tar-list"], "Block", stdin_path=path)

    def test_usage(self):
        _, xz = self.archives["gnu"]
        self.assert_fails(["--tar-list", "--tar-extract=x", str(xz)],
                          "cannot be used together")
        self.assert_fails(["--tar-extract=x", str(xz), str(xz)],
                          "one input file")
        self.assert_fails(["--tar-list", str(self.tmp / "missing.xz")],
                          "missing.xz")


if __name__ == "__main__":
    unittest.main()
