#include "avro/json_codec.h"

#include <cmath>
#include <limits>

#include "common/time_util.h"

namespace floe::avro {
namespace {

using nlohmann::json;

enum class UnionStyle { kTaggedOrPlain, kFirstBranch };

Status EncodeFail(const std::string& path, const std::string& what) {
  return Error(AvroError::kEncode, (path.empty() ? std::string("$") : path) + ": " + what);
}

// Bytes from a JSON string whose code points are byte values (U+0000..U+00FF).
bool Latin1Bytes(const std::string& s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      i += 1;
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
      out.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F)));
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

bool IsTimestamp(LogicalType l) {
  return l == LogicalType::kTimestampMillis || l == LogicalType::kTimestampMicros ||
         l == LogicalType::kLocalTimestampMillis || l == LogicalType::kLocalTimestampMicros;
}

// Whether a JSON value's kind fits a type, without looking inside (picks plain union values).
bool KindFits(const TypeNode& t, const json& v) {
  switch (t.type) {
    case Type::kNull: return v.is_null();
    case Type::kBoolean: return v.is_boolean();
    case Type::kInt:
      return v.is_number_integer() && (v.is_number_unsigned() ? v.get<uint64_t>() <= INT32_MAX
                                                               : v.get<int64_t>() >= INT32_MIN &&
                                                                     v.get<int64_t>() <= INT32_MAX);
    case Type::kLong: return v.is_number_integer() || (v.is_string() && IsTimestamp(t.logical));
    case Type::kFloat:
    case Type::kDouble: return v.is_number();
    case Type::kBytes:
    case Type::kString: return v.is_string();
    case Type::kEnum:
      if (!v.is_string()) return false;
      for (const auto& s : t.symbols)
        if (s == v.get_ref<const std::string&>()) return true;
      return false;
    case Type::kFixed: return v.is_string();
    case Type::kArray: return v.is_array();
    case Type::kMap:
    case Type::kRecord: return v.is_object();
    case Type::kUnion: return false;
  }
  return false;
}

bool BranchNameMatches(const TypeNode& b, const std::string& key) {
  if (b.is_named()) return b.full_name == key || b.name == key;
  return TypeName(b.type) == key;
}

