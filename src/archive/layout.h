// TableLayout: where a connector's records land in the lake — the database and table names derived from the
// topic (`database.name.format`, `table.name.format`), and each record's partition path (`path.format`).
//
//   <root>/<database>/<table>/<partition path>/<topic>+<partition>+<startOffset>.<ext>
//   partition path, by default:  v=<schema version>/dt=YYYY-MM-DD/hour=HH   (UTC business time)
//
// Names are deterministic functions of the topic (and connector name), so every worker and every restart
// agrees on them. Partition values are Hive-escaped the way Hive's FileUtils.escapePathName does it, so
// Athena/Trino/Spark read back the value that was written.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace floe::archive {

struct TableLayoutOptions {
  std::string path_format = "v={schema_version}/dt={date}/hour={hour}";
  std::string database_format = "default";
  std::string table_format = "{topic}";
};

class TableLayout {
 public:
  // Validates the templates: every path segment is `name=value`, placeholders are known, braces balanced.
  static Result<TableLayout> Create(const TableLayoutOptions& options);

  std::string DatabaseFor(std::string_view topic, std::string_view connector) const;
  std::string TableFor(std::string_view topic, std::string_view connector) const;

  // Dotted field paths that `{field:...}` placeholders refer to, in order of first use.
  const std::vector<std::string>& fields() const { return fields_; }
  // The partition path of a record. `field_values` parallels fields(); a missing or empty value becomes Hive's
  // `__HIVE_DEFAULT_PARTITION__`. A segment made only of `{schema_version}` is left out when the version is
  // empty (inputs without schema versions).
  std::string PartitionPath(int64_t business_time_micros, std::string_view schema_version,
                            std::span<const std::optional<std::string>> field_values) const;
  // Partition keys in path order, e.g. {"v", "dt", "hour"}.
  const std::vector<std::string>& partition_keys() const { return keys_; }

 private:
  enum class Piece { kLiteral, kSchemaVersion, kDate, kHour, kYear, kMonth, kDay, kMinute, kField };
  struct Part {
    Piece piece;
    std::string literal;  // kLiteral
    size_t field = 0;     // kField: index into fields_
  };
  struct Segment {
    std::string key;
    std::vector<Part> value;
    bool only_schema_version = false;
  };
  std::vector<Segment> segments_;
  std::vector<std::string> fields_;
  std::vector<std::string> keys_;
  std::string database_format_;
  std::string table_format_;
};

// Hive's partition-value escaping (%XX for control characters and "#%'*/:=?\{[]^ and DEL).
std::string HiveEscape(std::string_view value);
// Its inverse (%XX back to the byte; a % not followed by two hex digits stays as it is).
std::string HiveUnescape(std::string_view value);
// The name=value segments of a partition path ("v=2/dt=2024-05-01/city=a%2Fb"), values unescaped, in order;
// nullopt when a segment is not name=value.
std::optional<std::vector<std::pair<std::string, std::string>>> ParsePartitionPath(std::string_view path);
// Lower-cases and replaces every character outside [a-z0-9_] with '_' (identifiers every engine accepts).
std::string SanitizeIdentifier(std::string_view name);

}  // namespace floe::archive
