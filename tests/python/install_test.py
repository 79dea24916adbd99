#!/usr/bin/python3
"""parxz.lzma.install(): unmodified clients of the standard lzma module
(pandas, tarfile, numcodecs, shutil) compress and decompress with parxz.

pandas and numcodecs are imported before install(), as a program would
have them. What they write must be parxz's (the first Block Header records
both sizes, which the standard LZMACompressor never writes, and xz counts
more than one Block for inputs above block_size), valid for `xz -t` and
equal, decoded by the standard module (captured before install()), to the
input. What they read must go through parxz's threaded decompressor
(Blocks decoded by workers). uninstall() puts back the standard objects.
"""
import inspect
import io
import os
import pickle
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

import _lzma
import lzma

try:
    import numcodecs
    import numpy as np
    import pandas as pd
except ImportError as e:  # a failure, not a skip: the clients are the point
    raise SystemExit(f"install_test: {e}; tools/setup.sh installs Debian's "
                     "python3-pandas and python3-numcodecs")

import parxz.lzma as plzma
from parxz import _install, _parxz

XZ = "/usr/bin/xz"
BLOCK = 64 << 10
NAMES = ("compress", "decompress", "LZMACompressor", "LZMADecompressor",
         "LZMAFile", "open")
STANDARD = {name: getattr(lzma, name) for name in NAMES + ("LZMAError",)}


def blocks_of(path_or_bytes):
    """Blocks in an .xz file as `xz --robot -l` counts them; `xz -t` must
    accept the file."""
    if isinstance(path_or_bytes, bytes):
        fd, path = tempfile.mkstemp(suffix=".xz")
        with os.fdopen(fd, "wb") as f:
            f.write(path_or_bytes)
    else:
        path = path_or_bytes
    subprocess.run([XZ, "-t", path], check=True)
    robot = subprocess.run([XZ, "--robot", "-l", path], check=True,
                           stdout=subprocess.PIPE, text=True).stdout
    fields = next(line for line in robot.splitlines()
                  if line.startswith("file\t")).split("\t")
    return int(fields[2])


def block_header_has_sizes(blob):
    """The first Block Header's flags (byte 13): 0x40 Compressed Size,
    0x80 Uncompressed Size present."""
    return len(blob) > 13 and blob[13] & 0xC0 == 0xC0


def standard_decompress(blob):
    """The standard C decoder itself (lzma.decompress would look up the
    replaced LZMADecompressor), one stream after another."""
    out = []
    blob = bytes(blob)
    while blob:
        d = _lzma.LZMADecompressor()
        out.append(d.decompress(blob))
        if not d.eof:
            raise AssertionError("truncated")
        blob = d.unused_data
    return b"".join(out)


def standard_compress(data, **kwargs):
    c = _lzma.LZMACompressor(**kwargs)
    return c.compress(data) + c.flush()