Status Encode(const TypeNode& t, const json& v, std::string& out, UnionStyle style, const std::string& path,
              int depth) {
  if (depth > 200) return EncodeFail(path, "value nested too deeply");
  switch (t.type) {
    case Type::kNull:
      if (!v.is_null()) return EncodeFail(path, "expected null, got " + std::string(v.type_name()));
      return Status::Ok();
    case Type::kBoolean:
      if (!v.is_boolean()) return EncodeFail(path, "expected a boolean, got " + std::string(v.type_name()));
      out.push_back(v.get<bool>() ? 1 : 0);
      return Status::Ok();
    case Type::kInt:
      if (!KindFits(t, v)) return EncodeFail(path, "expected an int, got " + v.dump());
      WriteLong(out, v.get<int64_t>());
      return Status::Ok();
    case Type::kLong:
      if (v.is_string() && IsTimestamp(t.logical)) {
        auto micros = ParseIso8601Micros(v.get_ref<const std::string&>());
        if (!micros) return EncodeFail(path, "not an ISO-8601 timestamp: " + v.dump());
        const bool millis = t.logical == LogicalType::kTimestampMillis ||
                            t.logical == LogicalType::kLocalTimestampMillis;
        WriteLong(out, millis ? (*micros >= 0 ? *micros / 1000 : -((-*micros + 999) / 1000)) : *micros);
        return Status::Ok();
      }
      if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX))
        return EncodeFail(path, "expected a long, got " + v.dump());
      WriteLong(out, v.get<int64_t>());
      return Status::Ok();
    case Type::kFloat:
    case Type::kDouble: {
      double d;
      if (v.is_number()) {
        d = v.get<double>();
      } else if (v == "NaN") {
        d = std::numeric_limits<double>::quiet_NaN();
      } else if (v == "Infinity") {
        d = std::numeric_limits<double>::infinity();
      } else if (v == "-Infinity") {
        d = -std::numeric_limits<double>::infinity();
      } else {
        return EncodeFail(path, "expected a number, got " + v.dump());
      }
      if (t.type == Type::kFloat) {
        WriteFloat(out, static_cast<float>(d));
      } else {
        WriteDouble(out, d);
      }
      return Status::Ok();
    }
    case Type::kString:
      if (!v.is_string()) return EncodeFail(path, "expected a string, got " + v.dump());
      WriteBytes(out, v.get_ref<const std::string&>());
      return Status::Ok();
    case Type::kBytes:
    case Type::kFixed: {
      if (!v.is_string()) return EncodeFail(path, "expected a string of bytes, got " + v.dump());
      std::string bytes;
      if (!Latin1Bytes(v.get_ref<const std::string&>(), bytes))
        return EncodeFail(path, "bytes must be code points U+0000..U+00FF");
      if (t.type == Type::kBytes) {
        WriteBytes(out, bytes);
      } else {
        if (bytes.size() != static_cast<size_t>(t.size))
          return EncodeFail(path, "fixed " + t.full_name + " needs " + std::to_string(t.size) + " bytes, got " +
                                      std::to_string(bytes.size()));
        out += bytes;
      }
      return Status::Ok();
    }
    case Type::kEnum:
      if (v.is_string()) {
        for (size_t i = 0; i < t.symbols.size(); ++i) {
          if (t.symbols[i] == v.get_ref<const std::string&>()) {
            WriteLong(out, static_cast<int64_t>(i));
            return Status::Ok();
          }
        }
      }
      return EncodeFail(path, v.dump() + " is not a symbol of enum " + t.full_name);
    case Type::kArray:
      if (!v.is_array()) return EncodeFail(path, "expected an array, got " + std::string(v.type_name()));
      if (!v.empty()) {
        WriteLong(out, static_cast<int64_t>(v.size()));
        for (size_t i = 0; i < v.size(); ++i)
          FLOE_RETURN_IF_ERROR(Encode(*t.items, v[i], out, style, path + "[" + std::to_string(i) + "]", depth + 1));
      }
      WriteLong(out, 0);
      return Status::Ok();
    case Type::kMap:
      if (!v.is_object()) return EncodeFail(path, "expected an object, got " + std::string(v.type_name()));
      if (!v.empty()) {
        WriteLong(out, static_cast<int64_t>(v.size()));
        for (const auto& [k, e] : v.items()) {
          WriteBytes(out, k);
          FLOE_RETURN_IF_ERROR(Encode(*t.values, e, out, style, path + "." + k, depth + 1));
        }
      }
      WriteLong(out, 0);
      return Status::Ok();
    case Type::kRecord:
      if (!v.is_object()) return EncodeFail(path, "expected an object for record " + t.full_name);
      for (const auto& f : t.fields) {
        auto it = v.find(f.name);
        const std::string fp = path + "." + f.name;
        if (it != v.end()) {
          FLOE_RETURN_IF_ERROR(Encode(*f.type, *it, out, style, fp, depth + 1));
        } else if (f.default_value) {
          FLOE_RETURN_IF_ERROR(Encode(*f.type, *f.default_value, out, UnionStyle::kFirstBranch, fp, depth + 1));
        } else {
          return EncodeFail(fp, "missing field of record " + t.full_name + " (no default)");
        }
      }
      return Status::Ok();
    case Type::kUnion: {
      if (t.branches.empty()) return EncodeFail(path, "an empty union has no values");
      auto emit = [&](size_t i, const json& value) {
        WriteLong(out, static_cast<int64_t>(i));
        return Encode(*t.branches[i], value, out, style, path, depth + 1);
      };
      if (style == UnionStyle::kFirstBranch) return emit(0, v);
      if (v.is_null()) {
        const int n = t.NullBranch();
        if (n < 0) return EncodeFail(path, "null for a union without a null branch");
        return emit(static_cast<size_t>(n), v);
      }
      if (v.is_object() && v.size() == 1) {
        for (size_t i = 0; i < t.branches.size(); ++i)
          if (BranchNameMatches(*t.branches[i], v.begin().key())) return emit(i, v.begin().value());
      }
      if (const TypeNode* only = t.NullableOf()) {
        for (size_t i = 0; i < t.branches.size(); ++i)
          if (t.branches[i] == only) return emit(i, v);
      }
      for (size_t i = 0; i < t.branches.size(); ++i)
        if (KindFits(*t.branches[i], v)) return emit(i, v);
      return EncodeFail(path, "no branch of the union fits " + v.dump());
    }
  }
  return EncodeFail(path, "unknown type");
}

void AppendLatin1(std::string& out, std::string_view bytes) {
  std::string s;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      s.push_back(static_cast<char>(c));
    } else {
      s.push_back(static_cast<char>(0xC0 | (c >> 6)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  out += json(s).dump();
}

void AppendNumber(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "\"NaN\"";
  } else if (std::isinf(d)) {
    out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    out += json(d).dump();
  }
}

}  // namespace

Status EncodeJson(const TypeNode& type, const nlohmann::json& value, std::string& out) {
  return Encode(type, value, out, UnionStyle::kTaggedOrPlain, "", 0);
}

Status EncodeDefault(const TypeNode& type, const nlohmann::json& value, std::string& out) {
  return Encode(type, value, out, UnionStyle::kFirstBranch, "", 0);
}

