#!/usr/bin/python3
"""Issue 22 item 2 and the Python half of item 4: what seeking by the Index
costs and what it gives tarfile.

- O(Block): on a 1 GiB .xz of 1 MiB Blocks, `f.seek(N); f.read(1 MiB)`
  reads (counted through a file wrapper) the Index and at most two Blocks,
  and returns the right bytes. The file is made cheaply: one Block that
  /usr/bin/xz compressed, repeated 1024 times, with an Index for them;
  `xz -lvv` checks the result before it is used.
- tarfile: the standard tarfile on parxz.lzma.open(path) (threads None and
  2, and under install()) lists the members `tar tJf` lists and extracts
  one member with the bytes `tar xJf -O` gives, reading a fraction of the
  file.
"""
import io
import lzma as stock
import os
import random
import subprocess
import tarfile
import tempfile
import unittest
import zlib

import parxz.lzma as plzma

MIB = 1 << 20


class CountingFile(io.RawIOBase):
    """A read-only file that records the ranges read through it."""

    def __init__(self, path):
        self._f = open(path, "rb")
        self.ranges = []

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        return self._f.seek(offset, whence)

    def tell(self):
        return self._f.tell()

    def readinto(self, b):
        start = self._f.tell()
        n = self._f.readinto(b)
        if n:
            self.ranges.append((start, n))
        return n

    def close(self):
        self._f.close()
        super().close()

    def total(self):
        return sum(n for _, n in self.ranges)


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def xz_blocks(path):
    """(compressed offset, total size, unpadded size, uncompressed offset,
    uncompressed size) per Block, from xz --robot -lvv."""
    listing = subprocess.run(["xz", "--robot", "-lvv", path],
                             stdout=subprocess.PIPE, check=True,
                             text=True).stdout
    out = []
    for line in listing.splitlines():
        c = line.split("\t")
        if c[0] == "block":
            check = {"None": 0, "CRC32": 4, "CRC64": 8, "SHA-256": 32}[c[9]]
            out.append((int(c[4]), int(c[6]), int(c[11]) + int(c[13]) + check,
                        int(c[5]), int(c[7])))
    return out