class Spy:
    """Records the decompressors parxz.lzma's readers create."""

    def __enter__(self):
        self.made = []
        self.saved = plzma.LZMADecompressor

        def make(*args, **kwargs):
            d = self.saved(*args, **kwargs)
            self.made.append(d)
            return d
        plzma.LZMADecompressor = make
        return self

    def __exit__(self, *exc):
        plzma.LZMADecompressor = self.saved

    def parallel_blocks(self):
        """Blocks the threaded decompressors took in."""
        threaded = [d._threaded_stats() for d in self.made
                    if d._threaded_stats() is not None]
        assert threaded, "no threaded parxz decompressor was created"
        return sum(s["blocks_on_workers"] + s["blocks_on_caller"]
                   for s in threaded)


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        lzma_module = plzma.install(threads=2, block_size=BLOCK)
        self.assertIs(lzma_module, sys.modules["lzma"])

    def tearDown(self):
        plzma.uninstall()
        shutil.rmtree(self.tmp)

    def test_replaced(self):
        for name in NAMES:
            self.assertIs(getattr(lzma, name), _install._objects[name], name)
        # The standard exception class stays; parxz's errors are caught by it.
        self.assertIs(lzma.LZMAError, STANDARD["LZMAError"])
        with self.assertRaises(lzma.LZMAError):
            lzma.decompress(b"\xfd7zXZ\0" + b"\0" * 30)
        with self.assertRaises(lzma.LZMAError):
            lzma.LZMADecompressor().decompress(b"not xz at all")

    def test_pandas_csv(self):
        rng = np.random.default_rng(1)
        df = pd.DataFrame({"a": rng.integers(0, 1000, 60_000),
                           "b": rng.random(60_000).round(6),
                           "c": rng.choice(["x", "yy", "zzz"], 60_000)})
        path = os.path.join(self.tmp, "frame.csv.xz")
        df.to_csv(path, index=False)
        blob = open(path, "rb").read()
        self.assertTrue(block_header_has_sizes(blob))
        self.assertGreater(blocks_of(path), 1)
        self.assertEqual(standard_decompress(blob),
                         df.to_csv(index=False).encode())
        with Spy() as spy:
            back = pd.read_csv(path)
        pd.testing.assert_frame_equal(back, df)
        self.assertGreater(spy.parallel_blocks(), 0)
        # A file xz wrote with Blocks reads the same.
        xz_path = os.path.join(self.tmp, "xz.csv.xz")
        with open(xz_path, "wb") as f:
            f.write(subprocess.run([XZ, "-T2", "--block-size=64KiB", "-c"],
                                   input=standard_decompress(blob),
                                   stdout=subprocess.PIPE, check=True).stdout)
        pd.testing.assert_frame_equal(pd.read_csv(xz_path), df)

    def test_tarfile(self):
        src = os.path.join(self.tmp, "src")
        os.mkdir(src)
        rng = random.Random(2)
        contents = {}
        for i in range(6):
            data = bytes(rng.choice(b"abcdef\n") for _ in range(50_000)) \
                + rng.randbytes(20_000)
            contents[f"f{i}.txt"] = data
            with open(os.path.join(src, f"f{i}.txt"), "wb") as f:
                f.write(data)
        for mode_w, mode_r in (("w:xz", "r:xz"), ("w|xz", "r|xz"),
                               ("w:xz", "r:*")):
            with self.subTest(mode=mode_w):
                path = os.path.join(self.tmp, "a.tar.xz")
                with tarfile.open(path, mode_w) as tar:
                    tar.add(src, arcname="src")
                blob = open(path, "rb").read()
                self.assertTrue(block_header_has_sizes(blob))
                self.assertGreater(blocks_of(path), 1)
                with tarfile.open(fileobj=io.BytesIO(standard_decompress(
                        blob))) as tar:
                    self.assertEqual(len(tar.getnames()), 7)
                got = {}
                with Spy() as spy, tarfile.open(path, mode_r) as tar:
                    for member in tar:  # in order: r|xz cannot seek back
                        if member.isfile():
                            got[member.name[4:]] = \
                                tar.extractfile(member).read()
                self.assertEqual(got, contents)
                if mode_r != "r|xz":  # the stream mode makes its own objects
                    self.assertGreater(spy.parallel_blocks(), 0)

    def test_shutil_archive(self):
        src = os.path.join(self.tmp, "tree")
        os.mkdir(src)
        with open(os.path.join(src, "big"), "wb") as f:
            f.write(b"parxz shutil " * 30_000)
        archive = shutil.make_archive(os.path.join(self.tmp, "arch"),
                                      "xztar", src)
        self.assertGreater(blocks_of(archive), 1)
        out = os.path.join(self.tmp, "out")
        shutil.unpack_archive(archive, out)
        with open(os.path.join(out, "big"), "rb") as f:
            self.assertEqual(f.read(), b"parxz shutil " * 30_000)

    def test_numcodecs(self):
        codec = numcodecs.LZMA()
        array = np.arange(200_000, dtype="<i8") % 977
        encoded = codec.encode(array)
        self.assertTrue(block_header_has_sizes(encoded))
        self.assertGreater(blocks_of(bytes(encoded)), 1)
        self.assertEqual(standard_decompress(encoded), array.tobytes())
        decoded = np.frombuffer(codec.decode(encoded), dtype="<i8")
        np.testing.assert_array_equal(decoded, array)
        # Other formats stay single-threaded and standard.
        alone = numcodecs.LZMA(format=lzma.FORMAT_ALONE)
        np.testing.assert_array_equal(
            np.frombuffer(alone.decode(alone.encode(array)), dtype="<i8"),
            array)

    def test_defaults_and_explicit_arguments(self):
        data = bytes(range(256)) * 2000
        self.assertGreater(blocks_of(lzma.compress(data)), 1)
        # threads=None explicitly: the standard object and bytes.
        self.assertEqual(lzma.compress(data, threads=None),
                         standard_compress(data))
        self.assertEqual(lzma.compress(data, format=lzma.FORMAT_ALONE),
                         standard_compress(data, format=lzma.FORMAT_ALONE))
        self.assertIsNotNone(lzma.LZMADecompressor()._threaded_stats())
        self.assertIsNone(lzma.LZMADecompressor(threads=None)._threaded_stats())
        d = lzma.LZMADecompressor()
        d.__init__(format=lzma.FORMAT_XZ)  # re-init keeps the default
        self.assertIsNotNone(d._threaded_stats())
        with lzma.open(os.path.join(self.tmp, "t.xz"), "wt") as f:
            f.write("text\n" * 50_000)
        with lzma.open(os.path.join(self.tmp, "t.xz"), "rt") as f:
            self.assertEqual(f.read(), "text\n" * 50_000)
        self.assertGreater(blocks_of(os.path.join(self.tmp, "t.xz")), 1)

    def test_bad_install_arguments(self):
        self.assertRaises(TypeError, plzma.install, threads="2")
        self.assertRaises(ValueError, plzma.install, threads=-1)
        self.assertRaises(ValueError, plzma.install, block_size=-5)


