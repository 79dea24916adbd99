"""Seeking by the Index, for parxz.lzma.LZMAFile's readers.

    with parxz.lzma.open("big.tar.xz") as f:      # threads=None or N alike
        f.seek(40 << 30)                           # decodes one Block, not 40 GiB
        part = f.read(1 << 20)

The standard reader (_compression.DecompressReader) emulates seek(): it
decodes and discards everything up to the target, from the start again when
seeking backwards. IndexSeek, mixed into LZMAFile's readers, reaches the
same state without decoding the Blocks in between: the first seek reads the
Indexes at the ends of the file's Streams (parallel/'s Index reader through
_parxz._xz_index, the file read with seek() and read()); a seek then starts
a decompressor at the Block holding the byte before the target and decodes
that Block up to the target with the standard reader's own calls (8 KiB
reads of the decoded data, the file read in its 8 KiB pieces, aligned to the
file as the standard reader's are). Everything else (read, read1, readline,
peek, readinto, tell, EOF, what follows each Stream) is the standard
reader's code.

Only the Blocks a seek jumps over are not decoded, so data errors in them
are not seen: where the standard module raises LZMAError from a seek that
decodes across a damaged Block (or from a later call after it failed there),
this reader lands after it and reads on. Everything the reader does decode
it decodes as the standard one does: a read that reaches a damaged Block
returns the same bytes before it and raises the same exception, in the same
call, because the decompressor started at a Block sees the same input
pieces and the same max_length as the standard one at that point.

The decompressor started at Block j of a Stream is the standard
decompressor object (parxz's LZMADecompressor, threaded or not) fed a
Stream Header like the Stream's own, then the file's bytes from Block j up
to the Stream's Index; in place of that Index (which lists every Block of
the Stream) it gets an Index of Blocks j.. built from the same records, so
it checks those Blocks against the Index, as the standard one does, and
reaches the end of the Stream where the standard one does. What follows
each Stream is then decided by the standard reader's code, on the same
bytes, with the call size a sequential seek would have used there (min(8 KiB,
what is left to skip)).

With threads (the threaded reader, parxz.lzma's _ThreadedReader), the
Block a seek lands in is decoded on its own by a sequential decompressor
and the Blocks after it by a threaded one (_Chain), and the reader's reads
of the file grow from that Block's size to 1 MiB: a seek followed by a
short read (tarfile reading a header) decodes one Block and starts no
workers. Its rewinds start at the first Block the same way.

The Index is used only where it describes what the standard reader sees:
FORMAT_AUTO or FORMAT_XZ input whose file object has seek/tell/read, was at
its byte 0 when opened (the standard reader rewinds to byte 0) and is a
complete .xz file (Streams and Stream Padding, nothing else, Indexes intact).
Anything else (pipes, .lzma, raw, truncated files, trailing junk, damaged
Indexes or footers) is sought as by the standard module.
"""

import bisect
import io
import zlib

import _compression

from parxz import _parxz
from parxz._lzma import FORMAT_AUTO, FORMAT_XZ, LZMAError

_PIECE = _compression.BUFFER_SIZE  # the standard reader's reads of the file
_STEP = io.DEFAULT_BUFFER_SIZE  # its reads of decoded data while seeking
_END = 1 << 64  # "to the end of the data", for SEEK_END


def _varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _crc(data):
    return zlib.crc32(data).to_bytes(4, "little")


def _stream_header(check_id):
    flags = bytes((0, check_id))
    return b"\xfd7zXZ\x00" + flags + _crc(flags)