bool RenderDatumJson(const TypeNode& t, BinaryReader& r, std::string& out, DatumBudget& budget) {
  if (!EnterLevel(r, budget)) return false;
  const LevelGuard level{budget};
  switch (t.type) {
    case Type::kNull: out += "null"; return true;
    case Type::kBoolean: {
      bool b;
      if (!r.ReadBool(b)) return false;
      out += b ? "true" : "false";
      return true;
    }
    case Type::kInt:
    case Type::kLong: {
      int64_t v;
      if (!r.ReadLong(v)) return false;
      if (t.type == Type::kInt && (v < INT32_MIN || v > INT32_MAX))
        return r.Fail(AvroError::kVarintOverflow, "int value does not fit 32 bits");
      out += std::to_string(v);
      return true;
    }
    case Type::kFloat: {
      float f;
      if (!r.ReadFloat(f)) return false;
      AppendNumber(out, f);
      return true;
    }
    case Type::kDouble: {
      double d;
      if (!r.ReadDouble(d)) return false;
      AppendNumber(out, d);
      return true;
    }
    case Type::kString: {
      std::string_view s;
      if (!r.ReadBytes(s)) return false;
      if (!ValidUtf8(s.data(), s.size())) return r.Fail(AvroError::kInvalidUtf8, "string is not UTF-8");
      out += json(std::string(s)).dump();
      return true;
    }
    case Type::kBytes: {
      std::string_view s;
      if (!r.ReadBytes(s)) return false;
      AppendLatin1(out, s);
      return true;
    }
    case Type::kFixed: {
      const uint8_t* p;
      if (!r.ReadFixed(static_cast<size_t>(t.size), p)) return false;
      AppendLatin1(out, std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(t.size)));
      return true;
    }
    case Type::kEnum: {
      int64_t i;
      if (!r.ReadLong(i)) return false;
      if (i < 0 || static_cast<uint64_t>(i) >= t.symbols.size())
        return r.Fail(AvroError::kBadEnumIndex, "enum index outside the symbols");
      out += '"';
      out += t.symbols[static_cast<size_t>(i)];
      out += '"';
      return true;
    }
    case Type::kArray:
    case Type::kMap: {
      const bool is_map = t.type == Type::kMap;
      out += is_map ? '{' : '[';
      bool first = true;
      for (;;) {
        int64_t count, size;
        if (!ReadBlockHeader(r, count, size)) return false;
        if (count == 0) break;
        if (!CheckItemCount(r, count, MinEncodedSize(is_map ? *t.values : *t.items) + (is_map ? 1 : 0), budget))
          return false;
        const uint8_t* block_start = r.p;
        for (int64_t i = 0; i < count; ++i) {
          if (!first) out += ',';
          first = false;
          if (is_map) {
            std::string_view k;
            if (!r.ReadBytes(k)) return false;
            if (!ValidUtf8(k.data(), k.size())) return r.Fail(AvroError::kInvalidUtf8, "map key is not UTF-8");
            out += json(std::string(k)).dump();
            out += ':';
          }
          if (!RenderDatumJson(is_map ? *t.values : *t.items, r, out, budget)) return false;
        }
        if (size >= 0 && r.p - block_start != size)
          return r.Fail(AvroError::kBadBlockSize, "block byte size differs from its items");
      }
      out += is_map ? '}' : ']';
      return true;
    }
    case Type::kRecord:
      out += '{';
      for (size_t i = 0; i < t.fields.size(); ++i) {
        if (i) out += ',';
        out += json(t.fields[i].name).dump();
        out += ':';
        if (!RenderDatumJson(*t.fields[i].type, r, out, budget)) return false;
      }
      out += '}';
      return true;
    case Type::kUnion: {
      int64_t i;
      if (!r.ReadLong(i)) return false;
      if (i < 0 || static_cast<uint64_t>(i) >= t.branches.size())
        return r.Fail(AvroError::kBadUnionIndex, "union index outside the branches");
      const TypeNode& b = *t.branches[static_cast<size_t>(i)];
      if (b.type == Type::kNull || t.NullableOf()) return RenderDatumJson(b, r, out, budget);
      out += '{';
      out += json(b.BranchName()).dump();
      out += ':';
      if (!RenderDatumJson(b, r, out, budget)) return false;
      out += '}';
      return true;
    }
  }
  return r.Fail(AvroError::kInvalidSchema, "unknown type");
}

Status DatumToJson(const TypeNode& type, std::string_view data, std::string& out, size_t* consumed) {
  BinaryReader r(data.data(), data.size());
  DatumBudget budget;
  if (!RenderDatumJson(type, r, out, budget))
    return Error(r.error, std::string(r.what) + " at byte " + std::to_string(r.offset()));
  if (consumed) *consumed = r.offset();
  return Status::Ok();
}

}  // namespace floe::avro
