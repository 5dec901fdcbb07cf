#include "parquet/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "parquet/compression.h"
#include "parquet/encoding.h"
#include "parquet/errors.h"
#include "parquet/statistics.h"

namespace floe::parquet {

using columnar::ColumnBuffer;
using columnar::PhysicalType;
using format::Encoding;

namespace {

class FileSource final : public RandomAccessSource {
 public:
  FileSource(int fd, uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  ~FileSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    if (offset > size_ || n > size_ - offset) return Corrupt("read past end of " + path_);
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, out->data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Error(ParquetError::kIo, "read " + path_ + ": " + std::strerror(errno));
      }
      if (r == 0) return Corrupt("file " + path_ + " shrank while reading");
      got += static_cast<size_t>(r);
    }
    return Status::Ok();
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

class StringSource final : public RandomAccessSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  uint64_t size() const override { return data_.size(); }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    if (offset > data_.size() || n > data_.size() - offset) return Corrupt("read past end of buffer");
    out->assign(data_, static_cast<size_t>(offset), n);
    return Status::Ok();
  }

 private:
  std::string data_;
};

size_t PlainWidth(format::Type t, int32_t type_length) {
  switch (t) {
    case format::Type::kInt32:
    case format::Type::kFloat: return 4;
    case format::Type::kInt64:
    case format::Type::kDouble: return 8;
    case format::Type::kInt96: return 12;
    case format::Type::kFixedLenByteArray: return static_cast<size_t>(type_length);
    default: return 0;
  }
}

// Julian day + nanos of day (INT96) to microseconds since the epoch.
int64_t Int96ToMicros(const uint8_t* p) {
  int64_t nanos;
  int32_t julian;
  std::memcpy(&nanos, p, 8);
  std::memcpy(&julian, p + 8, 4);
  return (static_cast<int64_t>(julian) - 2440588) * 86400000000LL + nanos / 1000;
}

// Decodes one column chunk's pages into a ColumnBuffer.
class ChunkDecoder {
 public:
  ChunkDecoder(const columnar::LeafColumn& leaf, format::Type type, format::Codec codec, const ReaderOptions& o)
      : leaf_(leaf), type_(type), codec_(codec), options_(o),
        width_(PlainWidth(type, leaf.node->type_length)) {}

  Status Decode(const uint8_t* p, size_t n, int64_t expected_values, ColumnBuffer* out) {
    if (!CodecSupported(codec_))
      return Error(ParquetError::kUnsupported, std::string("codec ") + format::CodecName(codec_));
    size_t pos = 0;
    int64_t read = 0;
    while (pos < n && read < expected_values) {
      format::PageHeader h;
      size_t hl = 0;
      FLOE_RETURN_IF_ERROR(format::Parse(p + pos, n - pos, &h, &hl));
      pos += hl;
      if (h.compressed_page_size < 0 || static_cast<size_t>(h.compressed_page_size) > n - pos)
        return Corrupt("page of " + std::to_string(h.compressed_page_size) + " bytes runs past its column chunk");
      if (h.uncompressed_page_size < 0 || static_cast<uint64_t>(h.uncompressed_page_size) > options_.max_page_bytes)
        return Error(ParquetError::kLimitExceeded, "page claims " + std::to_string(h.uncompressed_page_size) +
                                                       " uncompressed bytes");
      const uint8_t* body = p + pos;
      const size_t clen = static_cast<size_t>(h.compressed_page_size);
      pos += clen;
      switch (h.type) {
        case format::PageType::kDictionaryPage:
          if (!h.dictionary_page_header) return Corrupt("dictionary page without its header");
          FLOE_RETURN_IF_ERROR(ReadDictionary(h, body, clen));
          break;
        case format::PageType::kDataPage: {
          if (!h.data_page_header) return Corrupt("data page without its header");
          int64_t entries = 0;
          FLOE_RETURN_IF_ERROR(ReadDataPageV1(h, body, clen, out, &entries));
          read += entries;
          break;
        }
        case format::PageType::kDataPageV2: {
          if (!h.data_page_header_v2) return Corrupt("data page v2 without its header");
          int64_t entries = 0;
          FLOE_RETURN_IF_ERROR(ReadDataPageV2(h, body, clen, out, &entries));
          read += entries;
          break;
        }
        default:
          break;  // index pages and unknown page types carry nothing we need
      }
    }
    if (read != expected_values)
      return Corrupt("column chunk holds " + std::to_string(read) + " values, metadata says " +
                     std::to_string(expected_values));
    return Status::Ok();
  }

