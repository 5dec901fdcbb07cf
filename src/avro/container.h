// Avro Object Container Files (spec "Object Container Files"): header (magic "Obj\1", metadata map with
// avro.schema and avro.codec, 16-byte sync marker), then blocks of (datum count, byte size, datums, sync).
// Codecs: null, deflate (raw RFC 1951), snappy (block + big-endian CRC-32 of the uncompressed bytes),
// zstandard.
//
// The writer takes datums already in Avro binary (from EncodeJson, or copied from Kafka payloads) so no
// value model sits between a producer and the file. The reader hands back blocks or single datums plus the
// writer schema, ready for RecordDecoder.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "avro/decoder.h"
#include "avro/schema.h"
#include "common/byte_sink.h"
#include "common/status.h"

namespace floe::avro {

enum class OcfCodec { kNull, kDeflate, kSnappy, kZstd };

// "null", "deflate", "snappy", "zstandard" (as written in avro.codec).
std::string_view OcfCodecName(OcfCodec codec);
std::optional<OcfCodec> ParseOcfCodec(std::string_view name);

struct OcfWriterOptions {
  OcfCodec codec = OcfCodec::kNull;
  int compression_level = -1;        // codec default when < 0 (deflate 6, zstd 3)
  size_t block_bytes = 1 << 20;      // a block is closed once its uncompressed datums reach this size
  std::map<std::string, std::string> metadata;  // extra header entries (avro.* keys are reserved)
  std::optional<std::array<uint8_t, 16>> sync;  // random when unset
};

class OcfWriter {
 public:
  // Writes the header to `sink` (which must outlive the writer).
  static Result<OcfWriter> Open(ByteSink* sink, const Schema& schema, const OcfWriterOptions& options = {});

  // Adds one datum, encoded in Avro binary with the file's schema (not checked).
  Status Append(std::string_view datum);
  // Ends the current block (if any datums are pending) and writes it to the sink.
  Status Flush();
  // Flush(); the sink itself is left open for the caller to Sync/Close.
  Status Finish() { return Flush(); }

  uint64_t datums_written() const { return datums_; }
  // Bytes of datums appended but not yet written to the sink (the open block, uncompressed).
  size_t pending_bytes() const { return block_.size(); }
  const std::array<uint8_t, 16>& sync() const { return sync_; }

 private:
  OcfWriter() = default;
  ByteSink* sink_ = nullptr;
  OcfWriterOptions options_;
  std::array<uint8_t, 16> sync_{};
  std::string block_;
  std::string compressed_;
  std::string header_;
  int64_t block_count_ = 0;
  uint64_t datums_ = 0;
};

struct OcfBlock {
  int64_t count = 0;
  std::string_view data;  // uncompressed datums; valid until the next call on the reader
};

class OcfReader {
 public:
  // Parses the header of a whole file held in memory (`file` must outlive the reader).
  // max_block_bytes bounds the decompressed size of any block (hostile files cannot exhaust memory).
  static Result<OcfReader> Open(std::string_view file, size_t max_block_bytes = size_t{1} << 28);

  const Schema& schema() const { return schema_; }
  OcfCodec codec() const { return codec_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // The next block; false at the end of the file.
  Result<bool> NextBlock(OcfBlock& block);
  // The next datum (across blocks); false at the end. The view is valid until the next call.
  Result<bool> NextDatum(std::string_view& datum);

 private:
  OcfReader() = default;
  std::string_view file_;
  size_t pos_ = 0;
  size_t max_block_bytes_ = 0;
  Schema schema_;
  OcfCodec codec_ = OcfCodec::kNull;
  std::map<std::string, std::string> metadata_;
  std::array<uint8_t, 16> sync_{};
  std::string buffer_;
  std::optional<DatumSkipper> skipper_;
  BinaryReader block_reader_;
  int64_t block_left_ = 0;
  size_t min_datum_bytes_ = 0;
};

}  // namespace floe::avro
