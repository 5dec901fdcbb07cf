// Decoding throughput: floe's compiled RecordDecoder (into a ColumnarBatch) against avro-c's generic value
// reader (avro_value_read), both over the same pre-encoded datums of a realistic 15-field event schema.
// Items/s are events; bytes/s are encoded Avro bytes; single thread.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "avro/binary.h"
#include "avro/decoder.h"
#include "avro/schema.h"
#include "avro_c_peer.h"

namespace {

constexpr const char* kSchema = R"({"type":"record","name":"AdEvent","namespace":"bench","fields":[
  {"name":"event_id","type":{"type":"string","logicalType":"uuid"}},
  {"name":"user_id","type":"long"},
  {"name":"session_id","type":"string"},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"received_at","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"price","type":"double"},
  {"name":"bid","type":"double"},
  {"name":"country","type":"string"},
  {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["IMPRESSION","CLICK","CONVERSION","VIEW"]}},
  {"name":"referrer","type":["null","string"],"default":null},
  {"name":"device","type":{"type":"record","name":"Device","fields":[
     {"name":"os","type":"string"},{"name":"version","type":"string"},{"name":"screen_w","type":"int"}]}},
  {"name":"tags","type":{"type":"array","items":"string"}},
  {"name":"score","type":"float"},
  {"name":"is_test","type":"boolean"},
  {"name":"seq","type":"int"}]})";

struct Corpus {
  std::string bytes;
  std::vector<uint32_t> offsets;  // datum i spans [offsets[i], offsets[i+1])
  size_t count() const { return offsets.size() - 1; }
};

const Corpus& Events() {
  static const Corpus corpus = [] {
    Corpus c;
    // FLOE_AVRO_BENCH_EVENTS: a smaller corpus, decoded once, for instruction counting (run.sh --callgrind).
    const char* env = std::getenv("FLOE_AVRO_BENCH_EVENTS");
    const size_t events = env ? std::strtoull(env, nullptr, 10) : 1'000'000;
    std::mt19937_64 rng(42);
    const char* countries[] = {"US", "DE", "FR", "GB", "JP", "BR", "IN"};
    const char* oses[] = {"android", "ios", "windows", "macos"};
    const char* tags[] = {"sports", "news", "video", "promo", "retarget"};
    c.bytes.reserve(events * 140);
    c.offsets.push_back(0);
    char uuid[37];
    for (size_t i = 0; i < events; ++i) {
      using floe::avro::WriteBytes;
      using floe::avro::WriteLong;
      snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(rng()),
               static_cast<unsigned>(rng() & 0xffff), static_cast<unsigned>(rng() & 0xfff),
               static_cast<unsigned>(rng() & 0xfff), static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
      std::string& b = c.bytes;
      WriteBytes(b, uuid);
      WriteLong(b, static_cast<int64_t>(rng() % 50'000'000));
      WriteBytes(b, "sess-" + std::to_string(rng() % 1'000'000));
      const int64_t ts = 1714564800000 + static_cast<int64_t>(i * 3);
      WriteLong(b, ts);
      WriteLong(b, ts * 1000 + static_cast<int64_t>(rng() % 5000));
      floe::avro::WriteDouble(b, static_cast<double>(rng() % 100000) / 100.0);
      floe::avro::WriteDouble(b, static_cast<double>(rng() % 1000) / 1000.0);
      WriteBytes(b, countries[rng() % 7]);
      WriteLong(b, static_cast<int64_t>(rng() % 4));
      if (rng() % 3 == 0) {
        WriteLong(b, 0);
      } else {
        WriteLong(b, 1);
        WriteBytes(b, "https://example.com/page/" + std::to_string(rng() % 10000));
      }
      WriteBytes(b, oses[rng() % 4]);
      WriteBytes(b, std::to_string(rng() % 20) + "." + std::to_string(rng() % 10));
      WriteLong(b, 320 + static_cast<int64_t>(rng() % 3000));
      const int ntags = static_cast<int>(rng() % 4);
      if (ntags) {
        WriteLong(b, ntags);
        for (int t = 0; t < ntags; ++t) WriteBytes(b, tags[rng() % 5]);
      }
      WriteLong(b, 0);
      floe::avro::WriteFloat(b, static_cast<float>(rng() % 1000) / 10.0f);
      b.push_back(rng() % 50 == 0 ? 1 : 0);
      WriteLong(b, static_cast<int64_t>(i % 100000));
      c.offsets.push_back(static_cast<uint32_t>(b.size()));
    }
    return c;
  }();
  return corpus;
}

constexpr size_t kFlushEvery = 65536;  // the batch is drained like a writer would, so buffers stay bounded

void BM_FloeDecodeToColumns(benchmark::State& state) {
  const Corpus& c = Events();
  const auto schema = *floe::avro::Schema::Parse(kSchema);
  floe::avro::DecoderOptions opts;
  opts.capture_paths = {"ts"};
  auto decoder = floe::avro::RecordDecoder::Compile(schema, schema, opts).value();
  floe::columnar::ColumnarBatch batch(decoder.columnar_schema());
  const auto* data = reinterpret_cast<const uint8_t*>(c.bytes.data());
  int64_t checksum = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < c.count(); ++i) {
      if (batch.num_records() == kFlushEvery) batch.Clear();
      floe::Status st = decoder.Decode(data + c.offsets[i], c.offsets[i + 1] - c.offsets[i], batch);
      if (!st.ok()) {
        state.SkipWithError(st.ToString().c_str());
        return;
      }
      checksum += decoder.captured().long_value;
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.count()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes.size()));
}

void BM_AvroCGenericValueRead(benchmark::State& state) {
  const Corpus& c = Events();
  const char* error = nullptr;
  AvroCPeer* peer = AvroCPeerOpen(kSchema, &error);
  if (!peer) {
    state.SkipWithError(error);
    return;
  }
  int64_t checksum = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < c.count(); ++i) {
      int64_t ts = 0;
      if (AvroCPeerRead(peer, c.bytes.data() + c.offsets[i], static_cast<int64_t>(c.offsets[i + 1] - c.offsets[i]),
                        3, &ts) != 0) {
        state.SkipWithError(AvroCPeerError());
        AvroCPeerClose(peer);
        return;
      }
      checksum += ts;
    }
  }
  benchmark::DoNotOptimize(checksum);
  AvroCPeerClose(peer);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.count()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes.size()));
}
}  // namespace

int main(int argc, char** argv) {
  // A shrunken corpus (instruction counting) is decoded exactly once per benchmark, so counts compare 1:1.
  const bool one_pass = std::getenv("FLOE_AVRO_BENCH_EVENTS") != nullptr;
  for (auto* b : {benchmark::RegisterBenchmark("BM_FloeDecodeToColumns", BM_FloeDecodeToColumns),
                  benchmark::RegisterBenchmark("BM_AvroCGenericValueRead", BM_AvroCGenericValueRead)}) {
    b->Unit(benchmark::kMillisecond);
    if (one_pass) {
      b->Iterations(1);
    } else {
      b->MinTime(2.0);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