 private:
  Status CheckEntries(int64_t n) {
    if (n < 0 || static_cast<uint64_t>(n) > options_.max_page_values)
      return Error(ParquetError::kLimitExceeded, "page claims " + std::to_string(n) + " values");
    return Status::Ok();
  }

  Status ReadDictionary(const format::PageHeader& h, const uint8_t* body, size_t clen) {
    const auto& d = *h.dictionary_page_header;
    if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary)
      return Error(ParquetError::kUnsupported, std::string("dictionary encoding ") + format::EncodingName(d.encoding));
    FLOE_RETURN_IF_ERROR(CheckEntries(d.num_values));
    FLOE_RETURN_IF_ERROR(Decompress(codec_, body, clen, static_cast<size_t>(h.uncompressed_page_size), &page_));
    FLOE_RETURN_IF_ERROR(DecodePlain(reinterpret_cast<const uint8_t*>(page_.data()), page_.size(),
                                     static_cast<size_t>(d.num_values), &dict_));
    has_dict_ = true;
    return Status::Ok();
  }

  Status ReadLevels(RleDecoder& dec, int16_t max, size_t n, std::vector<int16_t>* out) {
    out->resize(n);
    if (dec.Get(out->data(), n) != n) return Corrupt("levels end before the page's values");
    for (int16_t l : *out) {
      if (l < 0 || l > max) return Corrupt("level " + std::to_string(l) + " above the column's maximum");
    }
    return Status::Ok();
  }

  Status ReadDataPageV1(const format::PageHeader& h, const uint8_t* body, size_t clen, ColumnBuffer* out,
                        int64_t* entries) {
    const auto& dh = *h.data_page_header;
    FLOE_RETURN_IF_ERROR(CheckEntries(dh.num_values));
    FLOE_RETURN_IF_ERROR(Decompress(codec_, body, clen, static_cast<size_t>(h.uncompressed_page_size), &page_));
    const uint8_t* p = reinterpret_cast<const uint8_t*>(page_.data());
    size_t left = page_.size();
    const size_t n = static_cast<size_t>(dh.num_values);
    auto levels = [&](int16_t max, Encoding enc, std::vector<int16_t>* lv) -> Status {
      if (max == 0) {
        lv->clear();
        return Status::Ok();
      }
      if (enc != Encoding::kRle)
        return Error(ParquetError::kUnsupported, std::string("level encoding ") + format::EncodingName(enc));
      if (left < 4) return Corrupt("truncated level length");
      uint32_t len;
      std::memcpy(&len, p, 4);
      if (len > left - 4) return Corrupt("level length past end of page");
      RleDecoder dec(p + 4, len, BitWidth(static_cast<uint64_t>(max)));
      p += 4 + len;
      left -= 4 + len;
      return ReadLevels(dec, max, n, lv);
    };
    FLOE_RETURN_IF_ERROR(levels(leaf_.max_repetition_level, dh.repetition_level_encoding, &rep_));
    FLOE_RETURN_IF_ERROR(levels(leaf_.max_definition_level, dh.definition_level_encoding, &def_));
    *entries = dh.num_values;
    return DecodeValuesAndAppend(dh.encoding, p, left, n, out);
  }

  Status ReadDataPageV2(const format::PageHeader& h, const uint8_t* body, size_t clen, ColumnBuffer* out,
                        int64_t* entries) {
    const auto& dh = *h.data_page_header_v2;
    FLOE_RETURN_IF_ERROR(CheckEntries(dh.num_values));
    if (dh.repetition_levels_byte_length < 0 || dh.definition_levels_byte_length < 0 ||
        static_cast<uint64_t>(dh.repetition_levels_byte_length) + static_cast<uint64_t>(dh.definition_levels_byte_length) > clen)
      return Corrupt("v2 level lengths past end of page");
    const size_t n = static_cast<size_t>(dh.num_values);
    const size_t rl = static_cast<size_t>(dh.repetition_levels_byte_length);
    const size_t dl = static_cast<size_t>(dh.definition_levels_byte_length);
    if (leaf_.max_repetition_level > 0) {
      RleDecoder dec(body, rl, BitWidth(static_cast<uint64_t>(leaf_.max_repetition_level)));
      FLOE_RETURN_IF_ERROR(ReadLevels(dec, leaf_.max_repetition_level, n, &rep_));
    } else {
      rep_.clear();
    }
    if (leaf_.max_definition_level > 0) {
      RleDecoder dec(body + rl, dl, BitWidth(static_cast<uint64_t>(leaf_.max_definition_level)));
      FLOE_RETURN_IF_ERROR(ReadLevels(dec, leaf_.max_definition_level, n, &def_));
    } else {
      def_.clear();
    }
    const uint8_t* vp = body + rl + dl;
    const size_t vlen = clen - rl - dl;
    if (h.uncompressed_page_size < static_cast<int32_t>(rl + dl)) return Corrupt("v2 page smaller than its levels");
    const size_t vuncompressed = static_cast<size_t>(h.uncompressed_page_size) - rl - dl;
    if (dh.is_compressed && codec_ != format::Codec::kUncompressed) {
      FLOE_RETURN_IF_ERROR(Decompress(codec_, vp, vlen, vuncompressed, &page_));
    } else {
      page_.assign(reinterpret_cast<const char*>(vp), vlen);
    }
    *entries = dh.num_values;
    return DecodeValuesAndAppend(dh.encoding, reinterpret_cast<const uint8_t*>(page_.data()), page_.size(), n, out);
  }

  // Decoded values: fixed-width values in `fixed` (columnar width), byte arrays in arena/offsets.
  struct Values {
    std::string fixed;
    std::string arena;
    std::vector<uint32_t> offsets;
    size_t count = 0;
  };

  size_t OutWidth() const {
    switch (leaf_.node->physical) {
      case PhysicalType::kBoolean: return 1;
      case PhysicalType::kInt32:
      case PhysicalType::kFloat: return 4;
      case PhysicalType::kInt64:
      case PhysicalType::kDouble: return 8;
      case PhysicalType::kFixedLenByteArray: return static_cast<size_t>(leaf_.node->type_length);
      case PhysicalType::kByteArray: return 0;
    }
    return 0;
  }

  Status DecodePlain(const uint8_t* p, size_t n, size_t count, Values* v) {
    v->count = count;
    v->fixed.clear();
    v->arena.clear();
    v->offsets.assign(1, 0);
    switch (type_) {
      case format::Type::kBoolean:
        if (count > n * 8) return Corrupt("PLAIN booleans past end of page");
        v->fixed.resize(count);
        for (size_t i = 0; i < count; ++i) v->fixed[i] = static_cast<char>((p[i >> 3] >> (i & 7)) & 1);
        return Status::Ok();
      case format::Type::kByteArray: {
        size_t pos = 0;
        v->offsets.reserve(std::min(count, n / 4) + 1);
        for (size_t i = 0; i < count; ++i) {
          if (n - pos < 4) return Corrupt("PLAIN byte array length past end of page");
          uint32_t len;
          std::memcpy(&len, p + pos, 4);
          pos += 4;
          if (len > n - pos) return Corrupt("PLAIN byte array past end of page");
          v->arena.append(reinterpret_cast<const char*>(p + pos), len);
          pos += len;
          v->offsets.push_back(static_cast<uint32_t>(v->arena.size()));
        }
        return Status::Ok();
      }
      case format::Type::kInt96: {
        if (count > n / 12) return Corrupt("PLAIN INT96 past end of page");
        v->fixed.resize(count * 8);
        for (size_t i = 0; i < count; ++i) {
          const int64_t us = Int96ToMicros(p + i * 12);
          std::memcpy(v->fixed.data() + i * 8, &us, 8);
        }
        return Status::Ok();
      }
      default: {
        if (width_ == 0 || count > n / width_) return Corrupt("PLAIN values past end of page");
        v->fixed.assign(reinterpret_cast<const char*>(p), count * width_);
        return Status::Ok();
      }
    }
  }

  Status DecodeValuesAndAppend(Encoding enc, const uint8_t* p, size_t n, size_t entries, ColumnBuffer* out) {
    const int16_t max_def = leaf_.max_definition_level;
    size_t nn = entries;
    if (max_def > 0) {
      nn = 0;
      for (int16_t d : def_) nn += d == max_def;
    }
    if (leaf_.max_repetition_level > 0 && out->num_entries() == 0 && entries > 0 && rep_[0] != 0)
      return Corrupt("column chunk starts inside a record");
    Values& v = values_;
    const Values* src = &v;
    switch (enc) {
      case Encoding::kPlain:
        FLOE_RETURN_IF_ERROR(DecodePlain(p, n, nn, &v));
        break;
      case Encoding::kPlainDictionary:
      case Encoding::kRleDictionary: {
        if (!has_dict_) return Corrupt("dictionary-encoded page without a dictionary");
        if (nn > 0) {
          if (n < 1) return Corrupt("missing dictionary index bit width");
          const int bw = p[0];
          if (bw > 32) return Corrupt("dictionary index bit width " + std::to_string(bw));
          RleDecoder dec(p + 1, n - 1, bw);
          indices_.resize(nn);
          if (dec.Get(indices_.data(), nn) != nn) return Corrupt("dictionary indices end early");
          for (uint32_t k : indices_) {
            if (k >= dict_.count) return Corrupt("dictionary index out of range");
          }
        }
        src = &dict_;
        break;
      }
      case Encoding::kRle: {
        if (type_ != format::Type::kBoolean) return Corrupt("RLE values on a non-boolean column");
        if (n < 4) return Corrupt("truncated RLE boolean length");
        uint32_t len;
        std::memcpy(&len, p, 4);
        if (len > n - 4) return Corrupt("RLE boolean length past end of page");
        RleDecoder dec(p + 4, len, 1);
        indices_.resize(nn);
        if (dec.Get(indices_.data(), nn) != nn) return Corrupt("RLE booleans end early");
        v.fixed.resize(nn);
        for (size_t i = 0; i < nn; ++i) v.fixed[i] = static_cast<char>(indices_[i] & 1);
        v.count = nn;
        break;
      }
      case Encoding::kDeltaBinaryPacked: {
        if (type_ != format::Type::kInt32 && type_ != format::Type::kInt64)
          return Corrupt("DELTA_BINARY_PACKED on a non-integer column");
        std::vector<int64_t> ints;
        FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(p, n, nn, type_ == format::Type::kInt32, &ints, nullptr));
        if (ints.size() != nn) return Corrupt("DELTA_BINARY_PACKED holds fewer values than the page");
        v.count = nn;
        v.fixed.resize(nn * width_);
        for (size_t i = 0; i < nn; ++i) {
          if (width_ == 4) {
            const int32_t x = static_cast<int32_t>(ints[i]);
            std::memcpy(v.fixed.data() + i * 4, &x, 4);
          } else {
            std::memcpy(v.fixed.data() + i * 8, &ints[i], 8);
          }
        }
        break;
      }
      case Encoding::kDeltaLengthByteArray:
      case Encoding::kDeltaByteArray: {
        if (type_ != format::Type::kByteArray && type_ != format::Type::kFixedLenByteArray)
          return Corrupt("delta byte-array encoding on a non-binary column");
        FLOE_RETURN_IF_ERROR(enc == Encoding::kDeltaByteArray ? DecodeDeltaByteArray(p, n, nn, &v.arena, &v.offsets)
                                                              : DecodeDeltaLengthByteArray(p, n, nn, &v.arena, &v.offsets));
        v.count = nn;
        if (type_ == format::Type::kFixedLenByteArray) {
          for (size_t i = 0; i < nn; ++i) {
            if (v.offsets[i + 1] - v.offsets[i] != width_) return Corrupt("fixed-length value of the wrong length");
          }
          v.fixed = v.arena;
        }
        break;
      }
      case Encoding::kByteStreamSplit: {
        if (width_ == 0 || type_ == format::Type::kInt96) return Corrupt("BYTE_STREAM_SPLIT on a variable-width column");
        if (nn > n / width_) return Corrupt("BYTE_STREAM_SPLIT data shorter than its values");
        v.fixed.resize(nn * width_);
        FLOE_RETURN_IF_ERROR(DecodeByteStreamSplit(p, n, nn, width_, reinterpret_cast<uint8_t*>(v.fixed.data())));
        v.count = nn;
        break;
      }
      default:
        return Error(ParquetError::kUnsupported, std::string("encoding ") + format::EncodingName(enc));
    }
    const bool dict = src == &dict_;
    if (!dict && src->count != nn) return Corrupt("page holds fewer values than its levels say");
    Append(*src, dict ? indices_.data() : nullptr, entries, out);
    return Status::Ok();
  }

  void Append(const Values& v, const uint32_t* idx, size_t entries, ColumnBuffer* out) {
    const int16_t max_def = leaf_.max_definition_level;
    const bool has_def = max_def > 0, has_rep = leaf_.max_repetition_level > 0;
    const size_t w = OutWidth();
    const PhysicalType pt = leaf_.node->physical;
    size_t k = 0;
    for (size_t i = 0; i < entries; ++i) {
      const int16_t d = has_def ? def_[i] : 0;
      const int16_t r = has_rep ? rep_[i] : 0;
      if (d != max_def) {
        out->AppendNull(d, r);
        continue;
      }
      const size_t j = idx ? idx[k] : k;
      ++k;
      switch (pt) {
        case PhysicalType::kBoolean: out->AppendBool(v.fixed[j] != 0, d, r); break;
        case PhysicalType::kByteArray:
          out->AppendBytes(v.arena.data() + v.offsets[j], v.offsets[j + 1] - v.offsets[j], d, r);
          break;
        default: out->AppendFixedBytes(v.fixed.data() + j * w, w, d, r); break;
      }
    }
  }

  const columnar::LeafColumn& leaf_;
  const format::Type type_;
  const format::Codec codec_;
  const ReaderOptions& options_;
  const size_t width_;
  std::string page_;
  std::vector<int16_t> def_, rep_;
  std::vector<uint32_t> indices_;
  Values values_;
  Values dict_;
  bool has_dict_ = false;
};

