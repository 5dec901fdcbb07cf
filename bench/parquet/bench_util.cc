#include "bench_util.h"

#include <cstdio>

namespace floe::parquet::bench {

using columnar::LogicalKind;
using columnar::Node;
using columnar::PhysicalType;

namespace {
inline uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}
const char* kCountries[] = {"US", "DE", "FR", "GB", "IN", "BR", "JP", "CN", "CA", "AU", "ES", "IT", "NL", "SE", "PL",
                            "MX", "KR", "RU", "TR", "AR", "ZA", "NG", "EG", "CH", "AT", "BE", "DK", "FI", "NO", "IE"};
const char* kDevices[] = {"desktop", "mobile", "tablet", "tv", "bot"};
const char* kReferrers[] = {"https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/", "https://www.bing.com/",
                            "https://duckduckgo.com/", "https://www.reddit.com/r/programming/"};
}  // namespace

columnar::Schema EventSchema() {
  auto ts = Node::Primitive("ts", PhysicalType::kInt64, false, LogicalKind::kTimestampMicros);
  auto price = Node::Primitive("price", PhysicalType::kInt64, true, LogicalKind::kDecimal);
  price->precision = 18;
  price->scale = 2;
  return columnar::Schema(Node::Record(
      "event",
      {Node::Primitive("event_id", PhysicalType::kInt64, false), ts,
       Node::Primitive("user_id", PhysicalType::kInt64, false),
       Node::Primitive("session", PhysicalType::kByteArray, false, LogicalKind::kString),
       Node::Primitive("country", PhysicalType::kByteArray, false, LogicalKind::kString),
       Node::Primitive("device", PhysicalType::kByteArray, false, LogicalKind::kString),
       Node::Primitive("url", PhysicalType::kByteArray, false, LogicalKind::kString),
       Node::Primitive("status", PhysicalType::kInt32, false),
       Node::Primitive("latency_ms", PhysicalType::kDouble, false), price,
       Node::Primitive("is_bot", PhysicalType::kBoolean, false),
       Node::Primitive("bytes", PhysicalType::kInt64, false),
       Node::Primitive("referrer", PhysicalType::kByteArray, true, LogicalKind::kString),
       Node::Primitive("score", PhysicalType::kFloat, false),
       Node::Primitive("day", PhysicalType::kInt32, false, LogicalKind::kDate)},
      false));
}

void AppendEvents(uint64_t first, size_t n, columnar::ColumnarBatch* b) {
  char buf[96];
  for (uint64_t i = first; i < first + n; ++i) {
    const uint64_t r = Mix(i), r2 = Mix(i ^ 0x9e3779b97f4a7c15ULL);
    const int64_t ts = 1714521600000000LL + static_cast<int64_t>(i) * 1700 + static_cast<int64_t>(r % 1000);
    b->column(0).AppendInt64(static_cast<int64_t>(i), 0, 0);
    b->column(1).AppendInt64(ts, 0, 0);
    b->column(2).AppendInt64(static_cast<int64_t>(r % 1000000), 0, 0);
    int len = std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(Mix(i / 20) % 400000));
    b->column(3).AppendBytes(buf, static_cast<size_t>(len), 0, 0);
    b->column(4).AppendBytes(std::string_view(kCountries[(r >> 8) % 30]), 0, 0);
    b->column(5).AppendBytes(std::string_view(kDevices[(r >> 16) % 5]), 0, 0);
    len = std::snprintf(buf, sizeof buf, "/products/%llu/reviews?page=%llu", static_cast<unsigned long long>((r >> 20) % 2000),
                        static_cast<unsigned long long>((r >> 40) % 5));
    b->column(6).AppendBytes(buf, static_cast<size_t>(len), 0, 0);
    const uint64_t s = (r >> 24) % 100;
    b->column(7).AppendInt32(s < 90 ? 200 : s < 95 ? 404 : s < 98 ? 302 : 500, 0, 0);
    b->column(8).AppendDouble(static_cast<double>(r2 % 100000) / 100.0, 0, 0);
    if ((r2 >> 20) % 10 == 0) b->column(9).AppendNull(0, 0);
    else b->column(9).AppendInt64(static_cast<int64_t>((r2 >> 24) % 1000000), 1, 0);
    b->column(10).AppendBool((r2 >> 30) % 20 == 0, 0, 0);
    b->column(11).AppendInt64(static_cast<int64_t>((r2 >> 34) % 65536), 0, 0);
    if ((r2 >> 40) % 10 < 3) b->column(12).AppendNull(0, 0);
    else b->column(12).AppendBytes(std::string_view(kReferrers[(r2 >> 44) % 6]), 1, 0);
    b->column(13).AppendFloat(static_cast<float>((r2 >> 48) % 1000) / 8.0f, 0, 0);
    b->column(14).AppendInt32(static_cast<int32_t>(ts / 86400000000LL), 0, 0);
    b->EndRecord();
  }
}

}  // namespace floe::parquet::bench
