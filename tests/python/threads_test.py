#!/usr/bin/python3
"""parxz.lzma's threaded extras against independent implementations: the
stock lzma module (decoding, one-shot semantics) and /usr/bin/xz (the bytes
of `xz -T2 --block-size=B` for the same settings)."""
import array
import io
import lzma as stock
import os
import random
import subprocess
import tempfile
import threading
import time
import unittest

import parxz.lzma as plzma
from parxz import _lzma as parxz_lzma_c

XZ = "/usr/bin/xz"


def sample(size, seed):
    """Deterministic data with mixed compressibility (text-like runs and
    random bytes), so that Blocks compress to different sizes."""
    rng = random.Random(seed)
    words = [bytes(rng.choice(b"abcdefghij klmnop") for _ in range(rng.randint(2, 9)))
             for _ in range(500)]
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.2:
            out += rng.randbytes(rng.randint(100, 3000))
        else:
            out += b" ".join(rng.choice(words) for _ in range(rng.randint(50, 400)))
    return bytes(out[:size])


def xz_compress(data, args):
    return subprocess.run([XZ, "-c", "-q", *args], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


DATA = sample(1_000_000, 1)
BLOCK = 256 << 10


class CompressTest(unittest.TestCase):

    def test_equals_xz_and_same_for_every_thread_count(self):
        expected = xz_compress(DATA, ["-6", "-T2", f"--block-size={BLOCK}"])
        for threads in (1, 2, 3, 0):
            with self.subTest(threads=threads):
                out = plzma.compress(DATA, threads=threads, block_size=BLOCK)
                self.assertEqual(out, expected)
        self.assertEqual(stock.decompress(expected), DATA)

    def test_presets_and_checks_equal_xz(self):
        cases = [
            (dict(preset=1), ["-1"]),
            (dict(preset=3 | plzma.PRESET_EXTREME), ["-3e"]),
            (dict(preset=0, check=plzma.CHECK_CRC32), ["-0", "--check=crc32"]),
            (dict(preset=2, check=plzma.CHECK_SHA256), ["-2", "--check=sha256"]),
            (dict(preset=1, check=plzma.CHECK_NONE), ["-1", "--check=none"]),
        ]
        for kwargs, args in cases:
            with self.subTest(kwargs=kwargs):
                expected = xz_compress(DATA, [*args, "-T2", f"--block-size={BLOCK}"])
                self.assertEqual(
                    plzma.compress(DATA, threads=2, block_size=BLOCK, **kwargs),
                    expected)

    def test_filter_chain_equals_xz(self):
        filters = [{"id": plzma.FILTER_DELTA, "dist": 4},
                   {"id": plzma.FILTER_LZMA2, "preset": 1, "dict_size": 1 << 20}]
        expected = xz_compress(DATA, ["--delta=dist=4", "--lzma2=preset=1,dict=1MiB",
                                      "-T2", f"--block-size={BLOCK}"])
        self.assertEqual(plzma.compress(DATA, filters=filters, threads=2,
                                        block_size=BLOCK), expected)

    def test_default_block_size_is_xz_default(self):
        data = DATA[:300_000]
        self.assertEqual(plzma.compress(data, preset=0, threads=2),
                         xz_compress(data, ["-0", "-T2"]))

    def test_incremental_any_split_same_bytes(self):
        expected = plzma.compress(DATA, preset=1, threads=2, block_size=100_000)
        rng = random.Random(7)
        for threads in (1, 2):
            comp = plzma.LZMACompressor(preset=1, threads=threads, block_size=100_000)
            out = []
            pos = 0
            while pos < len(DATA):
                n = rng.choice([0, 1, 17, 4096, 65536, 300_000])
                out.append(comp.compress(DATA[pos:pos + n]))
                pos += n
            out.append(comp.flush())
            self.assertEqual(b"".join(out), expected)

    def test_without_threads_equals_stock(self):
        for kwargs in ({}, {"preset": 1}, {"format": plzma.FORMAT_ALONE},
                       {"check": plzma.CHECK_SHA256}):
            with self.subTest(kwargs=kwargs):
                self.assertEqual(plzma.compress(DATA[:200_000], **kwargs),
                                 stock.compress(DATA[:200_000], **kwargs))

    def test_empty_input(self):
        out = plzma.compress(b"", threads=2)
        self.assertEqual(out, xz_compress(b"", ["-6", "-T2"]))
        self.assertEqual(stock.decompress(out), b"")

    def test_buffer_inputs(self):
        expected = plzma.compress(DATA[:100_000], preset=0, threads=2)
        for obj in (bytearray(DATA[:100_000]), memoryview(DATA[:100_000]),
                    array.array("B", DATA[:100_000]),
                    memoryview(DATA[:200_000])[:100_000]):
            with self.subTest(type=type(obj).__name__):
                self.assertEqual(plzma.compress(obj, preset=0, threads=2), expected)
        with self.assertRaises(TypeError):
            plzma.compress("text", threads=2)

    def test_misuse_and_bad_arguments(self):
        comp = plzma.LZMACompressor(threads=2)
        comp.compress(b"abc")
        comp.flush()
        with self.assertRaisesRegex(ValueError, "Compressor has been flushed"):
            comp.compress(b"x")
        with self.assertRaisesRegex(ValueError, r"Repeated call to flush\(\)"):
            comp.flush()
        with self.assertRaises(ValueError):
            plzma.LZMACompressor(format=plzma.FORMAT_ALONE, threads=2)
        with self.assertRaises(ValueError):
            plzma.LZMACompressor(preset=6, filters=[{"id": plzma.FILTER_LZMA2}],
                                 threads=2)
        with self.assertRaises(plzma.LZMAError):
            plzma.LZMACompressor(preset=10, threads=2)
        with self.assertRaises(plzma.LZMAError):
            plzma.LZMACompressor(filters=[{"id": plzma.FILTER_LZMA1}], threads=2)
        with self.assertRaises((ValueError, OverflowError)):
            plzma.LZMACompressor(threads=-1)
        with self.assertRaises(TypeError):
            plzma.LZMACompressor(threads="2")
        with self.assertRaises(TypeError):
            import pickle
            pickle.dumps(plzma.LZMACompressor(threads=1))


class FileTest(unittest.TestCase):

    def test_lzmafile_write_threads_equals_xz(self):
        expected = xz_compress(DATA, ["-6", "-T2", f"--block-size={BLOCK}"])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.xz")
            with plzma.LZMAFile(path, "w", threads=2, block_size=BLOCK) as f:
                for i in range(0, len(DATA), 70_000):
                    f.write(DATA[i:i + 70_000])
                self.assertEqual(f.tell(), len(DATA))
            with builtins_open(path, "rb") as f:
                self.assertEqual(f.read(), expected)
            with stock.open(path) as f:
                self.assertEqual(f.read(), DATA)
        bio = io.BytesIO()
        with plzma.open(bio, "wb", threads=1, block_size=BLOCK) as f:
            f.write(DATA)
        self.assertEqual(bio.getvalue(), expected)

    def test_argument_errors_as_unthreaded(self):
        # The threaded compressor takes LZMACompressor's FORMAT_XZ arguments
        # and refuses bad ones with the same exception and message.
        lzma2 = {"id": plzma.FILTER_LZMA2}
        cases = [
            dict(preset=10), dict(preset=-1), dict(preset=2**32),
            dict(preset="6"), dict(check=16), dict(check=-5),
            dict(check=plzma.CHECK_SHA256, preset=10), dict(filters=[]),
            dict(filters=[{"id": plzma.FILTER_LZMA1}]),
            dict(filters=[{"id": 99}]), dict(filters=5),
            dict(filters=[lzma2, {"id": plzma.FILTER_X86}]),
            dict(filters=[{"id": plzma.FILTER_LZMA2, "lc": 9}]),
            dict(filters=[{"id": plzma.FILTER_LZMA2, "preset": 12}]),
            dict(preset=6, filters=[lzma2]), dict(preset="x", filters=[]),
            dict(check=16, filters=[{"id": 99}]), dict(check=16, preset=10),
        ]
        for kwargs in cases:
            with self.subTest(**kwargs):
                expected = outcome(stock.LZMACompressor, **kwargs)
                self.assertEqual(expected[0], "error")
                self.assertEqual(
                    outcome(plzma.LZMACompressor, threads=1, **kwargs), expected)

    def test_one_extension_module(self):
        import parxz._lzma
        import parxz._parxz
        self.assertIs(parxz._lzma.LZMACompressor, parxz._parxz.LZMACompressor)
        self.assertIs(plzma.LZMAError, parxz._parxz.LZMAError)
        self.assertIsInstance(plzma.LZMACompressor(threads=1)._impl,
                              parxz._parxz.ParallelCompressor)

    def test_open_text_mode_threads(self):
        text = DATA[:100_000].decode("latin-1")
        bio = io.BytesIO()
        with plzma.open(bio, "wt", encoding="latin-1", threads=2, preset=0) as f:
            f.write(text)
        self.assertEqual(stock.decompress(bio.getvalue()).decode("latin-1"), text)
        self.assertEqual(bio.getvalue(),
                         xz_compress(DATA[:100_000], ["-0", "-T2"]))

    def test_read_options_refused(self):
        with self.assertRaises(ValueError):
            plzma.LZMAFile(io.BytesIO(), "r", block_size=1 << 20)


def outcome(function, *args, **kwargs):
    """The result, or the exception's class name and message."""
    try:
        return ("ok", function(*args, **kwargs))
    except Exception as e:  # compared, not swallowed
        return ("error", type(e).__name__, str(e))


def builtins_open(*args):
    import builtins
    return builtins.open(*args)


class DecompressTest(unittest.TestCase):

    def test_decompress_threads_equals_stock(self):
        multi = plzma.compress(DATA, preset=1, threads=2, block_size=100_000)
        by_xz = xz_compress(DATA, ["-1", "-T2", "--block-size=200000"])
        single = stock.compress(DATA[:300_000], preset=1)
        alone = stock.compress(DATA[:100_000], format=stock.FORMAT_ALONE, preset=0)
        inputs = [multi, by_xz, single, alone, multi + single, single + multi,
                  multi + b"trailing junk", multi + single + b"\0" * 8,
                  stock.compress(b"")]
        for data in inputs:
            expected = outcome(stock.decompress, data)
            for threads in (1, 2, 0):
                with self.subTest(size=len(data), threads=threads):
                    self.assertEqual(
                        outcome(plzma.decompress, data, threads=threads), expected)

    def test_decompress_threads_errors_as_stock(self):
        multi = plzma.compress(DATA, preset=1, threads=2, block_size=100_000)
        corrupt = bytearray(multi)
        corrupt[len(corrupt) // 2] ^= 0x55
        cases = [multi[:len(multi) // 2], bytes(corrupt), b"not xz at all", b"",
                 multi[:-1]]
        for data in cases:
            with self.assertRaises(stock.LZMAError) as stock_error:
                stock.decompress(data)
            with self.subTest(size=len(data)):
                with self.assertRaises(plzma.LZMAError) as ours:
                    plzma.decompress(data, threads=2)
                self.assertEqual(str(ours.exception), str(stock_error.exception))
        with self.assertRaises(plzma.LZMAError):
            plzma.decompress(multi, memlimit=1 << 10, threads=2)
        with self.assertRaises(TypeError):
            plzma.decompress("text", threads=2)

    def test_decompress_threads_raw_falls_back(self):
        filters = [{"id": plzma.FILTER_LZMA2, "preset": 0}]
        raw = stock.compress(DATA[:50_000], format=stock.FORMAT_RAW, filters=filters)
        self.assertEqual(plzma.decompress(raw, format=plzma.FORMAT_RAW,
                                          filters=filters, threads=2), DATA[:50_000])


class GilTest(unittest.TestCase):

    def test_gil_released_while_compressing(self):
        data = DATA
        done = threading.Event()
        ticks = 0

        def work():
            comp = parxz_lzma_c.LZMACompressor(preset=6)
            comp.compress(data)
            comp.flush()
            done.set()

        worker = threading.Thread(target=work)
        start = time.perf_counter()
        worker.start()
        while not done.is_set():
            ticks += 1
        worker.join()
        elapsed = time.perf_counter() - start
        # With the GIL held by the compressor, this loop could only run
        # between switch intervals that never come; released, it spins.
        self.assertGreater(ticks, 10_000, f"{elapsed:.2f} s")


if __name__ == "__main__":
    unittest.main()