// PLAIN bytes of a predicate value in the leaf's physical type; nullopt when the value cannot be compared.
std::optional<std::string> EncodePredicateValue(const columnar::Node& leaf, const Predicate& p) {
  const auto& val = p.value;
  const bool is_unsigned = SortOrderOf(leaf) == SortOrder::kUnsigned;
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      if (auto b = std::get_if<bool>(&val)) return std::string(1, *b ? '\1' : '\0');
      return std::nullopt;
    case PhysicalType::kInt32:
      if (auto i = std::get_if<int64_t>(&val)) {
        if (is_unsigned ? (*i < 0 || *i > UINT32_MAX) : (*i < INT32_MIN || *i > INT32_MAX)) return std::nullopt;
        const int32_t x = static_cast<int32_t>(*i);
        return std::string(reinterpret_cast<const char*>(&x), 4);
      }
      return std::nullopt;
    case PhysicalType::kInt64:
      if (auto i = std::get_if<int64_t>(&val)) {
        if (is_unsigned && *i < 0) return std::nullopt;
        return std::string(reinterpret_cast<const char*>(&*i), 8);
      }
      return std::nullopt;
    case PhysicalType::kFloat: {
      double d;
      if (auto x = std::get_if<double>(&val)) d = *x;
      else if (auto i = std::get_if<int64_t>(&val)) d = static_cast<double>(*i);
      else return std::nullopt;
      const float f = static_cast<float>(d);
      if (static_cast<double>(f) != d) return std::nullopt;
      return std::string(reinterpret_cast<const char*>(&f), 4);
    }
    case PhysicalType::kDouble: {
      double d;
      if (auto x = std::get_if<double>(&val)) d = *x;
      else if (auto i = std::get_if<int64_t>(&val)) d = static_cast<double>(*i);
      else return std::nullopt;
      return std::string(reinterpret_cast<const char*>(&d), 8);
    }
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      if (SortOrderOf(leaf) != SortOrder::kBytes) return std::nullopt;
      if (auto s = std::get_if<std::string>(&val)) return *s;
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<RandomAccessSource>> OpenFileSource(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus("stat", path, err);
  }
  return std::unique_ptr<RandomAccessSource>(new FileSource(fd, static_cast<uint64_t>(st.st_size), path));
}

