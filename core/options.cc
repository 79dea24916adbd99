#include "core/options.h"

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace parxz {

namespace {

constexpr char kOp[] = "filter chain";

[[noreturn]] void BadSpec(size_t index, std::string_view field,
                          std::string_view why) {
  throw Error(ErrorCode::kBadOptions, kOp,
              "filter " + std::to_string(index) + ": '" + std::string(field) +
                  "' " + std::string(why));
}

bool IsLzma(FilterId id) {
  return id == FilterId::kLzma1 || id == FilterId::kLzma2;
}

bool IsBcj(FilterId id) {
  switch (id) {
    case FilterId::kX86:
    case FilterId::kPowerPc:
    case FilterId::kIa64:
    case FilterId::kArm:
    case FilterId::kArmThumb:
    case FilterId::kArm64:
    case FilterId::kSparc:
      return true;
    default:
      return false;
  }
}

void CheckRange(size_t index, std::string_view field,
                const std::optional<uint32_t>& value, uint32_t lo,
                uint32_t hi) {
  if (value && (*value < lo || *value > hi)) {
    BadSpec(index, field,
            "is " + std::to_string(*value) + ", must be in " +
                std::to_string(lo) + ".." + std::to_string(hi));
  }
}

// Fields that belong to another kind of filter must be absent.
void CheckOnly(size_t index, const FilterSpec& s) {
  const bool lzma = IsLzma(s.id), delta = s.id == FilterId::kDelta,
             bcj = IsBcj(s.id);
  auto reject = [&](bool set, bool allowed, std::string_view field) {
    if (set && !allowed) BadSpec(index, field, "does not apply to this filter");
  };
  reject(s.preset.has_value(), lzma, "preset");
  reject(s.dict_size.has_value(), lzma, "dict_size");
  reject(s.lc.has_value(), lzma, "lc");
  reject(s.lp.has_value(), lzma, "lp");
  reject(s.pb.has_value(), lzma, "pb");
  reject(s.mode.has_value(), lzma, "mode");
  reject(s.nice_len.has_value(), lzma, "nice_len");
  reject(s.mf.has_value(), lzma, "mf");
  reject(s.depth.has_value(), lzma, "depth");
  reject(s.dist.has_value(), delta, "dist");
  reject(s.start_offset.has_value(), bcj, "start_offset");
}

}  // namespace

void ValidatePreset(uint32_t preset) {
  if ((preset & ~kPresetExtreme) > 9) {
    throw Error(ErrorCode::kBadOptions, "preset",
                "Invalid compression preset: " + std::to_string(preset));
  }
}

bool IsCheckSupported(Check check) {
  const int id = static_cast<int>(check);
  if (id < 0 || id > LZMA_CHECK_ID_MAX) return false;
  return lzma_check_is_supported(static_cast<lzma_check>(id));
}

std::string CheckName(int check_id) {
  switch (check_id) {
    case LZMA_CHECK_NONE:
      return "None";
    case LZMA_CHECK_CRC32:
      return "CRC32";
    case LZMA_CHECK_CRC64:
      return "CRC64";
    case LZMA_CHECK_SHA256:
      return "SHA-256";
    default:
      return "Unknown-" + std::to_string(check_id);
  }
}

LzmaFilters LzmaFilters::FromChain(const FilterChain& chain, Use use) {
  const bool encode = use == Use::kEncode;
  if (chain.empty() || chain.size() > LZMA_FILTERS_MAX) {
    throw Error(ErrorCode::kBadOptions, kOp,
                "has " + std::to_string(chain.size()) +
                    " filters; liblzma supports 1 to " +
                    std::to_string(LZMA_FILTERS_MAX));
  }
  LzmaFilters out;
  for (size_t i = 0; i < chain.size(); ++i) {
    const FilterSpec& s = chain[i];
    CheckOnly(i, s);
    auto storage = std::make_unique<Storage>();
    lzma_filter f{static_cast<lzma_vli>(s.id), nullptr};
    if (IsLzma(s.id)) {
      const uint32_t preset = s.preset.value_or(kPresetDefault);
      if ((preset & ~kPresetExtreme) > 9 ||
          lzma_lzma_preset(&storage->lzma, preset)) {
        BadSpec(i, "preset",
                "is not a valid preset: " + std::to_string(preset));
      }
      if (encode) {
        // No upper bound here: encoders refuse more than 1.5 GiB themselves
        // (kUnsupported), as in Python.
        CheckRange(i, "dict_size", s.dict_size, LZMA_DICT_SIZE_MIN,
                   UINT32_MAX);
        CheckRange(i, "lc", s.lc, 0, LZMA_LCLP_MAX);
        CheckRange(i, "lp", s.lp, 0, LZMA_LCLP_MAX);
        CheckRange(i, "pb", s.pb, 0, LZMA_PB_MAX);
        CheckRange(i, "nice_len", s.nice_len, 2, 273);
      }
      lzma_options_lzma& o = storage->lzma;
      if (s.dict_size) o.dict_size = *s.dict_size;
      if (s.lc) o.lc = *s.lc;
      if (s.lp) o.lp = *s.lp;
      if (s.pb) o.pb = *s.pb;
      // liblzma 5.4 refuses lc + lp > 4 for LZMA1 too.
      if (encode && o.lc + o.lp > LZMA_LCLP_MAX) {
        BadSpec(i, "lc", "plus lp must be at most 4");
      }
      if (s.mode) {
        if (encode && *s.mode != Mode::kFast && *s.mode != Mode::kNormal) {
          BadSpec(i, "mode", "must be fast or normal");
        }
        o.mode = static_cast<lzma_mode>(*s.mode);
      }
      if (s.nice_len) o.nice_len = *s.nice_len;
      if (s.mf) {
        if (encode &&
            !lzma_mf_is_supported(static_cast<lzma_match_finder>(*s.mf))) {
          BadSpec(i, "mf", "is not a supported match finder");
        }
        o.mf = static_cast<lzma_match_finder>(*s.mf);
      }
      if (s.depth) o.depth = *s.depth;
      f.options = &storage->lzma;
    } else if (s.id == FilterId::kDelta) {
      if (encode) {
        CheckRange(i, "dist", s.dist, LZMA_DELTA_DIST_MIN,
                   LZMA_DELTA_DIST_MAX);
      }
      storage->delta.type = LZMA_DELTA_TYPE_BYTE;
      storage->delta.dist = s.dist.value_or(1);
      f.options = &storage->delta;
    } else if (IsBcj(s.id)) {
      storage->bcj.start_offset = s.start_offset.value_or(0);
      f.options = &storage->bcj;
    } else {
      BadSpec(i, "id",
              "is not a known filter ID: " +
                  std::to_string(static_cast<uint64_t>(s.id)));
    }
    if (!lzma_filter_encoder_is_supported(f.id) &&
        !lzma_filter_decoder_is_supported(f.id)) {
      BadSpec(i, "id", "names a filter this liblzma does not support");
    }
    out.filters_.push_back(f);
    out.storage_.push_back(std::move(storage));
  }
  if (!encode) {
    // The chain's shape (LZMA last and only last) is lzma_raw_decoder's to
    // judge, as in Python.
    out.filters_.push_back({LZMA_VLI_UNKNOWN, nullptr});
    return out;
  }
  if (!IsLzma(chain.back().id)) {
    BadSpec(chain.size() - 1, "id", "must be LZMA1 or LZMA2: the last filter");
  }
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (IsLzma(chain[i].id)) {
      BadSpec(i, "id", "LZMA1/LZMA2 may only be the last filter");
    }
  }
  out.filters_.push_back({LZMA_VLI_UNKNOWN, nullptr});
  return out;
}

