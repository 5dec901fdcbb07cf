// FieldTransforms: top-level value fields left out or renamed on the way into the files
// (`fields.exclude`, `fields.rename`), like Kafka Connect's ReplaceField SMT.
//
// JSON values are rewritten member by member. Avro values are not rewritten at all: the transform becomes a
// reader schema (excluded fields dropped, renamed fields carrying their old name as an alias), and Avro schema
// resolution skips and renames while decoding — no extra pass over the data.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace floe::archive {

class FieldTransforms {
 public:
  // `renames` as "old:new" pairs. Errors name the bad entry.
  static Result<FieldTransforms> Create(const std::vector<std::string>& exclude, const std::vector<std::string>& renames);

  bool empty() const { return exclude_.empty() && rename_.empty(); }
  // Rewrites one JSON object into `out` (minified). `in` must be a valid JSON object.
  Status ApplyToJson(std::string_view in, std::string& out) const;
  // The reader schema for an Avro writer schema (JSON text) whose top level is a record.
  Result<std::string> ApplyToAvroSchema(const std::string& writer_schema) const;

 private:
  std::set<std::string, std::less<>> exclude_;
  std::map<std::string, std::string, std::less<>> rename_;
};

}  // namespace floe::archive