std::unique_ptr<RandomAccessSource> MemorySource(std::string data) {
  return std::make_unique<StringSource>(std::move(data));
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(std::unique_ptr<RandomAccessSource> source,
                                                           ReaderOptions options) {
  std::unique_ptr<ParquetReader> r(new ParquetReader(std::move(source), options));
  FLOE_RETURN_IF_ERROR(r->Init());
  return r;
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::OpenFile(const std::string& path, ReaderOptions options) {
  FLOE_ASSIGN_OR_RETURN(auto src, OpenFileSource(path));
  auto r = Open(std::move(src), options);
  if (!r.ok()) return r.status().WithContext(path);
  return r;
}

Status ParquetReader::Init() {
  const uint64_t size = source_->size();
  if (size < 12) return Corrupt("file of " + std::to_string(size) + " bytes is too small for Parquet");
  std::string tail;
  FLOE_RETURN_IF_ERROR(source_->ReadAt(size - 8, 8, &tail));
  if (std::memcmp(tail.data() + 4, "PAR1", 4) != 0) {
    if (std::memcmp(tail.data() + 4, "PARE", 4) == 0) return Error(ParquetError::kUnsupported, "encrypted footer");
    return Corrupt("missing PAR1 magic at end of file");
  }
  std::string head;
  FLOE_RETURN_IF_ERROR(source_->ReadAt(0, 4, &head));
  if (head != "PAR1") return Corrupt("missing PAR1 magic at start of file");
  uint32_t footer_len;
  std::memcpy(&footer_len, tail.data(), 4);
  if (footer_len > size - 12) return Corrupt("footer length " + std::to_string(footer_len) + " exceeds the file");
  if (footer_len > options_.max_footer_bytes)
    return Error(ParquetError::kLimitExceeded, "footer of " + std::to_string(footer_len) + " bytes");
  std::string footer;
  FLOE_RETURN_IF_ERROR(source_->ReadAt(size - 8 - footer_len, footer_len, &footer));
  FLOE_RETURN_IF_ERROR(format::Parse(reinterpret_cast<const uint8_t*>(footer.data()), footer.size(), &metadata_));
  if (metadata_.encrypted) return Error(ParquetError::kUnsupported, "encrypted file");
  FLOE_ASSIGN_OR_RETURN(file_schema_, FromParquetSchema(metadata_.schema));
  const size_t nleaves = file_schema_.schema.num_leaves();
  for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
    const auto& rg = metadata_.row_groups[g];
    if (rg.columns.size() != nleaves)
      return Corrupt("row group " + std::to_string(g) + " has " + std::to_string(rg.columns.size()) +
                     " column chunks for " + std::to_string(nleaves) + " leaves");
    if (rg.num_rows < 0) return Corrupt("negative row count");
    for (const auto& c : rg.columns) {
      if (c.encrypted) return Error(ParquetError::kUnsupported, "encrypted column");
      if (!c.meta_data) return Corrupt("column chunk without metadata");
      if (c.file_path) return Error(ParquetError::kUnsupported, "column chunk in an external file");
    }
  }
  return Project({});
}

Status ParquetReader::Project(const std::vector<std::string>& fields) {
  const auto& root = file_schema_.schema.root();
  projected_leaves_.clear();
  if (fields.empty()) {
    projected_ = file_schema_.schema;
    for (size_t i = 0; i < projected_.num_leaves(); ++i) projected_leaves_.push_back(i);
    return Status::Ok();
  }
  std::vector<columnar::NodePtr> chosen;
  for (const auto& f : fields) {
    size_t k = 0;
    while (k < root.children.size() && root.children[k]->name != f) ++k;
    if (k == root.children.size()) return Error(ParquetError::kInvalidArgument, "no column '" + f + "' in file");
    chosen.push_back(root.children[k]);
    const size_t b = file_schema_.schema.first_leaf_of_field(k);
    for (size_t j = 0; j < file_schema_.schema.leaf_count_of_field(k); ++j) projected_leaves_.push_back(b + j);
  }
  projected_ = columnar::Schema(columnar::Node::Record(root.name, std::move(chosen), false));
  return Status::Ok();
}

Status ParquetReader::ReadRowGroup(size_t g, columnar::ColumnarBatch* batch) {
  if (g >= metadata_.row_groups.size()) return Error(ParquetError::kInvalidArgument, "no row group " + std::to_string(g));
  if (batch->schema().root_ptr() != projected_.root_ptr()) batch->Reset(projected_);
  else batch->Clear();
  const auto& rg = metadata_.row_groups[g];
  const uint64_t fsize = source_->size();
  for (size_t k = 0; k < projected_leaves_.size(); ++k) {
    const size_t leaf = projected_leaves_[k];
    const auto& m = *rg.columns[leaf].meta_data;
    int64_t start = m.data_page_offset;
    if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 && *m.dictionary_page_offset < start)
      start = *m.dictionary_page_offset;
    const int64_t len = m.total_compressed_size;
    if (start < 4 || len < 0 || static_cast<uint64_t>(start) > fsize || static_cast<uint64_t>(len) > fsize - static_cast<uint64_t>(start))
      return Corrupt("column chunk " + batch->column(k).leaf().dotted_path() + " lies outside the file");
    if (static_cast<uint64_t>(len) > options_.max_chunk_bytes)
      return Error(ParquetError::kLimitExceeded, "column chunk of " + std::to_string(len) + " bytes");
    if (m.num_values < 0 || static_cast<uint64_t>(m.num_values) > options_.max_row_group_values)
      return Error(ParquetError::kLimitExceeded, "column chunk claims " + std::to_string(m.num_values) + " values");
    FLOE_RETURN_IF_ERROR(source_->ReadAt(static_cast<uint64_t>(start), static_cast<size_t>(len), &chunk_buf_));
    const auto& leaf_col = batch->column(k).leaf();
    ChunkDecoder dec(leaf_col, file_schema_.leaf_types[leaf], m.codec, options_);
    Status st = dec.Decode(reinterpret_cast<const uint8_t*>(chunk_buf_.data()), chunk_buf_.size(), m.num_values,
                           &batch->column(k));
    if (!st.ok()) return st.WithContext("row group " + std::to_string(g) + " column " + leaf_col.dotted_path());
  }
  // Every leaf must describe the same number of records.
  for (size_t k = 0; k < batch->num_columns(); ++k) {
    const auto& c = batch->column(k);
    size_t records = c.num_entries();
    if (c.max_repetition_level() > 0) {
      records = 0;
      for (int16_t r : c.rep_levels()) records += r == 0;
    }
    if (records != static_cast<size_t>(rg.num_rows))
      return Corrupt("column " + c.leaf().dotted_path() + " holds " + std::to_string(records) + " rows, row group " +
                     std::to_string(rg.num_rows));
  }
  for (int64_t i = 0; i < rg.num_rows; ++i) batch->EndRecord();
  return Status::Ok();
}

