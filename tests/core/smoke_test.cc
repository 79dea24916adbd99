#include <gtest/gtest.h>

#include "core/compressor.h"
#include "core/decompressor.h"

TEST(Smoke, RoundTrip) {
  std::string data(100000, 'x');
  std::string c = parxz::compress(data);
  EXPECT_LT(c.size(), data.size());
  EXPECT_EQ(parxz::decompress(c), data);
}
