#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ (run from the repository root).

Usage: tests/fuzz/make_seeds.py [XZ_TEST_FILES_DIR]
Seeds are small (<= a few KiB); the xz test files are 0BSD (see their README).
Python's lzma module, an independent encoder, makes the generated streams.
"""
import lzma
import os
import random
import subprocess
import sys

ROOT = "tests/fuzz/corpus"

# A selection of the xz project's decoder test files: every format, each kind
# of damage, and the files whose headers or Index claim huge sizes.
XZ_FILES = """
good-0-empty.xz good-0cat-empty.xz good-0pad-empty.xz good-1-check-none.xz
good-1-check-crc32.xz good-1-check-sha256.xz good-1-lzma2-1.xz
good-1-lzma2-4.xz good-1-lzma2-5.xz good-2-lzma2.xz good-1-block_header-1.xz
good-1-block_header-3.xz good-1-3delta-lzma2.xz good-1-empty-bcj-lzma2.xz
good-1-arm64-lzma2-1.xz good-1-v0.lz good-1-v1.lz good-2-v1-v0.lz
good-1-v1-trailing-1.lz good-known_size-with_eopm.lzma
good-unknown_size-with_eopm.lzma good-known_size-without_eopm.lzma
bad-0-backward_size.xz bad-0-index-1.xz bad-0cat-alone.xz
bad-1-block_header-1.xz bad-1-block_header-6.xz bad-1-check-crc64.xz
bad-1-check-sha256.xz bad-1-index-huge-uncomp.xz bad-1-lzma2-1.xz
bad-1-lzma2-7.xz bad-1-lzma2-10.xz bad-1-stream_flags-2.xz bad-1-vli-1.xz
bad-2-compressed_data_padding.xz bad-2-index-3.xz
bad-3-index-uncomp-overflow.xz bad-1-v1-dict-1.lz bad-1-v1-member-size.lz
bad-too_big_size-with_eopm.lzma bad-unknown_size-without_eopm.lzma
unsupported-check.xz unsupported-filter_flags-1.xz unsupported-block_header.xz
unsupported-1-v234.lz
""".split()


def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


def text(n, seed):
    rnd = random.Random(seed)
    words = b"the of parallel block stream index check filter lzma xz".split()
    out = bytearray()
    while len(out) < n:
        out += rnd.choice(words) + b" "
        if rnd.random() < 0.05:
            out += bytes(rnd.randrange(256) for _ in range(rnd.randrange(20)))
    return bytes(out[:n])


def decompressor_seeds(xz_dir):
    # Byte 0: format (0 auto, 1 xz, 2 alone, 3 raw) | raw chain << 2 |
    # memlimit << 4; byte 1: schedule seed. See decompressor_fuzz.cc.
    for name in XZ_FILES:
        with open(os.path.join(xz_dir, name), "rb") as f:
            data = f.read()
        write("decompressor", name, bytes([0, len(name)]) + data)
    plain = text(3000, 1)
    write("decompressor", "gen-xz-memlimit-1MiB",
          bytes([1 | 1 << 4, 7]) + lzma.compress(plain, preset=0))
    write("decompressor", "gen-xz-unlimited",
          bytes([3 << 4, 8]) + lzma.compress(plain, preset=1))
    write("decompressor", "gen-alone", bytes([2, 9]) +
          lzma.compress(plain, format=lzma.FORMAT_ALONE, preset=0))
    write("decompressor", "gen-xz-concat-garbage", bytes([0, 3]) +
          lzma.compress(plain[:500]) + lzma.compress(b"") + b"\0" * 4 + b"junk")
    raw_chains = [
        [{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 16}],
        [{"id": lzma.FILTER_LZMA1, "dict_size": 1 << 16}],
        [{"id": lzma.FILTER_DELTA, "dist": 4},
         {"id": lzma.FILTER_LZMA2, "preset": 0, "dict_size": 1 << 16}],
        [{"id": lzma.FILTER_X86},
         {"id": lzma.FILTER_LZMA2, "preset": 1, "dict_size": 1 << 16}],
    ]
    for i, chain in enumerate(raw_chains):
        write("decompressor", "gen-raw-%d" % i, bytes([3 | i << 2, i]) +
              lzma.compress(plain, format=lzma.FORMAT_RAW, filters=chain))
    # Multi-Block streams as xz -T writes them (Block sizes in the headers).
    blocks = subprocess.run(
        ["xz", "-T2", "--block-size=700", "-0", "-c"], input=plain,
        stdout=subprocess.PIPE, check=True).stdout
    write("decompressor", "gen-xz-blocks", bytes([1, 5]) + blocks)


def parallel_decoder_seeds():
    # Byte 0: threads, memlimit, use_index, format; byte 1: API. See
    # parallel_decoder_fuzz.cc. Multi-Block files with and without sizes in
    # the Block Headers, several streams, padding and each check.
    plain = text(5000, 6)
    def xz(*args, data=plain):
        return subprocess.run(["xz", "-c"] + list(args), input=data,
                              stdout=subprocess.PIPE, check=True).stdout
    files = {
        "xz-T2-blocks": xz("-T2", "--block-size=900", "-0"),
        "xz-T1-blocks-nosizes": xz("-T1", "--block-size=1200", "-1"),
        "xz-T2-sha256": xz("-T2", "--block-size=2000", "-0", "--check=sha256"),
        "xz-T2-crc32-delta": xz("-T2", "--block-size=1500", "--delta=dist=2",
                                "--lzma2=preset=0"),
        "two-streams-padded": xz("-T2", "--block-size=1000", "-0") +
            b"\0" * 8 + xz("-T2", "--block-size=700", "-0",
                           data=plain[:1500]),
        "xz-T2-none-trailing": xz("-T2", "--block-size=800", "-0",
                                  "--check=none") + b"junk",
        "lzma": lzma.compress(plain[:800], format=lzma.FORMAT_ALONE),
    }
    for i, (name, data) in enumerate(sorted(files.items())):
        write("parallel_decoder", name, bytes([i * 37 % 128, i]) + data)


def threaded_decoder_seeds():
    # Byte 0: format, threads, limits; byte 1: schedule seed; byte 2: payload
    # use (bit 7: plain data to compress). See threaded_decoder_fuzz.cc.
    plain = text(6000, 7)
    def xz(*args, data=plain):
        return subprocess.run(["xz", "-c"] + list(args), input=data,
                              stdout=subprocess.PIPE, check=True).stdout
    files = {
        "xz-T2-blocks": xz("-T2", "--block-size=700", "-0"),
        "xz-T1-blocks-nosizes": xz("-T1", "--block-size=1000", "-0"),
        "xz-T2-sha256": xz("-T2", "--block-size=1500", "-0", "--check=sha256"),
        "xz-T2-crc32-delta": xz("-T2", "--block-size=1200", "--delta=dist=2",
                                "--lzma2=preset=0"),
        "xz-T2-none-trailing": xz("-T2", "--block-size=900", "-0",
                                  "--check=none") + b"junk",
        "xz-T2-x86": xz("-T2", "--block-size=800", "--x86",
                        "--lzma2=preset=0"),
        "two-streams": xz("-T2", "--block-size=1000", "-0") + b"\0" * 4 +
            xz("-T2", "--block-size=700", "-0", data=plain[:1500]),
        "lzma": lzma.compress(plain[:800], format=lzma.FORMAT_ALONE),
    }
    for i, (name, data) in enumerate(sorted(files.items())):
        write("threaded_decoder", name, bytes([i * 37 % 128, i, 0]) + data)
    for i, how in enumerate([0x80, 0x81, 0x82, 0x83]):
        write("threaded_decoder", "gen-compress-%d" % i,
              bytes([i * 11, i + 1, how]) + text(3000 + 500 * i, 8 + i))


def round_trip_seeds():
    # 5 control bytes (see round_trip_fuzz.cc) then the data.
    rnd = random.Random(2)
    write("round_trip", "empty", bytes([0, 0, 0, 0, 0]))
    write("round_trip", "text-3t-crc32", bytes([2 | 1 << 2, 0, 5, 0, 1]) +
          text(2000, 2))
    write("round_trip", "text-2t-sha256-delta", bytes([1 | 3 << 2, 3, 2, 1, 2])
          + text(1500, 3))
    write("round_trip", "random-3t-none", bytes([2, 4, 10, 3, 3]) +
          bytes(rnd.randrange(256) for _ in range(1200)))
    write("round_trip", "zeros-1t-bs1", bytes([0, 5, 0, 2, 4]) + b"\0" * 300)
    write("round_trip", "text-arm64-extreme", bytes([1, 6, 20, 4, 5]) +
          text(1000, 4))
    write("round_trip", "text-x86-e", bytes([2, 7, 1, 0, 6]) + text(800, 5))


def args_seeds():
    # Byte 0: 0/1 ParseArgs (NUL-separated), 2 ParseSize, 3 ParseFilter.
    argvs = [
        ["-9e", "-T0", "file"], ["-dc", "--", "-x"], ["-k", "-f", "-vv", "a", "b"],
        ["--lzma2=preset=6e,dict=64MiB,lc=3,lp=0,pb=2,mode=normal,nice=64,"
         "mf=bt4,depth=0", "--delta=dist=4", "--x86=start=16"],
        ["--format=raw", "--lzma1=preset=1", "-c"], ["-M", "50%", "-t", "x.xz"],
        ["--block-size=8MiB", "--check=sha256", "-S", ".pxz", "-"],
        ["-l", "--single-stream", "-qQ"], ["--memlimit=1GiB", "-H"], ["-V"],
        ["--threads=3", "--memory=max", "-z", "-3"],
    ]
    for i, argv in enumerate(argvs):
        write("args", "argv-%d" % i, bytes([0]) + b"\0".join(
            a.encode() for a in argv))
    for i, s in enumerate([b"123", b"64KiB", b"8MiB", b"1GiB", b"4k",
                           b"18446744073709551615", b"16EiB", b"99999999999G"]):
        write("args", "size-%d" % i, bytes([2]) + s)
    for i, s in enumerate([b"lzma2=preset=9e,dict=1536MiB", b"lzma1=lc=4,lp=0",
                           b"delta=dist=256", b"arm64=start=4096", b"sparc",
                           b"lzma2=mf=hc3,nice=273,mode=fast"]):
        write("args", "filter-%d" % i, bytes([3]) + s)


def main():
    xz_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("PARXZ_SHARED", "../shared"), "xz-test-files")
    decompressor_seeds(xz_dir)
    parallel_decoder_seeds()
    threaded_decoder_seeds()
    round_trip_seeds()
    args_seeds()


if __name__ == "__main__":
    main()
