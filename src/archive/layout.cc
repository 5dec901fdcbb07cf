#include "archive/layout.h"

#include <algorithm>
#include <cstdio>

#include "archive/archive_error.h"
#include "common/time_util.h"

namespace floe::archive {
namespace {

std::vector<std::string_view> SplitTopic(std::string_view topic) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = topic.find('.', start);
    parts.push_back(topic.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

// Expands `{topic}`, `{topic[N]}` and `{connector}` in a name template.
std::string ExpandName(std::string_view format, std::string_view topic, std::string_view connector) {
  std::string out;
  for (size_t i = 0; i < format.size();) {
    if (format[i] != '{') {
      out += format[i++];
      continue;
    }
    const size_t close = format.find('}', i);
    const std::string_view name = format.substr(i + 1, close - i - 1);
    if (name == "topic") {
      out += topic;
    } else if (name == "connector") {
      out += connector;
    } else {  // topic[N], validated by Create
      const auto parts = SplitTopic(topic);
      const long n = std::strtol(std::string(name.substr(6)).c_str(), nullptr, 10);
      const long index = n < 0 ? static_cast<long>(parts.size()) + n : n;
      if (index >= 0 && index < static_cast<long>(parts.size())) out += parts[static_cast<size_t>(index)];
    }
    i = close + 1;
  }
  return SanitizeIdentifier(out);
}

Status ValidateNameFormat(std::string_view key, std::string_view format) {
  if (format.empty()) return Error(ArchiveError::kConfig, std::string(key) + " must not be empty");
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '}') return Error(ArchiveError::kConfig, std::string(key) + ": unbalanced '}' in " + std::string(format));
    if (format[i] != '{') continue;
    const size_t close = format.find('}', i);
    if (close == std::string_view::npos)
      return Error(ArchiveError::kConfig, std::string(key) + ": unbalanced '{' in " + std::string(format));
    const std::string_view name = format.substr(i + 1, close - i - 1);
    bool ok = name == "topic" || name == "connector";
    if (name.size() > 7 && name.substr(0, 6) == "topic[" && name.back() == ']') {
      const std::string n(name.substr(6, name.size() - 7));
      char* end = nullptr;
      std::strtol(n.c_str(), &end, 10);
      ok = !n.empty() && *end == '\0';
    }
    if (!ok)
      return Error(ArchiveError::kConfig, std::string(key) + ": unknown placeholder {" + std::string(name) +
                                              "} (known: {topic}, {topic[N]}, {connector})");
    i = close;
  }
  return Status::Ok();
}

}  // namespace

std::string SanitizeIdentifier(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  return out;
}