class ReplacementsTest(unittest.TestCase):
    """What the replaced objects look like: parxz.lzma's, with other
    defaults for threads and block_size only."""

    def setUp(self):
        plzma.install(threads=2, block_size=BLOCK)

    def tearDown(self):
        plzma.uninstall()

    def test_signatures_and_docstrings(self):
        for name in NAMES:
            with self.subTest(name=name):
                replaced = inspect.signature(getattr(lzma, name))
                parameters = list(replaced.parameters.values())
                if name == "LZMADecompressor":  # the C type has none to read
                    own = inspect.signature(STANDARD[name]).parameters
                    self.assertEqual(parameters[:3], list(own.values()))
                else:
                    own = inspect.signature(getattr(plzma, name)).parameters
                    self.assertEqual([p.name for p in parameters], list(own))
                    for p in parameters:
                        if p.name not in ("threads", "block_size"):
                            self.assertEqual(p, own[p.name])
                for p in parameters:
                    if p.name in ("threads", "block_size"):
                        self.assertEqual(repr(p.default), "<install()'s>")
                doc = getattr(lzma, name).__doc__
                self.assertIn("Installed by parxz.lzma.install()", doc)
                source = (_parxz.LZMADecompressorBase
                          if name == "LZMADecompressor"
                          else getattr(plzma, name))
                self.assertTrue(doc.startswith(source.__doc__), name)
                self.assertEqual(getattr(lzma, name).__module__, "lzma")

    def test_classes_and_pickling(self):
        for name in ("LZMACompressor", "LZMAFile"):
            self.assertTrue(issubclass(getattr(lzma, name),
                                       getattr(plzma, name)))
        blob = lzma.compress(b"abc" * 1000)
        with lzma.open(io.BytesIO(blob)) as f:
            self.assertIsInstance(f, lzma.LZMAFile)
        with lzma.open(io.BytesIO(blob), "rt", encoding="ascii") as f:
            self.assertIsInstance(f.buffer, lzma.LZMAFile)
            self.assertEqual(f.read(), "abc" * 1000)
        self.assertIsInstance(lzma.LZMADecompressor(), lzma.LZMADecompressor)
        for name in ("compress", "decompress", "open", "LZMAFile"):
            self.assertIs(pickle.loads(pickle.dumps(getattr(lzma, name))),
                          getattr(lzma, name))
        for make in (lzma.LZMACompressor, lzma.LZMADecompressor):
            with self.assertRaisesRegex(TypeError, "cannot pickle"):
                pickle.dumps(make())

    def test_argument_errors_are_parxz_lzma_s(self):
        def message(function, *args, **kwargs):
            try:
                function(*args, **kwargs)
            except TypeError as e:
                return str(e)
            raise AssertionError("no TypeError")
        for name, args, kwargs in (("compress", (), {}),
                                   ("compress", (b"", 1, 2, 3, 4, 5), {}),
                                   ("decompress", (b"",), {"bad": 1}),
                                   ("open", (), {}),
                                   ("LZMAFile", (None, "r", 1), {})):
            with self.subTest(name=name):
                self.assertEqual(message(getattr(lzma, name), *args, **kwargs),
                                 message(getattr(plzma, name), *args, **kwargs))


