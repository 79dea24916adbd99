// Filter specifier dicts ({"id": FILTER_LZMA2, "preset": 6, ...}) to and
// from core/'s FilterSpec, with CPython 3.11 _lzma's checks and messages
// (TypeError, ValueError "Invalid filter ID: N", LZMAError "Invalid
// compression preset: N", ...). Option values are range-checked later, by
// core/, when the chain is used. All functions return false / nullptr with a
// Python error set.
#ifndef PARXZ_PYTHON_FILTER_SPEC_H_
#define PARXZ_PYTHON_FILTER_SPEC_H_

#include "core/options.h"
#include "python/module.h"

namespace parxz::python {

// One specifier dict.
bool ParseFilterSpec(const ModuleState& state, PyObject* spec, FilterSpec* out);
// A sequence of specifier dicts (at most 4, as liblzma).
bool ParseFilterChain(const ModuleState& state, PyObject* specs,
                      FilterChain* out);

// The specifier dict _decode_filter_properties returns for filter `id`: the
// fields its properties record (lc, lp, pb, dict_size for LZMA1; dict_size
// for LZMA2; dist; start_offset when not 0). ValueError for unknown IDs.
PyObject* FilterSpecToDict(unsigned long long id, const FilterSpec& spec);

}  // namespace parxz::python

#endif  // PARXZ_PYTHON_FILTER_SPEC_H_