std::string HiveEscape(std::string_view value) {
  static constexpr std::string_view kSpecial = "\"#%'*/:=?\\\x7f{[]^";
  std::string out;
  for (unsigned char c : value) {
    if (c < 0x20 || kSpecial.find(static_cast<char>(c)) != std::string_view::npos) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string HiveUnescape(std::string_view value) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size()) {
      const int hi = hex(value[i + 1]), lo = hex(value[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += value[i];
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParsePartitionPath(std::string_view path) {
  std::vector<std::pair<std::string, std::string>> values;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    const size_t eq = segment.find('=');
    if (eq == 0 || eq == std::string_view::npos) return std::nullopt;
    values.emplace_back(std::string(segment.substr(0, eq)), HiveUnescape(segment.substr(eq + 1)));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return values;
}

Result<TableLayout> TableLayout::Create(const TableLayoutOptions& options) {
  FLOE_RETURN_IF_ERROR(ValidateNameFormat("database.name.format", options.database_format));
  FLOE_RETURN_IF_ERROR(ValidateNameFormat("table.name.format", options.table_format));
  TableLayout layout;
  layout.database_format_ = options.database_format;
  layout.table_format_ = options.table_format;
  const std::string& f = options.path_format;
  auto bad = [&](const std::string& why) { return Error(ArchiveError::kConfig, "path.format '" + f + "': " + why); };
  if (f.empty()) return bad("must not be empty");
  size_t start = 0;
  while (start <= f.size()) {
    size_t slash = f.find('/', start);
    if (slash == std::string::npos) slash = f.size();
    const std::string seg = f.substr(start, slash - start);
    const size_t eq = seg.find('=');
    if (eq == std::string::npos || eq == 0) return bad("segment '" + seg + "' is not name=value");
    Segment s;
    s.key = seg.substr(0, eq);
    if (s.key.find_first_of("{}") != std::string::npos) return bad("placeholders belong in values: '" + seg + "'");
    for (size_t i = eq + 1; i < seg.size();) {
      if (seg[i] == '}') return bad("unbalanced '}'");
      if (seg[i] != '{') {
        if (s.value.empty() || s.value.back().piece != Piece::kLiteral) s.value.push_back({Piece::kLiteral, "", 0});
        s.value.back().literal += seg[i++];
        continue;
      }
      const size_t close = seg.find('}', i);
      if (close == std::string::npos) return bad("unbalanced '{'");
      const std::string name = seg.substr(i + 1, close - i - 1);
      Part p{Piece::kLiteral, "", 0};
      if (name == "schema_version") p.piece = Piece::kSchemaVersion;
      else if (name == "date") p.piece = Piece::kDate;
      else if (name == "hour") p.piece = Piece::kHour;
      else if (name == "year") p.piece = Piece::kYear;
      else if (name == "month") p.piece = Piece::kMonth;
      else if (name == "day") p.piece = Piece::kDay;
      else if (name == "minute") p.piece = Piece::kMinute;
      else if (name.rfind("field:", 0) == 0 && name.size() > 6) {
        p.piece = Piece::kField;
        const std::string path = name.substr(6);
        auto it = std::find(layout.fields_.begin(), layout.fields_.end(), path);
        p.field = static_cast<size_t>(it - layout.fields_.begin());
        if (it == layout.fields_.end()) layout.fields_.push_back(path);
      } else {
        return bad("unknown placeholder {" + name +
                   "} (known: {schema_version} {date} {hour} {year} {month} {day} {minute} {field:path})");
      }
      s.value.push_back(std::move(p));
      i = close + 1;
    }
    if (s.value.empty()) return bad("segment '" + seg + "' has no value");
    s.only_schema_version = s.value.size() == 1 && s.value[0].piece == Piece::kSchemaVersion;
    for (const auto& other : layout.segments_)
      if (other.key == s.key) return bad("partition key '" + s.key + "' appears twice");
    layout.keys_.push_back(s.key);
    layout.segments_.push_back(std::move(s));
    start = slash + 1;
  }
  return layout;
}

std::string TableLayout::DatabaseFor(std::string_view topic, std::string_view connector) const {
  return ExpandName(database_format_, topic, connector);
}

std::string TableLayout::TableFor(std::string_view topic, std::string_view connector) const {
  return ExpandName(table_format_, topic, connector);
}

std::string TableLayout::PartitionPath(int64_t business_time_micros, std::string_view schema_version,
                                       std::span<const std::optional<std::string>> field_values) const {
  const CivilTime t = CivilFromMicros(business_time_micros);
  std::string out;
  char buf[16];
  for (const auto& seg : segments_) {
    if (seg.only_schema_version && schema_version.empty()) continue;
    if (!out.empty()) out += '/';
    out += seg.key;
    out += '=';
    std::string value;
    for (const auto& p : seg.value) {
      switch (p.piece) {
        case Piece::kLiteral: value += p.literal; break;
        case Piece::kSchemaVersion: value += schema_version; break;
        case Piece::kDate:
          std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.year, t.month, t.day);
          value += buf;
          break;
        case Piece::kHour: std::snprintf(buf, sizeof buf, "%02d", t.hour), value += buf; break;
        case Piece::kYear: std::snprintf(buf, sizeof buf, "%04d", t.year), value += buf; break;
        case Piece::kMonth: std::snprintf(buf, sizeof buf, "%02d", t.month), value += buf; break;
        case Piece::kDay: std::snprintf(buf, sizeof buf, "%02d", t.day), value += buf; break;
        case Piece::kMinute: std::snprintf(buf, sizeof buf, "%02d", t.minute), value += buf; break;
        case Piece::kField:
          if (p.field < field_values.size() && field_values[p.field] && !field_values[p.field]->empty())
            value += HiveEscape(*field_values[p.field]);
          else
            value += "__HIVE_DEFAULT_PARTITION__";
          break;
      }
    }
    out += value;
  }
  return out;
}

}  // namespace floe::archive
