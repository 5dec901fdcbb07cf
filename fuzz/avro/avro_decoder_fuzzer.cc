// Fuzzes the compiled decoder: byte 0 picks a schema pair from fuzz_schemas.h, the rest is one datum. Besides
// memory safety (ASan/UBSan), checks that a failed datum leaves the batch exactly as it was, and that the
// decoder, the skipper and the JSON renderer agree on where a valid datum ends.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "avro/decoder.h"
#include "avro/json_codec.h"
#include "fuzz_schemas.h"

namespace {

struct Target {
  floe::avro::Schema writer;
  bool same_schema = true;
  std::unique_ptr<floe::avro::RecordDecoder> decoder;
  std::unique_ptr<floe::avro::DatumSkipper> skipper;
  std::unique_ptr<floe::columnar::ColumnarBatch> batch;
};

std::vector<Target>& Targets() {
  static std::vector<Target> targets = [] {
    std::vector<Target> out;
    for (const auto& [w, r] : floe::avro::fuzz::kSchemaPairs) {
      Target t;
      t.writer = *floe::avro::Schema::Parse(w);
      const auto reader = r ? *floe::avro::Schema::Parse(r) : t.writer;
      t.same_schema = r == nullptr;
      t.decoder = std::make_unique<floe::avro::RecordDecoder>(floe::avro::RecordDecoder::Compile(t.writer, reader).value());
      t.skipper = std::make_unique<floe::avro::DatumSkipper>(*floe::avro::DatumSkipper::Compile(t.writer));
      t.batch = std::make_unique<floe::columnar::ColumnarBatch>(t.decoder->columnar_schema());
      out.push_back(std::move(t));
    }
    return out;
  }();
  return targets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto& targets = Targets();
  Target& t = targets[data[0] % targets.size()];
  ++data;
  --size;
  if (t.batch->num_records() > 1000) t.batch->Clear();
  std::vector<size_t> entries;
  for (size_t c = 0; c < t.batch->num_columns(); ++c) entries.push_back(t.batch->column(c).num_entries());
  const size_t records = t.batch->num_records();
  const bool decoded = t.decoder->Decode(data, size, *t.batch).ok();
  if (!decoded) {
    if (t.batch->num_records() != records) std::abort();
    for (size_t c = 0; c < t.batch->num_columns(); ++c)
      if (t.batch->column(c).num_entries() != entries[c]) std::abort();
  }
  floe::avro::BinaryReader r(data, size);
  const bool skipped = t.skipper->Skip(r) && r.remaining() == 0;
  std::string json;
  size_t consumed = 0;
  const bool rendered =
      floe::avro::DatumToJson(t.writer.root(), std::string_view(reinterpret_cast<const char*>(data), size), json,
                              &consumed)
          .ok() &&
      consumed == size;
  // The decoder checks more than the skipper, so a decoded datum must also skip; with no resolution in
  // between (reader == writer) it checks as much as the renderer.
  if (decoded && !skipped) std::abort();
  if (decoded && t.same_schema && !rendered) std::abort();
  return 0;
}
