"""CPython's _lzma interface on parxz: a drop-in for the stock `_lzma`.

    import sys, parxz._lzma
    sys.modules["_lzma"] = parxz._lzma
    import lzma                        # the standard module, running on parxz

The names are those of CPython 3.11's _lzma, no more; they live in parxz's
extension module parxz._parxz, next to the threaded engines of parxz.lzma.
"""

from parxz._parxz import (  # noqa: F401  (the _lzma interface)
    CHECK_CRC32, CHECK_CRC64, CHECK_ID_MAX, CHECK_NONE, CHECK_SHA256,
    CHECK_UNKNOWN, FILTER_ARM, FILTER_ARMTHUMB, FILTER_DELTA, FILTER_IA64,
    FILTER_LZMA1, FILTER_LZMA2, FILTER_POWERPC, FILTER_SPARC, FILTER_X86,
    FORMAT_ALONE, FORMAT_AUTO, FORMAT_RAW, FORMAT_XZ, MF_BT2, MF_BT3, MF_BT4,
    MF_HC3, MF_HC4, MODE_FAST, MODE_NORMAL, PRESET_DEFAULT, PRESET_EXTREME,
    LZMACompressor, LZMADecompressor, LZMAError, _decode_filter_properties,
    _encode_filter_properties, is_check_supported)
