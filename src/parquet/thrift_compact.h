// Thrift compact protocol, just enough for Parquet's footer and page headers.
//
// Spec: Apache Thrift "Thrift Compact protocol encoding" (field headers with id deltas, zigzag varints,
// lists with inline sizes, booleans folded into the field header, struct stop byte 0).
//
// The reader never trusts the input: every read is bounds-checked, list sizes are capped by the bytes left
// (each element takes at least one byte), nesting is capped, and the first error is sticky so a decoder can
// run to the end and check ok() once. It never allocates more than the input could describe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace floe::parquet::thrift {

enum class CType : uint8_t {
  kStop = 0,
  kTrue = 1,
  kFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// Appends compact-protocol bytes to a string. Structs nest with Begin/End; the writer keeps the previous
// field id per nesting level for the delta-encoded field headers.
class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) { last_ids_.reserve(8); last_ids_.push_back(0); }

  void FieldI16(int16_t id, int16_t v) { FieldHeader(id, CType::kI16); Varint(ZigZag32(v)); }
  void FieldI32(int16_t id, int32_t v) { FieldHeader(id, CType::kI32); Varint(ZigZag32(v)); }
  void FieldI64(int16_t id, int64_t v) { FieldHeader(id, CType::kI64); Varint(ZigZag64(v)); }
  void FieldI8(int16_t id, int8_t v) { FieldHeader(id, CType::kByte); out_->push_back(static_cast<char>(v)); }
  void FieldBool(int16_t id, bool v) { FieldHeader(id, v ? CType::kTrue : CType::kFalse); }
  void FieldBinary(int16_t id, std::string_view v) { FieldHeader(id, CType::kBinary); Binary(v); }
  void FieldStructBegin(int16_t id) { FieldHeader(id, CType::kStruct); BeginStruct(); }
  void FieldListBegin(int16_t id, CType elem, size_t n) { FieldHeader(id, CType::kList); ListHeader(elem, n); }
  // An empty struct as a field (the members of Parquet's "unions of empty structs").
  void FieldEmptyStruct(int16_t id) { FieldStructBegin(id); EndStruct(); }

  // For a struct that is a list element, or the top-level struct.
  void BeginStruct() { last_ids_.push_back(0); }
  void EndStruct() { out_->push_back(0); last_ids_.pop_back(); }

  // List elements.
  void ElemI32(int32_t v) { Varint(ZigZag32(v)); }
  void ElemI64(int64_t v) { Varint(ZigZag64(v)); }
  void ElemBool(bool v) { out_->push_back(v ? 1 : 2); }
  void ElemBinary(std::string_view v) { Binary(v); }

 private:
  static uint32_t ZigZag32(int32_t v) { return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31); }
  static uint64_t ZigZag64(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void FieldHeader(int16_t id, CType type) {
    const int delta = id - last_ids_.back();
    if (delta > 0 && delta <= 15) {
      out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
    } else {
      out_->push_back(static_cast<char>(type));
      Varint(ZigZag32(id));
    }
    last_ids_.back() = id;
  }
  void ListHeader(CType elem, size_t n) {
    if (n < 15) {
      out_->push_back(static_cast<char>((n << 4) | static_cast<int>(elem)));
    } else {
      out_->push_back(static_cast<char>(0xF0 | static_cast<int>(elem)));
      Varint(n);
    }
  }
  void Binary(std::string_view v) {
    Varint(v.size());
    out_->append(v.data(), v.size());
  }

  std::string* out_;
  std::vector<int16_t> last_ids_;
};

// Reads compact-protocol bytes. Errors are sticky: after the first one every read returns a zero value and
// NextField() reports the end of the struct, so decode loops terminate.
class CompactReader {
 public:
  CompactReader(const uint8_t* data, size_t size) : p_(data), end_(data + size), begin_(data) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t position() const { return static_cast<size_t>(p_ - begin_); }

  void BeginStruct();
  void EndStruct();
  // Advances to the next field of the current struct; false at its stop byte (or after an error).
  bool NextField(int16_t* id, CType* type);

  int8_t ReadI8();
  int32_t ReadI32();
  int64_t ReadI64();
  double ReadDouble();
  // A bool field's value (carried in its header) or a bool list element.
  bool ReadBool(CType field_type);
  bool ReadBoolElement();
  std::string ReadBinary();
  std::string_view ReadBinaryView();
  // A list header: element type and count (count capped by the bytes left).
  bool ReadListHeader(CType* elem, uint32_t* n);
  // Skips a value of the given type, recursively.
  void Skip(CType type);

  void Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    p_ = end_;
  }

 private:
  uint64_t Varint();
  int depth_ = 0;
  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  std::vector<int16_t> last_ids_;
  bool pending_bool_ = false;
  std::string error_;
};

}  // namespace floe::parquet::thrift
