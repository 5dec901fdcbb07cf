// JSON decode throughput: JsonColumnarDecoder (parse + shred into a ColumnarBatch + business time + Kafka
// columns) against simdjson's DOM parse alone (the floor) and JsonRecordDecoder (the JSON-lines path:
// parse + business time). Events: 20k realistic ad events (~420 bytes: 16 fields, a nested object, an array
// of strings, an array of objects), one schema version after the first record.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <random>
#include <string>
#include <vector>

#include "archive/json_columnar_decoder.h"
#include "archive/json_format.h"
#include "common/clock.h"

// Heap allocations, counted so the benchmark reports allocations per decoded record.
static std::atomic<uint64_t> g_allocations{0};
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace floe::archive {
namespace {

const std::vector<std::string>& Events() {
  static const std::vector<std::string> events = [] {
    std::mt19937_64 rng(42);
    std::vector<std::string> out;
    const char* countries[] = {"DE", "FR", "US", "BR", "JP"};
    for (int i = 0; i < 20000; ++i) {
      char buf[1024];
      std::snprintf(buf, sizeof buf,
                    R"({"event_id":"%016llx","occurred_at":"2024-05-01T12:%02d:%02d.%03dZ","user_id":%llu,)"
                    R"("campaign":"campaign-%d","ad_id":%d,"price":%.4f,"currency":"EUR","clicked":%s,)"
                    R"("device":{"os":"android","version":"14.%d","screen":{"w":1080,"h":2400}},)"
                    R"("geo":{"country":"%s","lat":%.5f,"lon":%.5f},"tags":["sports","news","t%d"],)"
                    R"("items":[{"sku":"sku-%d","qty":%d},{"sku":"sku-%d","qty":1}],"session_ms":%d,)"
                    R"("referrer":null,"score":%.3f})",
                    static_cast<unsigned long long>(rng()), i % 60, (i * 7) % 60, i % 1000,
                    static_cast<unsigned long long>(rng() % 10'000'000), i % 50, i % 5000,
                    (rng() % 100000) / 1000.0, i % 3 ? "false" : "true", i % 10, countries[i % 5],
                    (rng() % 180000) / 1000.0 - 90, (rng() % 360000) / 1000.0 - 180, i % 20, i % 997, i % 5 + 1,
                    i % 991, static_cast<int>(rng() % 600000), (rng() % 1000) / 1000.0);
      out.emplace_back(buf);
    }
    return out;
  }();
  return events;
}

size_t TotalBytes() {
  size_t n = 0;
  for (const auto& e : Events()) n += e.size();
  return n;
}

BusinessTimeExtractor& Times() {
  static ManualClock clock(1'714'564'800'000'000);
  static BusinessTimeExtractor times(BusinessTimeOptions{{"occurred_at"}, EpochUnit::kAuto, 0, 0}, clock);
  return times;
}

void BM_JsonColumnarDecode(benchmark::State& state) {
  json::MemorySchemaHistory history;
  JsonColumnarOptions options;
  options.table_dir = [](std::string_view topic) { return "default/" + std::string(topic); };
  JsonColumnarDecoder decoder(Times(), history, std::move(options));
  RecordContext ctx;
  ctx.topic = "ads";
  ctx.kafka_timestamp_ms = 1'714'564'800'000;
  for (const auto& e : Events()) benchmark::DoNotOptimize(decoder.Decode(ctx, e).ok());  // warm: final version
  const uint64_t allocations_before = g_allocations.load();
  for (auto _ : state) {
    for (const auto& e : Events()) {
      ++ctx.offset;
      auto r = decoder.Decode(ctx, e);
      if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
      benchmark::DoNotOptimize(r->columns);
    }
  }
  state.counters["allocs_per_record"] =
      static_cast<double>(g_allocations.load() - allocations_before) / (state.iterations() * Events().size());
  state.SetItemsProcessed(state.iterations() * Events().size());
  state.SetBytesProcessed(state.iterations() * TotalBytes());
}

void BM_JsonLinesDecode(benchmark::State& state) {
  JsonRecordDecoder decoder(Times());
  RecordContext ctx;
  ctx.topic = "ads";
  for (auto _ : state) {
    for (const auto& e : Events()) {
      auto r = decoder.Decode(ctx, e);
      benchmark::DoNotOptimize(r.ok());
    }
  }
  state.SetItemsProcessed(state.iterations() * Events().size());
  state.SetBytesProcessed(state.iterations() * TotalBytes());
}

void BM_SimdjsonDomParseOnly(benchmark::State& state) {
  simdjson::dom::parser parser;
  std::vector<simdjson::padded_string> padded;
  for (const auto& e : Events()) padded.emplace_back(e);
  for (auto _ : state) {
    for (const auto& p : padded) {
      simdjson::dom::element doc;
      benchmark::DoNotOptimize(parser.parse(p).get(doc));
    }
  }
  state.SetItemsProcessed(state.iterations() * Events().size());
  state.SetBytesProcessed(state.iterations() * TotalBytes());
}

BENCHMARK(BM_JsonColumnarDecode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonLinesDecode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimdjsonDomParseOnly)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace floe::archive

BENCHMARK_MAIN();