Result<std::optional<format::ColumnIndex>> ParquetReader::ReadColumnIndex(size_t g, size_t leaf) {
  if (g >= metadata_.row_groups.size() || leaf >= schema().num_leaves())
    return Error(ParquetError::kInvalidArgument, "no such column chunk");
  const auto& c = metadata_.row_groups[g].columns[leaf];
  if (!c.column_index_offset || !c.column_index_length) return std::optional<format::ColumnIndex>();
  const int64_t off = *c.column_index_offset, len = *c.column_index_length;
  if (off < 0 || len < 0 || static_cast<uint64_t>(off) + static_cast<uint64_t>(len) > source_->size())
    return Corrupt("column index outside the file");
  std::string buf;
  FLOE_RETURN_IF_ERROR(source_->ReadAt(static_cast<uint64_t>(off), static_cast<size_t>(len), &buf));
  format::ColumnIndex ci;
  FLOE_RETURN_IF_ERROR(format::Parse(reinterpret_cast<const uint8_t*>(buf.data()), buf.size(), &ci));
  return std::optional<format::ColumnIndex>(std::move(ci));
}

Result<std::optional<format::OffsetIndex>> ParquetReader::ReadOffsetIndex(size_t g, size_t leaf) {
  if (g >= metadata_.row_groups.size() || leaf >= schema().num_leaves())
    return Error(ParquetError::kInvalidArgument, "no such column chunk");
  const auto& c = metadata_.row_groups[g].columns[leaf];
  if (!c.offset_index_offset || !c.offset_index_length) return std::optional<format::OffsetIndex>();
  const int64_t off = *c.offset_index_offset, len = *c.offset_index_length;
  if (off < 0 || len < 0 || static_cast<uint64_t>(off) + static_cast<uint64_t>(len) > source_->size())
    return Corrupt("offset index outside the file");
  std::string buf;
  FLOE_RETURN_IF_ERROR(source_->ReadAt(static_cast<uint64_t>(off), static_cast<size_t>(len), &buf));
  format::OffsetIndex oi;
  FLOE_RETURN_IF_ERROR(format::Parse(reinterpret_cast<const uint8_t*>(buf.data()), buf.size(), &oi));
  return std::optional<format::OffsetIndex>(std::move(oi));
}

