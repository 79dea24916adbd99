#include "core/compressor.h"

#include <algorithm>
#include <utility>

#include "core/lzma_stream.h"

namespace parxz {

namespace {

constexpr char kInit[] = "compressor init";

[[noreturn]] void Bad(const char* why) {
  throw Error(ErrorCode::kBadOptions, kInit, why);
}

// Sets up `strm` for `o`, which ValidateCompressOptions() accepted.
void InitEncoder(lzma_stream* strm, const CompressOptions& o) {
  const uint32_t preset =
      o.preset.value_or(kPresetDefault) | (o.extreme ? kPresetExtreme : 0);
  lzma_ret ret = LZMA_OK;
  switch (o.format) {
    case Format::kXz: {
      const auto check = static_cast<lzma_check>(
          static_cast<int>(o.check.value_or(Check::kCrc64)));
      if (o.filters) {
        LzmaFilters f = LzmaFilters::FromChain(*o.filters);
        ret = lzma_stream_encoder(strm, f.get(), check);
      } else {
        ret = lzma_easy_encoder(strm, preset, check);
      }
      break;
    }
    case Format::kAlone: {
      if (o.filters) {
        LzmaFilters f = LzmaFilters::FromChain(*o.filters);
        ret = lzma_alone_encoder(
            strm, static_cast<const lzma_options_lzma*>(f.get()[0].options));
      } else {
        lzma_options_lzma lz;
        if (lzma_lzma_preset(&lz, preset)) Bad("Invalid compression preset");
        ret = lzma_alone_encoder(strm, &lz);
      }
      break;
    }
    case Format::kRaw: {
      LzmaFilters f = LzmaFilters::FromChain(*o.filters);
      ret = lzma_raw_encoder(strm, f.get());
      break;
    }
    case Format::kAuto:
      break;
  }
  ThrowIfLzmaError(ret, kInit);
}

}  // namespace

void ValidateCompressCombination(const CompressOptions& o) {
  if (o.format != Format::kXz && o.check && *o.check != Check::kNone) {
    Bad("Integrity checks are only supported by FORMAT_XZ");
  }
  if ((o.preset || o.extreme) && o.filters) {
    Bad("Cannot specify both preset and filter chain");
  }
}

void ValidateCompressOptions(const CompressOptions& o) {
  ValidateCompressCombination(o);
  if (o.format == Format::kAuto || static_cast<int>(o.format) < 0 ||
      static_cast<int>(o.format) > 3) {
    Bad("Invalid container format");
  }
  if (o.check && (static_cast<int>(*o.check) < 0 ||
                  static_cast<int>(*o.check) > LZMA_CHECK_ID_MAX)) {
    Bad("Invalid integrity check");
  }
  ValidatePreset(o.preset.value_or(kPresetDefault) |
                 (o.extreme ? kPresetExtreme : 0));
  if (o.filters) {
    // CPython checks the shape of a FORMAT_ALONE chain before its fields,
    // and a FORMAT_XZ chain's fields before its last filter.
    if (o.format == Format::kAlone &&
        (o.filters->size() != 1 || (*o.filters)[0].id != FilterId::kLzma1)) {
      Bad("Invalid filter chain for FORMAT_ALONE - must be a single LZMA1 "
          "filter");
    }
    LzmaFilters::FromChain(*o.filters);  // validates every field
    // liblzma would answer LZMA_PROG_ERROR here; it is a bad option.
    if (o.format == Format::kXz && o.filters->back().id == FilterId::kLzma1) {
      Bad("Invalid filter chain for FORMAT_XZ - LZMA1 is not allowed");
    }
  } else if (o.format == Format::kRaw) {
    Bad("Must specify filters for FORMAT_RAW");
  }
  if (o.format == Format::kXz && o.check && !IsCheckSupported(*o.check)) {
    throw Error(ErrorCode::kUnsupported, kInit, "Unsupported integrity check");
  }
}

struct Compressor::State {
  LzmaStream strm;
  Format format = Format::kXz;
  bool flushed = false;
  // flush_into() has started finishing the stream: no more input.
  bool finishing = false;
  std::optional<Error> error;  // the first failure; rethrown by every call

  void CheckUsable() const {
    if (error) throw *error;
    if (flushed || finishing) {
      throw Error(ErrorCode::kMisuse, "compress",
                  "Compressor has been flushed");
    }
  }

  // Runs lzma_code(action) on `data` into a growing string, as CPython does.
  std::string Run(std::string_view data, lzma_action action) {
    std::string out;
    lzma_stream* s = strm.get();
    s->next_in = reinterpret_cast<const uint8_t*>(data.data());
    s->avail_in = data.size();
    size_t used = 0;
    out.resize(std::max<size_t>(data.size() / 4, 8192));
    s->next_out = reinterpret_cast<uint8_t*>(out.data());
    s->avail_out = out.size();
    try {
      for (;;) {
        lzma_ret ret = lzma_code(s, action);
        used = out.size() - s->avail_out;
        if (ret == LZMA_BUF_ERROR && data.empty() && s->avail_out > 0)
          ret = LZMA_OK;
        ThrowIfLzmaError(ret, action == LZMA_FINISH ? "flush" : "compress");
        if ((action == LZMA_RUN && s->avail_in == 0) ||
            (action == LZMA_FINISH && ret == LZMA_STREAM_END)) {
          break;
        }
        if (s->avail_out == 0) {
          out.resize(out.size() * 2);
          s->next_out = reinterpret_cast<uint8_t*>(out.data()) + used;
          s->avail_out = out.size() - used;
        }
      }
    } catch (const Error& e) {
      error = e;
      throw;
    }
    out.resize(used);
    return out;
  }