def _index_and_footer(records, check_id):
    """An .xz Index listing `records` ((unpadded, uncompressed) sizes) and
    the Stream Footer after it."""
    index = bytearray(b"\x00" + _varint(len(records)))
    for unpadded, uncompressed in records:
        index += _varint(unpadded) + _varint(uncompressed)
    index += b"\x00" * (-len(index) % 4)
    index += _crc(index)
    backward = (len(index) // 4 - 1).to_bytes(4, "little")
    tail = backward + bytes((0, check_id))
    return bytes(index) + _crc(tail) + tail + b"YZ"


class _Index:
    """What the file's Indexes say, in the shapes the seeks need.

    streams[s]: (compressed_offset, compressed_size, uncompressed_offset,
    uncompressed_size, padding, check_id); blocks[i]: (stream,
    compressed_offset, uncompressed_offset, unpadded_size,
    uncompressed_size), in file order (python/xz_index.cc).
    """

    def __init__(self, streams, blocks):
        self.streams = streams
        self.blocks = blocks
        # Blocks that hold data, by where their data ends: the Block holding
        # byte p - 1 is the first whose end is >= p.
        self._ends = []
        self._numbers = []
        self._last = [None] * len(streams)  # each Stream's last Block
        for i, (stream, _, start, _, size) in enumerate(blocks):
            self._last[stream] = i
            if size:
                self._ends.append(start + size)
                self._numbers.append(i)

    def data_end(self, stream):
        """Where the Stream's data ends (uncompressed offset)."""
        _, _, start, size, _, _ = self.streams[stream]
        return start + size

    def block_before(self, position):
        """The Block holding byte position - 1 (0 < position <= size)."""
        return self._numbers[bisect.bisect_left(self._ends, position)]

    def decompressor_from(self, number, make, pending, first_alone=False):
        """A decompressor for the rest of the Stream of Block `number`,
        from that Block on (see _FromBlock); make(threaded) makes a fresh
        standard one for FORMAT_XZ, `pending` is what the reader has
        already read of the file from the Block's start. first_alone: the
        Block is decoded on its own by a sequential decompressor, the
        Blocks after it by make(True)'s (see _Chain)."""
        stream, offset, _, unpadded, _ = self.blocks[number]
        s_offset, s_size, _, _, _, check_id = self.streams[stream]
        end = self._last[stream] + 1
        last = self.blocks[end - 1]
        index_offset = last[1] + (last[3] + 3 & ~3)
        tail_left = s_offset + s_size - index_offset

        def tail(first, stop):
            return lambda: _index_and_footer(
                [(b[3], b[4]) for b in self.blocks[first:stop]], check_id)

        head = _stream_header(check_id)
        if not first_alone or number + 1 == end:
            return _FromBlock(make(first_alone), head, index_offset - offset,
                              tail_left, tail(number, end), pending)
        size = unpadded + 3 & ~3
        first = _FromBlock(make(False), head, size, 0,
                           tail(number, number + 1), pending)

        def rest(unused):
            return _FromBlock(make(True), head,
                              index_offset - offset - size, tail_left,
                              tail(number + 1, end), unused)
        return _Chain(first, rest)


def read_index(fp):
    """fp's _Index, or None where it has none usable (see the module doc)."""
    try:
        if hasattr(fp, "seekable") and not fp.seekable():
            return None
        saved = fp.tell()
        fp.seek(0, io.SEEK_END)
        size = fp.tell()
    except (OSError, ValueError, AttributeError):
        return None
    try:
        return _Index(*_parxz._xz_index(fp, size))
    except LZMAError:
        return None
    finally:
        fp.seek(saved)


class _FromBlock:
    """The standard decompressor of one .xz Stream, as it is once the Blocks
    before Block j are decoded: it is given a Stream Header, the Stream's
    bytes from Block j to its Index as they arrive, and, once the real
    Index and Stream Footer have arrived (and been dropped), an Index of
    Blocks j.. and a footer made from the same records. Bytes after the
    Stream are its unused_data at eof, as in the standard decompressor."""

    __slots__ = ("_d", "_head", "_data_left", "_tail_left", "_tail",
                 "_pending", "_after")

    def __init__(self, decompressor, head, data_left, tail_left, tail,
                 pending):
        self._d = decompressor
        self._head = head  # given with the first input
        self._data_left = data_left  # Block bytes still to come
        self._tail_left = tail_left  # real Index + Footer bytes to drop
        self._tail = tail  # makes the Index and footer it gets instead
        self._pending = pending  # read already, given with the first call
        self._after = b""

    def decompress(self, data, max_length=-1):
        if self._pending:
            data, self._pending = self._pending + data, b""
        feed, self._head = self._head, b""
        n = min(len(data), self._data_left)
        if n:
            feed += data[:n]
            self._data_left -= n
        rest = data[n:]
        if self._tail_left and rest:
            k = min(len(rest), self._tail_left)
            self._tail_left -= k
            rest = rest[k:]
        if not self._data_left and not self._tail_left and self._tail:
            feed += self._tail()
            self._tail = None
        self._after += rest
        return self._d.decompress(feed, max_length)

    @property
    def eof(self):
        return self._d.eof

    @property
    def needs_input(self):
        return not self._pending and self._d.needs_input

    @property
    def unused_data(self):
        return self._after if self._d.eof else b""

    @property
    def check(self):
        return self._d.check

    def _end_input(self):
        # The threaded decompressor's "no more input" (the file ended);
        # the sequential one needs no word of it.
        end = getattr(self._d, "_end_input", None)
        if end:
            end()


class _Chain:
    """One Stream's decompressor made of two: `first` (a _FromBlock for
    one Block, decoded sequentially: a seek followed by a short read, as
    tarfile's, decodes that Block only) and then rest(first's unused
    data) (a _FromBlock for the Blocks after it, threaded). The reader
    sees one decompressor: eof and unused_data are the second's."""

    __slots__ = ("_d", "_rest")

    def __init__(self, first, rest):
        self._d = first
        self._rest = rest

    def _switch(self):
        if self._rest and self._d.eof:
            self._d, self._rest = self._rest(self._d.unused_data), None

    def decompress(self, data, max_length=-1):
        self._switch()
        return self._d.decompress(data, max_length)

    @property
    def eof(self):
        return not self._rest and self._d.eof

    @property
    def needs_input(self):
        if self._rest and self._d.eof:
            return not self._d.unused_data
        return self._d.needs_input

    @property
    def unused_data(self):
        return b"" if self._rest else self._d.unused_data

    @property
    def check(self):
        return self._d.check

    def _end_input(self):
        self._switch()
        self._d._end_input()


class IndexSeek:
    """seek() by the Index for a DecompressReader of LZMAFile (mixed in
    before it: class R(IndexSeek, DecompressReader)). See the module doc."""

    def __init__(self, fp, *args, **kwargs):
        super().__init__(fp, *args, **kwargs)
        # The number of the Stream the current decompressor decodes: each
        # decompressor the reader makes starts the next Stream.
        self._stream_no = 0
        make = self._decomp_factory

        def factory(**decomp_args):
            self._stream_no += 1
            return make(**decomp_args)
        self._plain_factory = make
        self._decomp_factory = factory
        self._index = None  # None: not read yet; False: none usable
        usable = (self._decomp_args.get("format") in (FORMAT_AUTO, FORMAT_XZ)
                  and self._decomp_args.get("filters") is None)
        try:
            usable = usable and fp.tell() == 0
        except (OSError, ValueError, AttributeError):
            usable = False
        if not usable:
            self._index = False

    def _rewind(self):
        if (self._index and self._decomp_args.get("threads") is not None
                and self._index.blocks and self._index.blocks[0][0] == 0):
            # The threaded reader starts its first Block alone, as after a
            # jump: tarfile.open() probes and rewinds several times.
            self._start_block(0)
            return
        self._stream_no = -1
        super()._rewind()

    def seek(self, offset, whence=io.SEEK_SET):
        if self._index is None:
            self._index = read_index(self._fp) or False
        if not self._index:
            return super().seek(offset, whence)
        # As DecompressReader.seek(), with _skip_to() for its read loop.
        if whence == io.SEEK_SET:
            pass
        elif whence == io.SEEK_CUR:
            offset = self._pos + offset
        elif whence == io.SEEK_END:
            if self._size < 0:
                self._skip_to(_END)
            offset = self._size + offset
        else:
            raise ValueError("Invalid value for whence: {}".format(whence))
        if offset < self._pos:
            self._rewind()
        self._skip_to(offset)
        return self._pos

    def _skip_to(self, target):
        """Reads and discards up to `target` as the standard seek() does
        (calls of min(8 KiB, what is left)), jumping over whole Blocks."""
        index = self._index
        while self._pos < target and not self._eof:
            stream = self._stream_no
            goal = min(target, index.data_end(stream))
            if goal > self._pos:
                number = index.block_before(goal)
                if index.blocks[number][2] > self._pos:
                    self._start_block(number)
                while self._pos < goal and self.read(min(_STEP,
                                                         goal - self._pos)):
                    pass
            if self._pos < target and not self._eof:
                # At the end of the Stream's data: the next call goes on
                # past its end (what follows: the standard reader's rules).
                self.read(min(_STEP, target - self._pos))

    def _start_block(self, number):
        stream, offset, start, unpadded, _ = self._index.blocks[number]
        pending = b""
        if hasattr(self, "_read_total"):  # the threaded reader: any pieces
            self._fp.seek(offset)
            self._read_total = offset
            self._held = b""
            self._next_read = unpadded + 3 & ~3  # the Block first
        else:  # the standard reader's 8 KiB pieces of the file
            piece = offset - offset % _PIECE
            self._fp.seek(piece)
            pending = self._fp.read(_PIECE)[offset - piece:]
        threaded = self._decomp_args.get("threads") is not None

        def make(threads):
            args = dict(self._decomp_args, format=FORMAT_XZ)
            if not threads:
                args.pop("threads", None)
            return self._plain_factory(**args)
        self._decompressor = self._index.decompressor_from(
            number, make, pending, first_alone=threaded)
        self._stream_no = stream
        self._pos = start
        self._eof = False


class SeekingReader(IndexSeek, _compression.DecompressReader):
    """The standard reader of LZMAFile with seek() by the Index."""
