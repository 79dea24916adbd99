// Options shared by every parxz compressor and decompressor: container
// formats, integrity checks, presets and filter chains.
//
// Filter chains are written as plain structs, one per filter, in the order the
// data passes through them when compressing (the last one is LZMA1 or LZMA2):
//
//   parxz::FilterChain chain = {
//       {.id = parxz::FilterId::kDelta, .dist = 4},
//       {.id = parxz::FilterId::kLzma2, .preset = 6, .dict_size = 1 << 20},
//   };
//   parxz::Compressor c({.format = parxz::Format::kRaw, .filters = chain});
//
// Every enum maps one-to-one onto the liblzma constant of the same name (and
// onto the numbers of Python's lzma module).
#ifndef PARXZ_CORE_OPTIONS_H_
#define PARXZ_CORE_OPTIONS_H_

#include <lzma.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parxz {

// Container formats (Python's FORMAT_AUTO/XZ/ALONE/RAW).
enum class Format : int {
  kAuto = 0,   // decoding only: .xz, .lzma or .lz, detected from the magic
  kXz = 1,     // the .xz container
  kAlone = 2,  // the legacy .lzma container (LZMA1 only, no check)
  kRaw = 3,    // a bare filter chain, no container; needs `filters`
};

// Integrity checks. A decoder may also report an unnamed ID 2..15 that this
// liblzma cannot verify; kUnknown means "not known yet".
enum class Check : int {
  kNone = LZMA_CHECK_NONE,
  kCrc32 = LZMA_CHECK_CRC32,
  kCrc64 = LZMA_CHECK_CRC64,
  kSha256 = LZMA_CHECK_SHA256,
  kUnknown = LZMA_CHECK_ID_MAX + 1,
};

// True if this liblzma can compute and verify `check`.
bool IsCheckSupported(Check check);

// Name as xz spells it: "None", "CRC32", "CRC64", "SHA-256", "Unknown-N".
std::string CheckName(int check_id);

enum class FilterId : uint64_t {
  kLzma1 = LZMA_FILTER_LZMA1,
  kLzma2 = LZMA_FILTER_LZMA2,
  kDelta = LZMA_FILTER_DELTA,
  kX86 = LZMA_FILTER_X86,
  kPowerPc = LZMA_FILTER_POWERPC,
  kIa64 = LZMA_FILTER_IA64,
  kArm = LZMA_FILTER_ARM,
  kArmThumb = LZMA_FILTER_ARMTHUMB,
  kArm64 = LZMA_FILTER_ARM64,
  kSparc = LZMA_FILTER_SPARC,
};

enum class Mode : uint32_t {
  kFast = LZMA_MODE_FAST,
  kNormal = LZMA_MODE_NORMAL
};

enum class MatchFinder : uint32_t {
  kHc3 = LZMA_MF_HC3,
  kHc4 = LZMA_MF_HC4,
  kBt2 = LZMA_MF_BT2,
  kBt3 = LZMA_MF_BT3,
  kBt4 = LZMA_MF_BT4,
};

// Presets are 0..9; OR kPresetExtreme in (or set `extreme`) for the slower,
// slightly smaller variant, as `xz -6e`.
inline constexpr uint32_t kPresetExtreme = LZMA_PRESET_EXTREME;
inline constexpr uint32_t kPresetDefault = LZMA_PRESET_DEFAULT;

// One filter of a chain. Only the fields that belong to `id` may be set:
//   LZMA1/LZMA2: preset (the base, default 6), then dict_size, lc, lp, pb,
//                mode, nice_len, mf, depth override it;
//   DELTA:       dist (1..256, default 1);
//   BCJ filters: start_offset (default 0).
// A field set on the wrong filter, or out of range, is a kBadOptions error
// that names the field.
struct FilterSpec {
  FilterId id = FilterId::kLzma2;
  std::optional<uint32_t> preset;
  std::optional<uint32_t> dict_size;
  std::optional<uint32_t> lc;
  std::optional<uint32_t> lp;
  std::optional<uint32_t> pb;
  std::optional<Mode> mode;
  std::optional<uint32_t> nice_len;
  std::optional<MatchFinder> mf;
  std::optional<uint32_t> depth;
  std::optional<uint32_t> dist;
  std::optional<uint32_t> start_offset;

  bool operator==(const FilterSpec&) const = default;
};

using FilterChain = std::vector<FilterSpec>;

// A validated filter chain in liblzma's own form. Owns the option structs that
// the lzma_filter array points into; not copyable, cheap to move.
class LzmaFilters {
 public:
  // What the chain is for. Decoders use few of the fields (LZMA2 none of
  // lc/lp/pb, neither LZMA filter mode, nice_len, mf or depth) and take
  // dictionaries below 4 KiB, so kDecode checks only what Python's lzma
  // checks before liblzma sees the chain (fields that belong to another
  // filter, 1..4 filters, the preset number) and leaves the rest to
  // lzma_raw_decoder(), whose verdict is Python's.
  enum class Use { kEncode, kDecode };

  // Validates `chain` (1..4 filters) and converts it. Throws Error
  // (kBadOptions) naming the filter index and field on a bad spec.
  static LzmaFilters FromChain(const FilterChain& chain, Use use = Use::kEncode);
  // The chain `xz -<preset>` uses: one LZMA2 filter. `preset` may carry
  // kPresetExtreme.
  static LzmaFilters FromPreset(uint32_t preset);

  LzmaFilters(LzmaFilters&&) noexcept = default;
  LzmaFilters& operator=(LzmaFilters&&) noexcept = default;

  // The LZMA_VLI_UNKNOWN-terminated array liblzma takes.
  const lzma_filter* get() const { return filters_.data(); }
  lzma_filter* get() { return filters_.data(); }
  size_t size() const { return filters_.size() - 1; }
  // Dictionary size of the last (LZMA) filter.
  uint32_t dict_size() const;

 private:
  LzmaFilters() = default;
  // The option structs one filter may point at; heap-held so that moving the
  // LzmaFilters keeps the pointers in filters_ valid.
  struct Storage {
    lzma_options_lzma lzma{};
    lzma_options_delta delta{};
    lzma_options_bcj bcj{};
  };
  std::vector<lzma_filter> filters_;
  std::vector<std::unique_ptr<Storage>> storage_;
};

// liblzma's spelling of a memory limit, the one place it is written: "no
// limit" (nullopt) is UINT64_MAX, and 0 counts as 1 (lzma_memlimit_set()
// refuses 0). Every decoder's memlimit / memlimit_hard / base.memlimit goes
// through it.
inline uint64_t LzmaMemLimit(std::optional<uint64_t> limit) {
  return limit ? (*limit == 0 ? 1 : *limit) : UINT64_MAX;
}

// Validates a preset number (0..9, optionally | kPresetExtreme); throws
// kBadOptions otherwise.
void ValidatePreset(uint32_t preset);

// The Filter Properties of `spec` as stored in .xz Block Headers (Python's
// _encode_filter_properties). Throws kBadOptions on a bad spec.
std::string EncodeFilterProperties(const FilterSpec& spec);

// The inverse (Python's _decode_filter_properties): the spec holding what the
// properties record (lc, lp, pb, dict_size for LZMA; dist; start_offset).
FilterSpec DecodeFilterProperties(FilterId id, std::string_view properties);

}  // namespace parxz

#endif  // PARXZ_CORE_OPTIONS_H_