class NoImportCycleTest(unittest.TestCase):
    """parxz._install does not import parxz.lzma (parxz.lzma.install()
    hands itself over), and importing parxz.lzma does not import it."""

    def modules_after(self, statement):
        code = (f"import sys; {statement}; "
                "print(sorted(m for m in sys.modules if m.startswith('parxz')))")
        return subprocess.run([sys.executable, "-c", code], check=True,
                              capture_output=True, text=True).stdout.strip()

    def test_install_alone(self):
        self.assertNotIn("parxz.lzma", self.modules_after(
            "import parxz._install"))

    def test_lzma_alone(self):
        self.assertNotIn("parxz._install", self.modules_after(
            "import parxz.lzma"))
        self.assertIn("parxz._install", self.modules_after(
            "import parxz.lzma; parxz.lzma.install(threads=1)"))


class UninstallTest(unittest.TestCase):
    def test_restores(self):
        plzma.install(threads=2, block_size=BLOCK)
        plzma.install(threads=1)  # again: still restorable
        plzma.uninstall()
        plzma.uninstall()  # no-op
        for name, value in STANDARD.items():
            self.assertIs(getattr(lzma, name), value, name)
        data = b"abc" * 100_000
        blob = lzma.compress(data)
        self.assertFalse(block_header_has_sizes(blob))
        self.assertEqual(blocks_of(blob), 1)


class EnvironmentTest(unittest.TestCase):
    """PARXZ_LZMA_THREADS through the .pth file pip installs, in a site
    directory of a fresh interpreter."""

    PTH = os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(plzma.__file__))), "parxz-lzma-threads.pth")
    PROBE = ("import site, sys; site.addsitedir(sys.argv[1]); import lzma; "
             "from parxz import _install; "
             "print(_install.installed() "
             "and lzma.LZMAFile is _install._objects['LZMAFile'], "
             "_install._threads, _install._block_size)")

    def probe(self, **env_vars):
        with tempfile.TemporaryDirectory() as site_dir:
            shutil.copy(self.PTH, site_dir)
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith("PARXZ_LZMA")}
            env.update(env_vars)
            proc = subprocess.run([sys.executable, "-c", self.PROBE,
                                   site_dir], env=env, text=True,
                                  capture_output=True, check=True)
            return proc.stdout.split(), proc.stderr

    def test_variable(self):
        self.assertEqual(self.probe(), (["False", "0", "None"], ""))
        self.assertEqual(self.probe(PARXZ_LZMA_THREADS="3"),
                         (["True", "3", "None"], ""))
        self.assertEqual(self.probe(PARXZ_LZMA_THREADS="0",
                                    PARXZ_LZMA_BLOCK_SIZE="1048576"),
                         (["True", "0", "1048576"], ""))
        self.assertEqual(self.probe(PARXZ_LZMA_THREADS="")[0],
                         ["False", "0", "None"])
        out, err = self.probe(PARXZ_LZMA_THREADS="many")
        self.assertEqual(out, ["False", "0", "None"])
        self.assertIn("ignored", err)


if __name__ == "__main__":
    unittest.main(verbosity=1)
