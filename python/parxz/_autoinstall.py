"""PARXZ_LZMA_THREADS: parxz.lzma.install() at interpreter start.

pip (and python/install_python.sh) put parxz-lzma-threads.pth next to the
package; site runs its one line at every start, which imports this module
only when the variable is set, so other programs pay nothing:

    PARXZ_LZMA_THREADS=0 python3 my_pandas_script.py    # all cores
    PARXZ_LZMA_THREADS=4 python3 -m tarfile -e big.tar.xz out/

The value is install()'s threads (0 = all cores); an empty value does
nothing. PARXZ_LZMA_BLOCK_SIZE, if set, is install()'s block_size in bytes.
A value that is not a number is reported on stderr and ignored: a typo
must not stop every Python program on the machine.
"""
import os
import sys


def _install_from_environment():
    threads = os.environ.get("PARXZ_LZMA_THREADS", "").strip()
    block_size = os.environ.get("PARXZ_LZMA_BLOCK_SIZE", "").strip()
    if not threads:
        return
    try:
        import parxz.lzma
        parxz.lzma.install(threads=int(threads),
                           block_size=int(block_size) if block_size else None)
    except (ValueError, TypeError, ImportError) as e:
        print(f"parxz: PARXZ_LZMA_THREADS={threads!r} ignored: {e}",
              file=sys.stderr)


_install_from_environment()
