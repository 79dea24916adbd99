// The Block pipeline on its own, with a scripted reader (the Host):
// testing::Blocks come out in order for any thread count; each way a run stops
// is reported with the state the driver needs; a failed Block is the run's
// error after the output before it. Also the sinks it writes to.
#include "parallel/decode/block_pipeline.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <sys/mman.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "parallel/decode/decode_sink.h"
#include "tests/parallel_decode/decode_test_util.h"

namespace parxz {
namespace {

// Hands out the testing::Blocks of one Stream made by liblzma (sizes in
// headers).
class ScriptedHost : public BlockPipeline::Host {
 public:
  explicit ScriptedHost(std::string xz)
      : xz_(std::move(xz)), blocks_(testing::Blocks(xz_)) {}

  // Parses Block `next_` into `item`; the first one for pipeline.first().
  Next ReadNext(BlockItem& item, const RunPlan& plan) override {
    if (next_ == fail_at) throw std::runtime_error("header failed");
    if (next_ == blocks_.size()) return Next::kIndex;
    const testing::BlockPos& b = blocks_[next_++];
    item.head.offset = b.offset;
    item.head.stream = 1;
    item.head.number = next_;
    EXPECT_EQ(ParseBlockHeader(Bytes(b.offset), LZMA_CHECK_CRC64, UINT64_MAX,
                               &item.head),
              LZMA_OK);
    const uint32_t h = item.head.block.header_size;
    item.expect = {b.total_size - h, b.uncompressed_size};
    item.speculative = next_ - 1 == speculative_at;
    if (item.speculative) ++item.expect.out;  // the "Index" is wrong
    if (!plan.Fits(item.expect.out, item.head.memusage)) return Next::kOutgrown;
    return Next::kBlock;
  }
  void TakeInput(BlockItem& item) override {
    item.in = {Bytes(item.head.offset + item.head.block.header_size),
               static_cast<size_t>(item.expect.in)};
  }
  void BlockDone(const BlockHead& head, uint64_t end) override {
    done.push_back(head.number);
    ends.push_back(end);
  }

  const uint8_t* Bytes(uint64_t offset) const {
    return reinterpret_cast<const uint8_t*>(xz_.data()) + offset;
  }
  std::string& xz() { return xz_; }
  const std::vector<testing::BlockPos>& blocks() const { return blocks_; }

  size_t fail_at = SIZE_MAX;
  size_t speculative_at = SIZE_MAX;
  std::vector<uint64_t> done, ends;