def repeated_block_file(path, block_data, count):
    """A .xz file of `count` copies of the one Block xz makes of block_data
    (CRC32), with a matching Index: count * len(block_data) bytes."""
    one = subprocess.run(["xz", "-c", "-0", "-C", "crc32", "-T2",
                          f"--block-size={len(block_data)}"], input=block_data,
                         stdout=subprocess.PIPE, check=True).stdout
    with tempfile.NamedTemporaryFile(suffix=".xz") as f:
        f.write(one)
        f.flush()
        [(offset, total, unpadded, _, size)] = xz_blocks(f.name)
    block = one[offset:offset + total]
    index = bytearray(b"\x00" + varint(count))
    index += (varint(unpadded) + varint(size)) * count
    index += b"\x00" * (-len(index) % 4)
    index += zlib.crc32(index).to_bytes(4, "little")
    backward = (len(index) // 4 - 1).to_bytes(4, "little") + one[6:8]
    footer = zlib.crc32(backward).to_bytes(4, "little") + backward + b"YZ"
    with open(path, "wb") as out:
        out.write(one[:12])
        for _ in range(count):
            out.write(block)
        out.write(index)
        out.write(footer)
    return total, len(index) + len(footer)


class OBlockTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        rng = random.Random(22)
        words = [rng.randbytes(rng.randint(1, 8)).hex().encode()
                 for _ in range(500)]
        text = b" ".join(rng.choice(words) for _ in range(40000))[:MIB // 4]
        cls.block = text + bytes(MIB - len(text))
        cls.count = 1024
        cls.path = os.path.join(cls.tmp.name, "big.xz")
        cls.block_total, cls.index_bytes = repeated_block_file(
            cls.path, cls.block, cls.count)
        # The file is what it claims to be, by xz's own listing.
        blocks = xz_blocks(cls.path)
        assert len(blocks) == cls.count, len(blocks)
        assert blocks[-1][3] + blocks[-1][4] == cls.count * MIB

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def expected(self, position, n):
        out = bytearray()
        while len(out) < n and position < self.count * MIB:
            at = position % MIB
            piece = self.block[at:at + n - len(out)]
            out += piece
            position += len(piece)
        return bytes(out)

    def check(self, threads, positions, slack):
        counting = CountingFile(self.path)
        with plzma.open(counting, threads=threads) as f:
            for position in positions:
                counting.ranges.clear()
                self.assertEqual(f.seek(position), position)
                got = f.read(MIB)
                self.assertEqual(got, self.expected(position, MIB))
                # The Index (first seek only: it is kept), the Blocks holding
                # [position, position + 1 MiB): at most two, plus the file
                # reads' rounding (8 KiB pieces, or the threaded reader's
                # read-ahead).
                limit = 2 * self.block_total + slack + self.index_bytes + 64 * 1024
                self.assertLessEqual(counting.total(), limit,
                                     (position, threads, counting.ranges))

    def test_seek_then_read_reads_two_blocks_at_most(self):
        size = self.count * MIB
        positions = [size // 2 + 12345, 3 * MIB, size - MIB // 2,
                     size - 5 * MIB + 1, 100 * MIB, 7]
        self.check(None, positions, 2 * 8192)
        self.check(2, positions, 2 << 20)

    def test_seek_end(self):
        counting = CountingFile(self.path)
        with plzma.open(counting) as f:
            self.assertEqual(f.seek(-10, io.SEEK_END), self.count * MIB - 10)
            self.assertEqual(f.read(), self.expected(self.count * MIB - 10, 10))
        self.assertLess(counting.total(), 3 * self.block_total + 64 * 1024)


class TarfileTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        src = os.path.join(cls.tmp.name, "src")
        os.makedirs(os.path.join(src, "sub"))
        rng = random.Random(4)
        cls.names = []
        for i, size in enumerate((3 * MIB + 17, 1000, 0, 2 * MIB, 700_000,
                                  4 * MIB + 4095, 12345)):
            name = os.path.join("sub" if i % 2 else ".", f"member{i}.bin")
            with open(os.path.join(src, name), "wb") as f:
                f.write(rng.randbytes(size // 3) + bytes(size - size // 3))
            cls.names.append(os.path.normpath(name))
        cls.tar = os.path.join(cls.tmp.name, "a.tar")
        subprocess.run(["tar", "-cf", cls.tar, "-C", src, *cls.names],
                       check=True)
        cls.archive = cls.tar + ".xz"
        subprocess.run(["xz", "-k", "-T2", "--block-size=256KiB", cls.tar],
                       check=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def gnu(self, *args):
        return subprocess.run(["tar", *args], stdout=subprocess.PIPE,
                              check=True).stdout

    def check_tar(self, open_xz, threads):
        listed = self.gnu("-tJf", self.archive).decode().split()
        last = self.names[-2]  # a large member near the end
        reference = self.gnu("-xJf", self.archive, "-O", last)
        counting = CountingFile(self.archive)
        with open_xz(counting) as xzf, tarfile.open(fileobj=xzf) as tar:
            self.assertEqual(tar.getnames(), listed)
            self.assertEqual(tar.extractfile(last).read(), reference)
        # Headers: one Block each; the member: its Blocks (seekable
        # reading skips the rest of the data). The threaded reader reads
        # and decodes Blocks ahead (up to its window) after each seek.
        if threads is None:
            self.assertLess(counting.total(),
                            os.path.getsize(self.archive) * 0.6)

    def test_tarfile_on_parxz_open(self):
        for threads in (None, 2):
            with self.subTest(threads=threads):
                self.check_tar(lambda f: plzma.open(f, threads=threads), threads)

    def test_tarfile_under_install(self):
        plzma.install(threads=2)
        try:
            counting = CountingFile(self.archive)
            reference = self.gnu("-xJf", self.archive, "-O", self.names[0])
            with tarfile.open(fileobj=stock.open(counting)) as tar:
                self.assertEqual(tar.extractfile(self.names[0]).read(),
                                 reference)
            with tarfile.open(self.archive) as tar:  # "r:*" finds xz itself
                self.assertEqual(tar.extractfile(self.names[0]).read(),
                                 reference)
        finally:
            plzma.uninstall()


if __name__ == "__main__":
    unittest.main()