  Progress RunInto(std::string_view data, std::span<uint8_t> out,
                   lzma_action action) {
    lzma_stream* s = strm.get();
    s->next_in = reinterpret_cast<const uint8_t*>(data.data());
    s->avail_in = data.size();
    s->next_out = out.data();
    s->avail_out = out.size();
    Progress p;
    lzma_ret ret = LZMA_OK;
    // LZMA_FINISH and the flushes run until liblzma says LZMA_STREAM_END.
    const bool flushing = action != LZMA_RUN;
    while (s->avail_out > 0 && (flushing || s->avail_in > 0)) {
      ret = lzma_code(s, action);
      if (ret == LZMA_BUF_ERROR) ret = LZMA_OK;  // no progress possible now
      if (!IsLzmaSuccess(ret)) {
        error = LzmaError(ret, action == LZMA_RUN ? "compress" : "flush");
        throw *error;
      }
      if (ret == LZMA_STREAM_END) break;
      if (s->avail_out > 0 && s->avail_in == 0 && action == LZMA_RUN) break;
    }
    p.consumed = data.size() - s->avail_in;
    p.produced = out.size() - s->avail_out;
    p.finished = ret == LZMA_STREAM_END;
    return p;
  }
};

Compressor::Compressor(const CompressOptions& options)
    : state_(std::make_unique<State>()) {
  ValidateCompressOptions(options);
  InitEncoder(state_->strm.get(), options);
  state_->format = options.format;
}

Compressor::Progress Compressor::end_block_into(std::span<uint8_t> out) {
  state_->CheckUsable();
  if (state_->format == Format::kAlone) {
    throw Error(ErrorCode::kUnsupported, "end_block",
                "the .lzma format has no Blocks to end");
  }
  return state_->RunInto(
      {}, out,
      state_->format == Format::kXz ? LZMA_FULL_FLUSH : LZMA_SYNC_FLUSH);
}

Compressor::~Compressor() = default;
Compressor::Compressor(Compressor&&) noexcept = default;
Compressor& Compressor::operator=(Compressor&&) noexcept = default;

std::string Compressor::compress(std::string_view data) {
  state_->CheckUsable();
  return state_->Run(data, LZMA_RUN);
}

std::string Compressor::flush() {
  if (state_->error) throw *state_->error;
  if (state_->flushed) {
    throw Error(ErrorCode::kMisuse, "flush", "Repeated call to flush()");
  }
  std::string out = state_->Run({}, LZMA_FINISH);
  state_->flushed = true;
  return out;
}

Compressor::Progress Compressor::compress_into(std::string_view data,
                                               std::span<uint8_t> out) {
  state_->CheckUsable();
  return state_->RunInto(data, out, LZMA_RUN);
}

Compressor::Progress Compressor::flush_into(std::span<uint8_t> out) {
  if (state_->error) throw *state_->error;
  if (state_->flushed) {
    throw Error(ErrorCode::kMisuse, "flush", "Repeated call to flush()");
  }
  state_->finishing = true;
  Progress p = state_->RunInto({}, out, LZMA_FINISH);
  if (p.finished) state_->flushed = true;
  return p;
}

bool Compressor::flushed() const { return state_->flushed; }

uint64_t CompressMemoryUsage(const CompressOptions& options) {
  ValidateCompressOptions(options);
  const uint32_t preset = options.preset.value_or(kPresetDefault) |
                          (options.extreme ? kPresetExtreme : 0);
  const LzmaFilters f = options.filters
                            ? LzmaFilters::FromChain(*options.filters)
                            : LzmaFilters::FromPreset(preset);
  const uint64_t m = lzma_raw_encoder_memusage(f.get());
  if (m == UINT64_MAX) {
    throw Error(ErrorCode::kBadOptions, "compress_memusage",
                "Invalid or unsupported options");
  }
  return m;
}

size_t CompressBound(size_t size) { return lzma_stream_buffer_bound(size); }

size_t CompressBound(size_t size, const CompressOptions& options) {
  ValidateCompressOptions(options);
  const bool lzma1 =
      options.format == Format::kAlone ||
      (options.filters && options.filters->back().id == FilterId::kLzma1);
  if (lzma1) {
    return size > (SIZE_MAX - 4096) / 9 * 8 ? SIZE_MAX : size + size / 8 + 4096;
  }
  const size_t bound = lzma_stream_buffer_bound(size);
  return bound == 0 ? SIZE_MAX : bound;
}

std::string Compress(std::string_view data, const CompressOptions& options) {
  Compressor c(options);
  std::string out = c.compress(data);
  out += c.flush();
  return out;
}

size_t CompressInto(std::string_view data, std::span<uint8_t> out,
                    const CompressOptions& options) {
  Compressor c(options);
  Compressor::Progress p = c.compress_into(data, out);
  size_t produced = p.produced;
  if (p.consumed == data.size()) {
    Compressor::Progress f = c.flush_into(out.subspan(produced));
    produced += f.produced;
    if (f.finished) return produced;
  }
  throw Error(
      ErrorCode::kTruncated, "compress",
      "output buffer of " + std::to_string(out.size()) + " bytes is too small");
}

}  // namespace parxz
