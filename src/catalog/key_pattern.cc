#include "catalog/key_pattern.h"

#include <charconv>

#include "archive/layout.h"
#include "catalog/catalog_error.h"

namespace floe::catalog {
namespace {

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    out.push_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

template <typename T>
bool ParseInt(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string PatternForPathFormat(std::string_view path_format) {
  return "{database}/{table}/" + std::string(path_format) + "/{file}";
}

Result<KeyPattern> KeyPattern::Create(std::string_view pattern) {
  KeyPattern p;
  p.pattern_ = std::string(pattern);
  bool db = false, table = false;
  auto segments = Split(pattern);
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view s = segments[i];
    Segment seg{Kind::kLiteral, std::string(s)};
    if (s == "{database}") {
      seg.kind = Kind::kDatabase;
      db = true;
    } else if (s == "{table}") {
      seg.kind = Kind::kTable;
      table = true;
    } else if (s == "{file}") {
      if (i + 1 != segments.size()) {
        return Error(CatalogError::kInvalidArgument, "key pattern '" + p.pattern_ + "': {file} must be last");
      }
      seg.kind = Kind::kFile;
    } else if (size_t eq = s.find('='); eq != std::string_view::npos && eq > 0) {
      seg.kind = Kind::kPartition;
      seg.text = std::string(s.substr(0, eq));
      seg.schema_version = s.substr(eq + 1) == "{schema_version}";
      if (seg.schema_version) p.has_version_segment_ = true;
      p.partition_keys_.push_back(seg.text);
    } else if (s.empty() || s.find('{') != std::string_view::npos) {
      return Error(CatalogError::kInvalidArgument,
                   "key pattern '" + p.pattern_ + "': segment '" + std::string(s) + "' is not understood");
    }
    p.segments_.push_back(std::move(seg));
  }
  if (!db || !table || p.segments_.empty() || p.segments_.back().kind != Kind::kFile) {
    return Error(CatalogError::kInvalidArgument,
                 "key pattern '" + p.pattern_ + "' needs {database}, {table} and a last segment {file}");
  }
  return p;
}

Result<archive::FileCommittedEvent> KeyPattern::Parse(std::string_view key) const {
  auto parts = Split(key);
  const bool skip_version = has_version_segment_ && parts.size() + 1 == segments_.size();
  if (parts.size() != segments_.size() && !skip_version) {
    return Error(CatalogError::kParse, "key '" + std::string(key) + "' does not match '" + pattern_ + "'");
  }
  archive::FileCommittedEvent e;
  e.key = std::string(key);
  size_t k = 0;
  for (const auto& seg : segments_) {
    if (seg.schema_version && skip_version) continue;
    std::string_view part = parts[k++];
    switch (seg.kind) {
      case Kind::kDatabase: e.database = std::string(part); break;
      case Kind::kTable: e.table = std::string(part); break;
      case Kind::kLiteral:
        if (part != seg.text) {
          return Error(CatalogError::kParse, "key '" + std::string(key) + "' does not match '" + pattern_ + "'");
        }
        break;
      case Kind::kPartition: {
        if (part.size() <= seg.text.size() || part.substr(0, seg.text.size()) != seg.text ||
            part[seg.text.size()] != '=') {
          return Error(CatalogError::kParse, "key '" + std::string(key) + "': expected '" + seg.text + "=...'");
        }
        std::string value = archive::HiveUnescape(part.substr(seg.text.size() + 1));
        if (seg.schema_version) e.schema_version = value;
        e.partition_values.emplace_back(seg.text, std::move(value));
        break;
      }
      case Kind::kFile: {
        // <topic>+<partition>+<startOffset>.<ext>; topic names cannot contain '+'.
        size_t p1 = part.find('+');
        size_t p2 = p1 == std::string_view::npos ? p1 : part.find('+', p1 + 1);
        size_t dot = p2 == std::string_view::npos ? p2 : part.find('.', p2 + 1);
        if (p1 == 0 || dot == std::string_view::npos || dot + 1 == part.size() ||
            !ParseInt(part.substr(p1 + 1, p2 - p1 - 1), e.partition) ||
            !ParseInt(part.substr(p2 + 1, dot - p2 - 1), e.first_offset)) {
          return Error(CatalogError::kParse,
                       "key '" + std::string(key) + "': file name is not <topic>+<partition>+<offset>.<ext>");
        }
        e.topic = std::string(part.substr(0, p1));
        e.format = std::string(part.substr(dot + 1));
        break;
      }
    }
  }
  if (e.database.empty() || e.table.empty()) {
    return Error(CatalogError::kParse, "key '" + std::string(key) + "': empty database or table");
  }
  return e;
}

}  // namespace floe::catalog