Result<std::optional<SplitBlockBloomFilter>> ParquetReader::ReadBloomFilter(size_t g, size_t leaf) {
  if (g >= metadata_.row_groups.size() || leaf >= schema().num_leaves())
    return Error(ParquetError::kInvalidArgument, "no such column chunk");
  const auto& m = *metadata_.row_groups[g].columns[leaf].meta_data;
  if (!m.bloom_filter_offset) return std::optional<SplitBlockBloomFilter>();
  const int64_t off = *m.bloom_filter_offset;
  if (off < 4 || static_cast<uint64_t>(off) >= source_->size()) return Corrupt("bloom filter outside the file");
  // Header first (its length is unknown without bloom_filter_length: read a bounded prefix).
  const uint64_t avail = source_->size() - static_cast<uint64_t>(off);
  std::string buf;
  FLOE_RETURN_IF_ERROR(source_->ReadAt(static_cast<uint64_t>(off), static_cast<size_t>(std::min<uint64_t>(avail, 64)), &buf));
  format::BloomFilterHeader h;
  size_t hl = 0;
  FLOE_RETURN_IF_ERROR(format::Parse(reinterpret_cast<const uint8_t*>(buf.data()), buf.size(), &h, &hl));
  if (h.num_bytes <= 0 || static_cast<uint32_t>(h.num_bytes) > SplitBlockBloomFilter::kMaxBytes ||
      static_cast<uint64_t>(h.num_bytes) > avail - hl)
    return Corrupt("bloom filter size " + std::to_string(h.num_bytes) + " is invalid");
  FLOE_RETURN_IF_ERROR(source_->ReadAt(static_cast<uint64_t>(off) + hl, static_cast<size_t>(h.num_bytes), &buf));
  SplitBlockBloomFilter f;
  if (!f.Load(buf)) return Corrupt("bloom filter bitset is not a whole number of blocks");
  return std::optional<SplitBlockBloomFilter>(std::move(f));
}