LzmaFilters LzmaFilters::FromPreset(uint32_t preset) {
  ValidatePreset(preset);
  FilterSpec spec;
  spec.id = FilterId::kLzma2;
  spec.preset = preset;
  return FromChain({spec});
}

uint32_t LzmaFilters::dict_size() const {
  return storage_.back()->lzma.dict_size;
}

std::string EncodeFilterProperties(const FilterSpec& spec) {
  // A lone LZMA filter is a valid chain; a lone BCJ/Delta is not, so build the
  // filter's options through a chain that ends in LZMA2 and take the first.
  FilterChain chain = {spec};
  if (!IsLzma(spec.id)) chain.push_back(FilterSpec{});
  LzmaFilters filters = LzmaFilters::FromChain(chain);
  uint32_t size = 0;
  ThrowIfLzmaError(lzma_properties_size(&size, &filters.get()[0]),
                   "encode filter properties");
  std::string out(size, '\0');
  ThrowIfLzmaError(
      lzma_properties_encode(&filters.get()[0],
                             reinterpret_cast<uint8_t*>(out.data())),
      "encode filter properties");
  return out;
}

FilterSpec DecodeFilterProperties(FilterId id, std::string_view properties) {
  lzma_filter f{static_cast<lzma_vli>(id), nullptr};
  ThrowIfLzmaError(
      lzma_properties_decode(
          &f, nullptr, reinterpret_cast<const uint8_t*>(properties.data()),
          properties.size()),
      "decode filter properties");
  // liblzma allocated the options with malloc (default allocator).
  std::unique_ptr<void, void (*)(void*)> owned(f.options, std::free);
  FilterSpec spec;
  spec.id = id;
  if (id == FilterId::kLzma1) {
    const auto* o = static_cast<const lzma_options_lzma*>(f.options);
    spec.dict_size = o->dict_size;
    spec.lc = o->lc;
    spec.lp = o->lp;
    spec.pb = o->pb;
  } else if (id == FilterId::kLzma2) {
    // LZMA2 properties hold only the dictionary size; liblzma leaves the
    // other fields of the struct it allocates uninitialised.
    spec.dict_size =
        static_cast<const lzma_options_lzma*>(f.options)->dict_size;
  } else if (id == FilterId::kDelta) {
    spec.dist = static_cast<const lzma_options_delta*>(f.options)->dist;
  } else if (f.options != nullptr) {
    spec.start_offset =
        static_cast<const lzma_options_bcj*>(f.options)->start_offset;
  }
  return spec;
}

}  // namespace parxz
