// Upload throughput of the object stores: local directory always, S3 when FLOE_BENCH_S3_ENDPOINT points
// at an S3-compatible server (bench/storage/run.sh starts s3rver for it).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <filesystem>
#include <fstream>
#include <random>

#include "storage/local_object_store.h"
#include "storage/s3_object_store.h"

namespace {

using namespace floe::storage;

std::string Scratch() {
  static const std::string dir = [] {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/floe-storage-bench-XXXXXX";
    return std::string(::mkdtemp(tmpl.data()));
  }();
  return dir;
}

std::string Payload(size_t size) {
  std::string data(size, '\0');
  std::mt19937_64 rng(1);
  for (size_t i = 0; i + 8 <= size; i += 8) {
    const uint64_t v = rng();
    std::memcpy(data.data() + i, &v, 8);
  }
  return data;
}

const std::string& SpoolFile(size_t size) {
  static std::map<size_t, std::string> files;
  auto& path = files[size];
  if (path.empty()) {
    path = Scratch() + "/spool-" + std::to_string(size);
    std::ofstream(path, std::ios::binary) << Payload(size);
  }
  return path;
}

void BM_LocalPut(benchmark::State& state) {
  auto store = LocalObjectStore::Open(Scratch() + "/local");
  const std::string data = Payload(static_cast<size_t>(state.range(0)));
  int i = 0;
  for (auto _ : state) {
    if (!(*store)->Put("bench/put-" + std::to_string(i++ % 16), data).ok()) state.SkipWithError("put failed");
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LocalPut)->Arg(64 << 10)->Arg(8 << 20)->UseRealTime();

void BM_LocalPutFile(benchmark::State& state) {
  auto store = LocalObjectStore::Open(Scratch() + "/local");
  const std::string& path = SpoolFile(static_cast<size_t>(state.range(0)));
  int i = 0;
  for (auto _ : state) {
    if (!(*store)->PutFile("bench/file-" + std::to_string(i++ % 4), path).ok()) state.SkipWithError("put failed");
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LocalPutFile)->Arg(64 << 20)->UseRealTime();

std::unique_ptr<S3ObjectStore> S3(int parallelism) {
  const char* endpoint = std::getenv("FLOE_BENCH_S3_ENDPOINT");
  if (endpoint == nullptr) return nullptr;
  S3Options o;
  o.endpoint = endpoint;
  o.region = "us-east-1";
  o.path_style = true;
  o.access_key_id = "S3RVER";
  o.secret_access_key = "S3RVER";
  o.part_size = 16 << 20;
  o.upload_parallelism = parallelism;
  auto store = S3ObjectStore::Open("s3://floe-bench/bench", o);
  return store.ok() ? std::move(store).value() : nullptr;
}

void BM_S3Put(benchmark::State& state) {
  auto store = S3(1);
  if (!store) return state.SkipWithError("FLOE_BENCH_S3_ENDPOINT not set");
  const std::string data = Payload(static_cast<size_t>(state.range(0)));
  int i = 0;
  for (auto _ : state) {
    if (!store->Put("put-" + std::to_string(i++ % 16), data).ok()) state.SkipWithError("put failed");
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_S3Put)->Arg(64 << 10)->Arg(8 << 20)->UseRealTime();

// PutFile of 128 MiB: multipart with 16 MiB parts and the given parallelism.
void BM_S3PutFileMultipart(benchmark::State& state) {
  auto store = S3(static_cast<int>(state.range(0)));
  if (!store) return state.SkipWithError("FLOE_BENCH_S3_ENDPOINT not set");
  const std::string& path = SpoolFile(128 << 20);
  int i = 0;
  for (auto _ : state) {
    if (!store->PutFile("file-" + std::to_string(i++ % 4), path).ok()) state.SkipWithError("put failed");
  }
  state.SetBytesProcessed(state.iterations() * (128 << 20));
}
BENCHMARK(BM_S3PutFileMultipart)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