Result<bool> ParquetReader::MayMatch(size_t g, const Predicate& p) {
  const auto& leaves = schema().leaves();
  size_t leaf = 0;
  while (leaf < leaves.size() && leaves[leaf].dotted_path() != p.column) ++leaf;
  if (leaf == leaves.size()) return Error(ParquetError::kInvalidArgument, "no column '" + p.column + "' in file");
  if (leaves[leaf].max_repetition_level > 0) return true;
  const auto& node = *leaves[leaf].node;
  const auto& m = *metadata_.row_groups[g].columns[leaf].meta_data;
  if (!m.statistics) return true;
  const auto& st = *m.statistics;
  using Op = Predicate::Op;
  if (p.op == Op::kIsNull) return !st.null_count || *st.null_count > 0;
  if (p.op == Op::kIsNotNull) return !st.null_count || *st.null_count < m.num_values;
  if (st.null_count && *st.null_count == m.num_values) return false;  // comparisons with null never match
  const auto v = EncodePredicateValue(node, p);
  if (!v) return true;
  // min_value/max_value follow the column order; the legacy min/max are only trustworthy for signed orders.
  const bool type_order = !metadata_.column_orders.empty() && leaf < metadata_.column_orders.size() &&
                          metadata_.column_orders[leaf] == 1;
  std::optional<std::string> mn, mx;
  if (st.min_value && st.max_value && type_order) {
    mn = st.min_value;
    mx = st.max_value;
  } else if (st.min && st.max && SortOrderOf(node) == SortOrder::kSigned &&
             node.physical != PhysicalType::kByteArray && node.physical != PhysicalType::kFixedLenByteArray) {
    mn = st.min;
    mx = st.max;
  }
  const bool is_float = node.physical == PhysicalType::kFloat || node.physical == PhysicalType::kDouble;
  if (mn && mx && !(is_float && !st.nan_count)) {
    const int c_min = CompareStatValues(node, *v, *mn);
    const int c_max = CompareStatValues(node, *v, *mx);
    switch (p.op) {
      case Op::kEq: if (c_min < 0 || c_max > 0) return false; break;
      case Op::kNotEq:
        if (c_min == 0 && c_max == 0 && st.null_count && *st.null_count == 0 &&
            st.is_min_value_exact.value_or(true) && st.is_max_value_exact.value_or(true))
          return false;
        break;
      case Op::kLt: if (c_min <= 0) return false; break;
      case Op::kLtEq: if (c_min < 0) return false; break;
      case Op::kGt: if (c_max >= 0) return false; break;
      case Op::kGtEq: if (c_max > 0) return false; break;
      default: break;
    }
  }
  if (p.op == Op::kEq && m.bloom_filter_offset) {
    FLOE_ASSIGN_OR_RETURN(auto bloom, ReadBloomFilter(g, leaf));
    if (bloom && !bloom->MightContain(XxHash64(v->data(), v->size()))) return false;
  }
  return true;
}

Result<std::vector<size_t>> ParquetReader::SelectRowGroups(const std::vector<Predicate>& predicates) {
  std::vector<size_t> out;
  for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
    bool keep = true;
    for (const auto& p : predicates) {
      FLOE_ASSIGN_OR_RETURN(bool may, MayMatch(g, p));
      if (!may) {
        keep = false;
        break;
      }
    }
    if (keep) out.push_back(g);
  }
  return out;
}

}  // namespace floe::parquet
