"""The one list of compiler flags for parxz's own code."""

PARXZ_COPTS = [
    "-std=c++20",
    "-Wall",
    "-Wextra",
    "-Werror",
    # Designated initializers that leave fields at their defaults are the
    # documented way to write options ({.preset = 6}); gcc would warn on them.
    "-Wno-missing-field-initializers",
]
