"""The one list of compiler flags for parxz's own code."""

PARXZ_COPTS = [
    "-std=c++20",
    "-Wall",
    "-Wextra",
    "-Werror",
]
