// KeyPattern: reads database, table, schema version and partition values back out of an object key, for
// ingest paths that see only keys (listing, S3 event notifications).
//
// A pattern is a '/'-separated template: `{database}`, `{table}`, `{file}` (the last segment), literal
// segments, and `name=...` segments whose value is a partition value of key `name` (Hive-unescaped); a
// segment `name={schema_version}` also gives the schema version and may be absent from a key (inputs without
// schema versions leave it out). PatternForPathFormat builds the pattern floe writes with:
//   {database}/{table}/<path.format>/{file}     e.g. {database}/{table}/v={schema_version}/dt={date}/hour={hour}/{file}
// The file name is `<topic>+<partition>+<startOffset>.<ext>`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archive/file_events.h"
#include "common/status.h"

namespace floe::catalog {

std::string PatternForPathFormat(std::string_view path_format);

class KeyPattern {
 public:
  static Result<KeyPattern> Create(std::string_view pattern);

  // The event a key stands for, as far as the key tells: topic, partition, first_offset, database, table,
  // schema_version, partition_values, key, format (the extension). kParse for keys that do not match
  // (markers, foreign files), which listing ingest skips.
  Result<archive::FileCommittedEvent> Parse(std::string_view key) const;

  const std::vector<std::string>& partition_keys() const { return partition_keys_; }
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Kind { kDatabase, kTable, kFile, kLiteral, kPartition };
  struct Segment {
    Kind kind;
    std::string text;  // kLiteral: the literal; kPartition: the key name
    bool schema_version = false;
  };
  std::string pattern_;
  std::vector<Segment> segments_;
  std::vector<std::string> partition_keys_;
  bool has_version_segment_ = false;
};

}  // namespace floe::catalog
