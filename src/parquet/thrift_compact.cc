#include "parquet/thrift_compact.h"

namespace floe::parquet::thrift {

namespace {
constexpr int kMaxDepth = 64;
}

uint64_t CompactReader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ >= end_) {
      Fail("varint past end of thrift data");
      return 0;
    }
    const uint8_t b = *p_++;
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  Fail("varint longer than 10 bytes");
  return 0;
}

void CompactReader::BeginStruct() {
  if (++depth_ > kMaxDepth) {
    Fail("thrift nesting deeper than 64");
    return;
  }
  last_ids_.push_back(0);
}

void CompactReader::EndStruct() {
  --depth_;
  if (!last_ids_.empty()) last_ids_.pop_back();
}

bool CompactReader::NextField(int16_t* id, CType* type) {
  if (!ok()) return false;
  if (p_ >= end_) {
    Fail("struct without stop byte");
    return false;
  }
  const uint8_t b = *p_++;
  if (b == 0) return false;
  const uint8_t t = b & 0x0F;
  if (t > static_cast<uint8_t>(CType::kStruct)) {
    Fail("bad thrift field type " + std::to_string(t));
    return false;
  }
  const int delta = b >> 4;
  int64_t fid;
  if (delta == 0) {
    const uint64_t z = Varint();
    fid = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  } else {
    fid = (last_ids_.empty() ? 0 : last_ids_.back()) + delta;
  }
  if (fid < -32768 || fid > 32767) {
    Fail("thrift field id out of range");
    return false;
  }
  if (!last_ids_.empty()) last_ids_.back() = static_cast<int16_t>(fid);
  *id = static_cast<int16_t>(fid);
  *type = static_cast<CType>(t);
  return ok();
}

int8_t CompactReader::ReadI8() {
  if (p_ >= end_) {
    Fail("byte past end of thrift data");
    return 0;
  }
  return static_cast<int8_t>(*p_++);
}

int32_t CompactReader::ReadI32() {
  const uint64_t z = Varint();
  const int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  if (v < INT32_MIN || v > INT32_MAX) {
    Fail("i32 out of range");
    return 0;
  }
  return static_cast<int32_t>(v);
}

int64_t CompactReader::ReadI64() {
  const uint64_t z = Varint();
  return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
}

double CompactReader::ReadDouble() {
  if (end_ - p_ < 8) {
    Fail("double past end of thrift data");
    return 0;
  }
  double d;
  std::memcpy(&d, p_, 8);
  p_ += 8;
  return d;
}

bool CompactReader::ReadBool(CType field_type) { return field_type == CType::kTrue; }

bool CompactReader::ReadBoolElement() { return ReadI8() == 1; }

std::string_view CompactReader::ReadBinaryView() {
  const uint64_t n = Varint();
  if (n > static_cast<uint64_t>(end_ - p_)) {
    Fail("binary length " + std::to_string(n) + " past end of thrift data");
    return {};
  }
  std::string_view v(reinterpret_cast<const char*>(p_), n);
  p_ += n;
  return v;
}

std::string CompactReader::ReadBinary() { return std::string(ReadBinaryView()); }

bool CompactReader::ReadListHeader(CType* elem, uint32_t* n) {
  if (p_ >= end_) {
    Fail("list header past end of thrift data");
    return false;
  }
  const uint8_t b = *p_++;
  uint64_t size = b >> 4;
  if (size == 15) size = Varint();
  const uint8_t t = b & 0x0F;
  if (t > static_cast<uint8_t>(CType::kStruct) || t == 0) {
    Fail("bad thrift list element type");
    return false;
  }
  if (size > static_cast<uint64_t>(end_ - p_)) {
    Fail("list of " + std::to_string(size) + " elements cannot fit in the thrift data left");
    return false;
  }
  *elem = static_cast<CType>(t);
  *n = static_cast<uint32_t>(size);
  return ok();
}

void CompactReader::Skip(CType type) {
  if (!ok()) return;
  if (depth_ > kMaxDepth) {
    Fail("thrift nesting deeper than 64");
    return;
  }
  switch (type) {
    case CType::kStop:
      Fail("unexpected stop");
      return;
    case CType::kTrue:
    case CType::kFalse:
      return;  // value was in the field header
    case CType::kByte: ReadI8(); return;
    case CType::kI16:
    case CType::kI32:
    case CType::kI64: Varint(); return;
    case CType::kDouble: ReadDouble(); return;
    case CType::kBinary: ReadBinaryView(); return;
    case CType::kList:
    case CType::kSet: {
      CType elem;
      uint32_t n;
      if (!ReadListHeader(&elem, &n)) return;
      ++depth_;
      for (uint32_t i = 0; i < n && ok(); ++i) {
        if (elem == CType::kTrue || elem == CType::kFalse) {
          ReadI8();
        } else {
          Skip(elem);
        }
      }
      --depth_;
      return;
    }
    case CType::kMap: {
      const uint64_t n = Varint();
      if (n == 0) return;
      const uint8_t kv = ReadI8();
      if (n > static_cast<uint64_t>(end_ - p_)) {
        Fail("map too large");
        return;
      }
      const auto kt = static_cast<CType>(kv >> 4), vt = static_cast<CType>(kv & 0x0F);
      ++depth_;
      for (uint64_t i = 0; i < n && ok(); ++i) {
        if (kt == CType::kTrue || kt == CType::kFalse) ReadI8(); else Skip(kt);
        if (vt == CType::kTrue || vt == CType::kFalse) ReadI8(); else Skip(vt);
      }
      --depth_;
      return;
    }
    case CType::kStruct: {
      BeginStruct();
      int16_t id;
      CType t;
      while (NextField(&id, &t)) Skip(t);
      EndStruct();
      return;
    }
  }
}

}  // namespace floe::parquet::thrift
