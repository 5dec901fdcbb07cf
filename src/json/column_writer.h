// ColumnWriter: shreds one parsed JSON object into a ColumnarBatch's leaves (Dremel levels), following a
// record schema — inferred (json/inferred_schema.h) or declared (json/json_schema.h).
//
// Compiled once per schema: each record node keeps its fields' names and a per-record "seen" scratch, so
// writing a record allocates nothing once the batch's buffers are warm (except JSON text for values written
// into string columns that are not strings: objects and arrays there are serialised by simdjson).
//
// A value fits a node when:
//   boolean ← true/false      long ← int64      double ← int64 or double      timestamp ← RFC 3339 string
//   enum ← one of its symbols  kJson ← anything (its JSON text)   record ← object   list ← array
//   string ← a string; in kInferred mode also any other value, as its JSON text (the widened type of mixed
//   kinds)
//   null, or a missing member ← any nullable node. A missing or null required node does not fit.
// In kInferred mode a value without a type ({}, [], [null]) fits any nullable node, as a null.
// Members the schema does not know: in kInferred mode they fit only when they carry no type (null, [], {});
// in kDeclared mode they are ignored, unless the record was declared closed (additionalProperties: false).
// Duplicate members: the first occurrence wins, later ones are skipped.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "columnar/column_buffer.h"

namespace floe::json {

enum class SchemaMode { kInferred, kDeclared };

class ColumnWriter {
 public:
  // `event` is the root record; its leaves are the batch's first CountLeaves(event) columns (the batch may
  // have more after them). `closed` lists declared records that reject unknown members. Top-level members
  // named in `skip` are ignored. `event` must outlive the writer.
  ColumnWriter(const columnar::Node& event, SchemaMode mode, std::vector<std::string> skip = {},
               std::unordered_set<const columnar::Node*> closed = {});
  ~ColumnWriter();
  ColumnWriter(const ColumnWriter&) = delete;
  ColumnWriter& operator=(const ColumnWriter&) = delete;

  // Appends the object's entries to the event's leaves. Returns false when the object does not fit; then
  // misfit() names the field ("a.b[].c: expected long, got string") and the batch holds a partial record
  // that the caller must discard (Clear or Rollback).
  bool Write(const simdjson::dom::object& object, columnar::ColumnarBatch& batch);
  const std::string& misfit() const { return misfit_; }

  struct Compiled;  // a schema node with its Dremel levels (column_writer.cc)

 private:
  bool WriteRecord(const Compiled& c, const simdjson::dom::object& object, int16_t rep);
  bool WriteValue(const Compiled& c, const simdjson::dom::element& value, int16_t rep);
  void WriteNull(const Compiled& c, int16_t def, int16_t rep);
  bool Misfit(const char* expected, const simdjson::dom::element& value);
  bool MisfitText(std::string text);

  std::unique_ptr<Compiled> root_;
  SchemaMode mode_;
  std::vector<std::string> skip_;
  columnar::ColumnarBatch* batch_ = nullptr;
  std::vector<std::string_view> path_;  // field names from the root down to the value being written
  std::string misfit_;
  std::string text_;  // scratch: JSON text of a value going into a string column
};

}  // namespace floe::json