 private:
  std::string xz_;
  std::vector<testing::BlockPos> blocks_;
  size_t next_ = 0;
};

constexpr uint64_t kBig = uint64_t{1} << 40;
const RunPlan kRoomy{2, 4, kBig, kBig};

// A pipeline over a scripted Stream, writing to a string.
struct Rig {
  explicit Rig(std::string xz) : host(std::move(xz)) {}
  // Admits the first Block under `admit`, then runs under `plan`.
  BlockPipeline::End Run(const RunPlan& plan, const RunPlan& admit = kRoomy) {
    EXPECT_EQ(host.ReadNext(pipeline.first(), admit),
              BlockPipeline::Host::Next::kBlock);
    return pipeline.Run(plan, host);
  }
  ScriptedHost host;
  std::string out;
  StringSink sink{&out};
  BlockDecoderPool pool;
  BlockPipeline pipeline{sink, pool};
};

TEST(BlockPipeline, BlocksComeOutInOrder) {
  const std::string data = testing::TestData(1 << 20, 51);
  for (unsigned threads : {2u, 3u}) {
    for (unsigned tokens : {threads, 2 * threads}) {
      Rig rig(testing::XzMt(data, 64 << 10, 0));
      const RunPlan plan{threads, tokens, kBig, kBig};
      EXPECT_EQ(rig.Run(plan), BlockPipeline::End::kIndex);
      EXPECT_TRUE(rig.out == data);
      const ScriptedHost& host = rig.host;
      ASSERT_EQ(host.done.size(), host.blocks().size());
      for (size_t i = 0; i < host.done.size(); ++i) {
        EXPECT_EQ(host.done[i], i + 1);
        EXPECT_EQ(host.ends[i],
                  host.blocks()[i].offset + host.blocks()[i].total_size);
      }
    }
  }
  // Verification only: nothing kept, everything counted.
  ScriptedHost host(testing::XzMt(data, 64 << 10, 0));
  NullSink sink;
  BlockDecoderPool pool;
  BlockPipeline pipeline(sink, pool);
  host.ReadNext(pipeline.first(), kRoomy);
  EXPECT_EQ(pipeline.Run(kRoomy, host), BlockPipeline::End::kIndex);
  EXPECT_EQ(sink.written(), data.size());
}

TEST(BlockPipeline, EveryWayARunStops) {
  const std::string a = testing::TestData(256 << 10, 52);
  const std::string xz = testing::XzMt(a, 64 << 10, 0);
  {  // A Block that outgrows the plan: first() holds its header.
    Rig rig(xz);
    const RunPlan small{2, 4, (64 << 10) - 1, kBig};
    EXPECT_EQ(rig.Run(small), BlockPipeline::End::kOutgrown);
    EXPECT_TRUE(rig.out == a.substr(0, 64 << 10)) << rig.out.size();
    EXPECT_EQ(rig.pipeline.first().head.offset, rig.host.blocks()[1].offset);
  }
  {  // The reader fails: the run ends after the testing::Blocks before it.
    Rig rig(xz);
    rig.host.fail_at = 2;
    EXPECT_EQ(rig.Run(kRoomy), BlockPipeline::End::kError);
    EXPECT_TRUE(rig.out == a.substr(0, 128 << 10)) << rig.out.size();
    EXPECT_THROW(std::rethrow_exception(rig.pipeline.error()),
                 std::runtime_error);
  }
  {  // A speculative Block that does not end as expected: redo from it.
    Rig rig(xz);
    rig.host.speculative_at = 2;
    EXPECT_EQ(rig.Run(kRoomy), BlockPipeline::End::kRedo);
    EXPECT_TRUE(rig.out == a.substr(0, 128 << 10)) << rig.out.size();
    EXPECT_EQ(rig.pipeline.redo_offset(), rig.host.blocks()[2].offset);
    EXPECT_EQ(rig.pipeline.redo_number(), 2u);
  }
  {  // A corrupt Block: its error, after the output before it.
    Rig rig(xz);
    const testing::BlockPos& b = rig.host.blocks()[1];
    rig.host.xz()[b.offset + b.total_size / 2] ^= 0x55;
    try {
      rig.Run(kRoomy);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
      EXPECT_NE(std::string(e.what()).find("Block 2 of Stream 1"),
                std::string::npos)
          << e.what();
    }
    // Block 1, then what Block 2 gave before its error (as the sequential
    // decoder streams it), never Block 3.
    EXPECT_EQ(rig.out.compare(0, 64 << 10, a, 0, 64 << 10), 0);
    EXPECT_LT(rig.out.size(), size_t{128} << 10);
  }
}

TEST(Sink, StringFdAndNull) {
  std::string s;
  StringSink str(&s);
  str.Reserve(uint64_t{1} << 50);  // implausible: ignored
  str.Write(reinterpret_cast<const uint8_t*>("hello world"), 11);
  str.Rollback(5);
  EXPECT_EQ(s, "hello");
  EXPECT_EQ(str.written(), 5u);

  NullSink null;
  EXPECT_FALSE(null.keeps_output());
  null.Write(nullptr, 1000);
  EXPECT_EQ(null.written(), 1000u);

  const int fd = memfd_create("sink", 0);
  ASSERT_GE(fd, 0);
  FdSink file(fd);
  file.Write(reinterpret_cast<const uint8_t*>("abc"), 3);
  EXPECT_EQ(file.written(), 3u);
  char back[4] = {};
  EXPECT_EQ(pread(fd, back, 3, 0), 3);
  EXPECT_STREQ(back, "abc");
  close(fd);
  FdSink closed(fd);
  try {
    closed.Write(reinterpret_cast<const uint8_t*>("x"), 1);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
}

}  // namespace
}  // namespace parxz
