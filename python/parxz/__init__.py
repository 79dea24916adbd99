"""parxz: parallel .xz compression.

parxz.lzma    the standard lzma module's API, plus threads= and block_size=;
              parxz.lzma.install(threads=0) runs the standard lzma module
              itself on parxz (also: PARXZ_LZMA_THREADS=N at start)
parxz._lzma   CPython's _lzma interface on parxz (sys.modules["_lzma"] =
              parxz._lzma before `import lzma` runs the standard module on it)
parxz._parxz  the extension module both are built on
"""
