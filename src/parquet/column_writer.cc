#include "parquet/column_writer.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "common/unaligned.h"
#include "parquet/bloom_filter.h"
#include "parquet/compression.h"
#include "parquet/encoding.h"
#include "parquet/errors.h"
#include "parquet/schema_mapping.h"
#include "parquet/statistics.h"

namespace floe::parquet {

using columnar::ColumnBuffer;
using columnar::LogicalKind;
using columnar::PhysicalType;
using format::Encoding;

namespace {

// Per-thread encode/compress buffers: pages exist in encoded form only while they are being written, so
// thousands of writers on one thread share these instead of holding their own.
struct Scratch {
  std::string body;
  std::string compressed;
  std::string header;
  std::string alt;
};
Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

constexpr size_t kSliceEntries = 1024;
// Pages smaller than this neither start nor end a run of stored pages (CompressPageValues).
constexpr size_t kMinStoreProbeBytes = 1024;
// A dictionary whose entries exceed this share of the first page's values is dropped before it is used.
constexpr double kDistinctRatioForPlain = 0.5;
// First pages with fewer values than this do not teach the DictionaryHistory that a column is mostly distinct.
constexpr size_t kMinValuesToJudgeDictionary = 1024;

size_t VectorBytes(const auto& v) { return v.capacity() * sizeof(v[0]); }

size_t HeapBytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Parses a page entry (written by FlushPage/WritePageBytes); any overrun makes ok() false.
class EntryReader {
 public:
  explicit EntryReader(std::string_view b) : b_(b) {}
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) return Fail();
      const uint8_t c = static_cast<uint8_t>(b_[pos_++]);
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    return Fail();
  }
  uint8_t Byte() { return pos_ < b_.size() ? static_cast<uint8_t>(b_[pos_++]) : static_cast<uint8_t>(Fail()); }
  std::string Bytes() {
    const uint64_t n = Varint();
    if (n > b_.size() - pos_) return Fail(), std::string();
    std::string v(b_.substr(pos_, n));
    pos_ += n;
    return v;
  }
  bool ok() const { return ok_ && pos_ == b_.size(); }

 private:
  uint64_t Fail() {
    ok_ = false;
    pos_ = b_.size();
    return 0;
  }
  std::string_view b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// The byte-array dictionary's hash (32 bits; the Bloom filter's XXH64 is computed apart, only when a filter
// is written). Dictionary lookups hash every value and most values are short (ids, codes, names), so short
// values take one or two loads and two multiplications instead of XXH64's per-byte rounds: 1–3 bytes are
// gathered into one word, 4–16 bytes are read as two overlapping words (distinct values of one length
// give distinct words), longer ones 16 bytes per step. Each step folds the 128-bit product's halves, so
// every input bit reaches the top bits the table is indexed by.
inline uint64_t Fold(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
// a == b for two values of length n whose hashes matched, without a memcmp call for short ones.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  using U64 = uint64_t;
  using U32 = uint32_t;
  if (n >= 8 && n <= 16)
    return LoadUnaligned<U64>(a) == LoadUnaligned<U64>(b) && LoadUnaligned<U64>(a + n - 8) == LoadUnaligned<U64>(b + n - 8);
  if (n >= 4 && n < 8)
    return LoadUnaligned<U32>(a) == LoadUnaligned<U32>(b) && LoadUnaligned<U32>(a + n - 4) == LoadUnaligned<U32>(b + n - 4);
  return n == 0 || std::memcmp(a, b, n) == 0;
}
uint32_t DictHash(const char* p, size_t n) {
  constexpr uint64_t kA = 0xa0761d6478bd642fULL, kB = 0xe7037ed1a0b428dbULL;
  uint64_t seed = kA, a = 0, b = 0;
  if (n > 16) {
    size_t i = 0;
    for (; i + 16 < n; i += 16)
      seed = Fold(LoadUnaligned<uint64_t>(p + i) ^ kB, LoadUnaligned<uint64_t>(p + i + 8) ^ seed);
    a = LoadUnaligned<uint64_t>(p + n - 16);
    b = LoadUnaligned<uint64_t>(p + n - 8);
  } else if (n >= 8) {
    a = LoadUnaligned<uint64_t>(p);
    b = LoadUnaligned<uint64_t>(p + n - 8);
  } else if (n >= 4) {
    a = LoadUnaligned<uint32_t>(p);
    b = LoadUnaligned<uint32_t>(p + n - 4);
  } else if (n > 0) {
    a = (uint64_t{static_cast<uint8_t>(p[0])} << 16) | (uint64_t{static_cast<uint8_t>(p[n >> 1])} << 8) |
        static_cast<uint8_t>(p[n - 1]);
  }
  return static_cast<uint32_t>(Fold(kB ^ n, Fold(a ^ kB, b ^ seed)) >> 32);
}

// Distinct xxHash64 values of a chunk, for sizing its Bloom filter at the end. Past the number of distinct
// values a max-size filter serves, it inserts straight into such a filter instead.
class BloomCollector {
 public:
  BloomCollector(double fpp, uint32_t max_bytes) : fpp_(fpp), max_bytes_(max_bytes) {
    cap_ = static_cast<size_t>(static_cast<double>(max_bytes) * -std::log(1.0 - std::pow(fpp, 1.0 / 8.0)));
    if (cap_ < 16) cap_ = 16;
  }
  void Insert(uint64_t h) {
    if (direct_) {
      direct_->Insert(h);
      return;
    }
    if (h == 0) {
      has_zero_ = true;
      return;
    }
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    size_t i = (h * 0x9E3779B97F4A7C15ULL) >> shift_;
    while (slots_[i] != 0) {
      if (slots_[i] == h) return;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = h;
    if (++count_ > cap_) {
      direct_.emplace(SplitBlockBloomFilter::OptimalBytes(cap_, fpp_, max_bytes_));
      for (uint64_t s : slots_) if (s) direct_->Insert(s);
      if (has_zero_) direct_->Insert(0);
      std::vector<uint64_t>().swap(slots_);
    }
  }
  std::string Build() const {
    if (direct_) return direct_->Serialize();
    SplitBlockBloomFilter f(SplitBlockBloomFilter::OptimalBytes(count_ + has_zero_, fpp_, max_bytes_));
    for (uint64_t s : slots_) if (s) f.Insert(s);
    if (has_zero_) f.Insert(0);
    return f.Serialize();
  }
  void Reset() {
    std::vector<uint64_t>().swap(slots_);
    direct_.reset();
    count_ = 0;
    has_zero_ = false;
  }
  size_t memory_bytes() const { return slots_.capacity() * 8 + (direct_ ? direct_->num_bytes() : 0); }

 private:
  void Grow() {
    std::vector<uint64_t> old;
    old.swap(slots_);
    const size_t n = old.empty() ? 64 : old.size() * 2;
    slots_.assign(n, 0);
    shift_ = 64 - __builtin_ctzll(n);
    count_ = 0;
    for (uint64_t s : old) {
      if (!s) continue;
      size_t i = (s * 0x9E3779B97F4A7C15ULL) >> shift_;
      while (slots_[i] != 0) i = (i + 1) & (n - 1);
      slots_[i] = s;
      ++count_;
    }
  }
  double fpp_;
  uint32_t max_bytes_;
  size_t cap_;
  std::vector<uint64_t> slots_;
  int shift_ = 58;
  size_t count_ = 0;
  bool has_zero_ = false;
  std::optional<SplitBlockBloomFilter> direct_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Base

ColumnWriter::ColumnWriter(const columnar::LeafColumn& leaf, const WriterOptions& options, PageSink* sink, bool bloom,
                           DictionaryHistory::Column* history)
    : leaf_(leaf), node_(*leaf.node), options_(options), sink_(sink), bloom_(bloom), history_(history) {}

void ColumnWriter::FirstDictionaryPage(bool dropped_as_distinct) const {
  // A file of a few rows has mostly distinct values in any column: only a page this large says something.
  if (!history_ || (dropped_as_distinct && page_values_ < kMinValuesToJudgeDictionary)) return;
  history_->FirstPage(dropped_as_distinct);
}

Status ColumnWriter::Write(const ColumnBuffer& buf) {
  const size_t n = buf.num_entries();
  // Decided at the chunk's first values, not when it is reset: a file's last reset starts no chunk.
  if (!chunk_started_ && n > 0) {
    chunk_started_ = true;
    if (history_ && options_.dictionary && history_->StartPlain()) StartPlain();
  }
  const int16_t max_def = leaf_.max_definition_level;
  const int16_t max_rep = leaf_.max_repetition_level;
  const int16_t* defs = max_def > 0 ? buf.def_levels().data() : nullptr;
  const int16_t* reps = max_rep > 0 ? buf.rep_levels().data() : nullptr;
  size_t e = 0, v = 0;
  while (e < n) {
    size_t end = std::min(n, e + kSliceEntries);
    if (reps) {
      while (end < n && reps[end] != 0) ++end;
    }
    const size_t entries = end - e;
    size_t values = entries;
    if (defs) {
      values = 0;
      for (size_t i = e; i < end; ++i) values += defs[i] == max_def;
      def_.insert(def_.end(), defs + e, defs + end);
    }
    size_t rows = entries;
    if (reps) {
      rows = 0;
      for (size_t i = e; i < end; ++i) rows += reps[i] == 0;
      rep_.insert(rep_.end(), reps + e, reps + end);
    }
    AppendValues(buf, v, v + values);
    page_entries_ += entries;
    page_values_ += values;
    page_rows_ += rows;
    chunk_nulls_ += static_cast<int64_t>(entries - values);
    e = end;
    v += values;
    FLOE_RETURN_IF_ERROR(AfterSlice());
    if (PageValueBytes() + page_entries_ / 4 >= options_.page_bytes) FLOE_RETURN_IF_ERROR(FlushPage());
  }
  return Status::Ok();
}

void ColumnWriter::NoteEncoding(Encoding e) {
  for (auto x : encodings_) if (x == e) return;
  encodings_.push_back(e);
}

void ColumnWriter::NotePageEncoding(format::PageType type, Encoding e) {
  NoteEncoding(e);
  for (auto& s : encoding_stats_) {
    if (s.page_type == type && s.encoding == e) {
      ++s.count;
      return;
    }
  }
  encoding_stats_.push_back({type, e, 1});
}

Result<SpoolRange> ColumnWriter::WritePageBytes(const format::PageHeader& header, std::string_view body,
                                                bool data_page) {
  auto& s = ThreadScratch();
  s.header.clear();
  format::Serialize(header, &s.header);
  const uint64_t length = s.header.size() + body.size();
  if (data_page) PutVarint(length, &entry_);
  const std::string_view parts[3] = {s.header, body, data_page ? std::string_view(entry_) : std::string_view()};
  FLOE_ASSIGN_OR_RETURN(uint64_t offset, sink_->Append(parts));
  chunk_uncompressed_ += static_cast<int64_t>(s.header.size()) + header.uncompressed_page_size;
  chunk_compressed_ += static_cast<int64_t>(s.header.size()) + header.compressed_page_size;
  if (data_page) {
    page_log_.last = SpoolRange{offset + length, entry_.size()};
    ++page_log_.pages;
  }
  return SpoolRange{offset, length};
}

Status ColumnWriter::FlushPage(bool release) {
  if (page_entries_ > 0) {
    auto& s = ThreadScratch();
    s.body.clear();
    const bool v2 = options_.data_page_v2;
    auto put_levels = [&](const std::vector<int16_t>& levels, int16_t max) -> int32_t {
      const size_t at = s.body.size();
      if (!v2) s.body.append(4, '\0');
      EncodeRleHybrid(levels.data(), levels.size(), BitWidth(static_cast<uint64_t>(max)), &s.body);
      const uint32_t len = static_cast<uint32_t>(s.body.size() - at - (v2 ? 0 : 4));
      if (!v2) std::memcpy(s.body.data() + at, &len, 4);
      return static_cast<int32_t>(len);
    };
    int32_t rep_len = 0, def_len = 0;
    if (leaf_.max_repetition_level > 0) rep_len = put_levels(rep_, leaf_.max_repetition_level);
    if (leaf_.max_definition_level > 0) def_len = put_levels(def_, leaf_.max_definition_level);
    if (leaf_.max_repetition_level > 0 || leaf_.max_definition_level > 0) NoteEncoding(Encoding::kRle);
    const size_t levels_end = s.body.size();
    Encoding enc = Encoding::kPlain;
    PageStats ps;
    FLOE_RETURN_IF_ERROR(EncodeValues(&s.body, &enc, &ps));

    s.compressed.clear();
    // v2 pages keep their levels uncompressed ahead of the values.
    const size_t compress_from = v2 ? levels_end : 0;
    if (v2) s.compressed.append(s.body, 0, levels_end);
    FLOE_RETURN_IF_ERROR(CompressPageValues(reinterpret_cast<const uint8_t*>(s.body.data()) + compress_from,
                                            s.body.size() - compress_from, &s.compressed));
    if (s.body.size() > INT32_MAX || s.compressed.size() > INT32_MAX)
      return Error(ParquetError::kInvalidArgument, "page larger than 2 GiB");

    format::Statistics st;
    st.null_count = static_cast<int64_t>(page_entries_ - page_values_);
    if (ps.has_min_max) {
      st.min_value = ps.min;
      st.max_value = ps.max;
      if (SortOrderOf(node_) == SortOrder::kSigned && ps.exact) {
        st.min = ps.min;
        st.max = ps.max;
      }
      if (!ps.exact) {
        st.is_min_value_exact = false;
        st.is_max_value_exact = false;
      }
    }
    format::PageHeader header;
    header.uncompressed_page_size = static_cast<int32_t>(s.body.size());
    header.compressed_page_size = static_cast<int32_t>(s.compressed.size());
    if (v2) {
      header.type = format::PageType::kDataPageV2;
      auto& h = header.data_page_header_v2.emplace();
      h.num_values = static_cast<int32_t>(page_entries_);
      h.num_nulls = static_cast<int32_t>(page_entries_ - page_values_);
      h.num_rows = static_cast<int32_t>(page_rows_);
      h.encoding = enc;
      h.definition_levels_byte_length = def_len;
      h.repetition_levels_byte_length = rep_len;
      h.is_compressed = options_.codec != format::Codec::kUncompressed;
      h.statistics = std::move(st);
    } else {
      header.type = format::PageType::kDataPage;
      auto& h = header.data_page_header.emplace();
      h.num_values = static_cast<int32_t>(page_entries_);
      h.encoding = enc;
      h.statistics = std::move(st);
    }
    // The page entry: link to the previous one, then what ColumnIndex/OffsetIndex need.
    entry_.clear();
    PutVarint(page_log_.last.offset, &entry_);
    PutVarint(page_log_.pages ? page_log_.last.length : 0, &entry_);
    PutVarint(chunk_rows_, &entry_);
    PutVarint(page_entries_ - page_values_, &entry_);
    entry_.push_back(page_values_ == 0 ? 1 : 0);
    const std::string_view mn = ps.has_min_max ? std::string_view(ps.min) : std::string_view();
    const std::string_view mx = ps.has_min_max ? std::string_view(ps.max) : std::string_view();
    PutVarint(mn.size(), &entry_);
    entry_.append(mn);
    PutVarint(mx.size(), &entry_);
    entry_.append(mx);
    FLOE_RETURN_IF_ERROR(WritePageBytes(header, s.compressed, /*data_page=*/true).status());
    NotePageEncoding(header.type, enc);
    if (!ps.index_valid) index_valid_ = false;
    chunk_rows_ += page_rows_;
    chunk_entries_ += static_cast<int64_t>(page_entries_);
    def_.clear();
    rep_.clear();
    page_entries_ = page_values_ = page_rows_ = 0;
  }
  if (release) {
    std::vector<int16_t>().swap(def_);
    std::vector<int16_t>().swap(rep_);
    ReleaseValueMemory();
  }
  return Status::Ok();
}

Status ColumnWriter::CompressPageValues(const uint8_t* data, size_t size, std::string* out) {
  if (stored_pages_ahead_ > 0) {
    --stored_pages_ahead_;
    if (AppendStored(options_.codec, data, size, out)) return Status::Ok();
  }
  const size_t at = out->size();
  FLOE_RETURN_IF_ERROR(Compress(options_.codec, options_.compression_level, data, size, out));
  // Delta-packed integers and dictionary indices rarely shrink further, and the codec's fixed cost per call
  // dominates the small pages a full memory budget makes. After a page of at least kMinStoreProbeBytes
  // saves less than 1/32, the next 1, 3, 7, then 15 pages are stored before the codec is tried again; a page
  // that shrinks ends the run. (Smaller pages say little: the codec's frame overhead alone may eat their gain.)
  if (size < kMinStoreProbeBytes) return Status::Ok();
  if (out->size() - at + size / 32 >= size) {
    failed_compressions_ = std::min<uint8_t>(failed_compressions_ + 1, 4);
    stored_pages_ahead_ = static_cast<uint8_t>((1u << failed_compressions_) - 1);
  } else {
    failed_compressions_ = 0;
  }
  return Status::Ok();
}

Result<FinishedChunk> ColumnWriter::FinishChunk() {
  FLOE_RETURN_IF_ERROR(FlushPage());
  FinishedChunk fc;
  FLOE_RETURN_IF_ERROR(WriteDictionaryPage(&fc.dictionary_page));
  auto& m = fc.meta;
  m.type = LeafElement(node_).type.value_or(format::Type::kByteArray);
  m.encodings = encodings_;
  m.path_in_schema = leaf_.path;
  m.codec = options_.codec;
  m.num_values = chunk_entries_;
  m.total_uncompressed_size = chunk_uncompressed_;
  m.total_compressed_size = chunk_compressed_;
  m.encoding_stats = encoding_stats_;
  auto& st = m.statistics.emplace();
  ChunkStatistics(&st);
  st.null_count = chunk_nulls_;
  fc.pages = page_log_;
  fc.column_index = index_valid_ && page_log_.pages > 0 && SortOrderOf(node_) != SortOrder::kNone;
  if (bloom_) {
    if (auto bits = BuildBloomFilter()) {
      const std::string_view parts[1] = {*bits};
      FLOE_ASSIGN_OR_RETURN(uint64_t off, sink_->Append(parts));
      fc.bloom_filter = SpoolRange{off, bits->size()};
    }
  }
  // Reset for the next chunk.
  chunk_rows_ = 0;
  chunk_entries_ = chunk_nulls_ = chunk_uncompressed_ = chunk_compressed_ = 0;
  encodings_.clear();
  encoding_stats_.clear();
  page_log_ = PageLog();
  index_valid_ = true;
  chunk_started_ = false;
  ResetChunk();
  return fc;
}

size_t ColumnWriter::page_memory_bytes() const {
  return VectorBytes(def_) + VectorBytes(rep_) + PageValueMemoryBytes();
}


size_t ColumnWriter::memory_bytes() const {
  return object_bytes_ + page_memory_bytes() + ChunkMemoryBytes() + VectorBytes(encodings_) +
         VectorBytes(encoding_stats_) + HeapBytes(entry_);
}

size_t FinishedChunk::memory_bytes() const {
  size_t n = sizeof(FinishedChunk) + VectorBytes(meta.encodings) + VectorBytes(meta.encoding_stats) +
             VectorBytes(meta.path_in_schema);
  for (const auto& p : meta.path_in_schema) n += HeapBytes(p);
  if (meta.statistics) {
    for (const auto* v : {&meta.statistics->min_value, &meta.statistics->max_value, &meta.statistics->min,
                          &meta.statistics->max})
      if (*v) n += HeapBytes(**v);
  }
  return n;
}

Result<std::vector<PageEntry>> ReadPageLog(PageSink& sink, const PageLog& log) {
  std::vector<PageEntry> out(log.pages);
  SpoolRange at = log.last;
  std::string buf;
  for (size_t i = log.pages; i-- > 0;) {
    FLOE_RETURN_IF_ERROR(sink.Read(at, &buf));
    EntryReader r(buf);
    SpoolRange prev;
    prev.offset = r.Varint();
    prev.length = r.Varint();
    PageEntry& e = out[i];
    e.first_row = static_cast<int64_t>(r.Varint());
    e.null_count = static_cast<int64_t>(r.Varint());
    e.null_page = r.Byte() != 0;
    e.min = r.Bytes();
    e.max = r.Bytes();
    const uint64_t page_length = r.Varint();
    if (!r.ok() || page_length > at.offset || (i > 0 && prev.length == 0))
      return Error(ParquetError::kIo, "spool page entry unreadable");
    e.page = SpoolRange{at.offset - page_length, page_length};
    at = prev;
  }
  return out;
}

format::ColumnIndex BuildColumnIndex(const columnar::Node& node, const std::vector<PageEntry>& pages) {
  format::ColumnIndex ci;
  bool asc = true, desc = true;
  const PageEntry* prev = nullptr;
  for (const auto& p : pages) {
    ci.null_pages.push_back(p.null_page);
    ci.min_values.push_back(p.min);
    ci.max_values.push_back(p.max);
    ci.null_counts.push_back(p.null_count);
    if (p.null_page) continue;
    // Boundary order over the non-null pages.
    if (prev) {
      const int cmin = CompareStatValues(node, prev->min, p.min);
      const int cmax = CompareStatValues(node, prev->max, p.max);
      if (cmin > 0 || cmax > 0) asc = false;
      if (cmin < 0 || cmax < 0) desc = false;
    }
    prev = &p;
  }
  ci.boundary_order = asc ? format::BoundaryOrder::kAscending
                          : desc ? format::BoundaryOrder::kDescending : format::BoundaryOrder::kUnordered;
  return ci;
}

uint64_t ColumnWriter::estimated_chunk_bytes() const {
  return static_cast<uint64_t>(chunk_compressed_) + PageValueBytes() + DictionaryBytes();
}

// ---------------------------------------------------------------------------------------------------------
// Shared dictionary/fallback logic of the numeric and byte-array writers.


// Fixed-width numbers: int32, int64, float, double.
template <typename T>
class NumericColumnWriter final : public ColumnWriter {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  static constexpr bool kFloat = std::is_floating_point_v<T>;
  static constexpr bool kInt = !kFloat;

 public:
  NumericColumnWriter(const columnar::LeafColumn& leaf, const WriterOptions& o, PageSink* sink, bool bloom,
                      DictionaryHistory::Column* history)
      : ColumnWriter(leaf, o, sink, bloom, history),
        unsigned_(SortOrderOf(*leaf.node) == SortOrder::kUnsigned),
        bloom_hashes_(o.bloom_fpp, o.bloom_max_bytes) {
    ResetChunk();
  }

  Status DropDictionary() override {
    if (!dict_mode_) return Status::Ok();
    FLOE_RETURN_IF_ERROR(FlushPage());
    return EndDictionary();
  }

 protected:
  void StartPlain() override { dict_mode_ = false; }
  void AppendValues(const ColumnBuffer& buf, size_t begin, size_t end) override {
    const uint8_t* src = buf.fixed().data() + begin * sizeof(T);
    const size_t n = end - begin;
    if (dict_mode_) {
      const size_t at = indices_.size();
      indices_.resize(at + n);
      uint32_t* out = indices_.data() + at;
      for (size_t i = 0; i < n; ++i) {
        const T v = LoadUnaligned<T>(src + i * sizeof(T));
        out[i] = Lookup(v);
        Observe(v);
      }
    } else {
      const size_t at = values_.size();
      values_.resize(at + n);
      if (n > 0) std::memcpy(values_.data() + at, src, n * sizeof(T));  // both may be null when n == 0
      for (size_t i = 0; i < n; ++i) {
        const T v = values_[at + i];
        Observe(v);
        if (bloom_) bloom_hashes_.Insert(XxHash64(&v, sizeof v));
      }
    }
  }

  size_t PageValueBytes() const override {
    if (dict_mode_) return indices_.size() * static_cast<size_t>(BitWidth(dict_.size())) / 8 + 1;
    return values_.size() * sizeof(T);
  }

  Status AfterSlice() override {
    // Size fallback: the dictionary-encoded page so far is worth keeping.
    if (dict_mode_ && dict_.size() * sizeof(T) > options_.dictionary_max_bytes) {
      FLOE_RETURN_IF_ERROR(FlushPage());
      return EndDictionary();
    }
    return Status::Ok();
  }

  Status EncodeValues(std::string* out, Encoding* enc, PageStats* ps) override {
    if (dict_mode_ && !dict_used_ && static_cast<double>(dict_.size()) > kDistinctRatioForPlain * page_values_) {
      // Mostly distinct: this chunk goes without a dictionary from its first page on.
      FirstDictionaryPage(/*dropped_as_distinct=*/true);
      values_.resize(indices_.size());
      for (size_t i = 0; i < indices_.size(); ++i) values_[i] = dict_[indices_[i]];
      indices_.clear();
      ClearDictionary();
      dict_mode_ = false;
    }
    // A page of nulls only has no index to encode (and an empty dictionary has no bit width): it goes PLAIN
    // with no value bytes, and the chunk stays in dictionary mode for later pages.
    if (dict_mode_ && !dict_.empty()) {
      const int bw = std::max(1, BitWidth(dict_.size() - 1));
      out->push_back(static_cast<char>(bw));
      EncodeRleHybrid(indices_.data(), indices_.size(), bw, out);
      indices_.clear();
      if (!dict_used_) FirstDictionaryPage(/*dropped_as_distinct=*/false);
      dict_used_ = true;
      *enc = Encoding::kRleDictionary;
    } else {
      *enc = Encoding::kPlain;
      const size_t plain = values_.size() * sizeof(T);
      bool done = false;
      if constexpr (kInt) {
        if (delta_losses_ < 2 && values_.size() >= 16) {
          auto& alt = ThreadScratch().alt;
          alt.clear();
          EncodeDeltaBinaryPacked(values_.data(), values_.size(), &alt);
          if (alt.size() < plain * 9 / 10) {
            out->append(alt);
            *enc = Encoding::kDeltaBinaryPacked;
            done = true;
          } else {
            ++delta_losses_;
          }
        }
      }
      if (!done) out->append(reinterpret_cast<const char*>(values_.data()), plain);
      values_.clear();
    }
    if (phas_) {
      T mn = pmin_, mx = pmax_;
      if constexpr (kFloat) {
        if (mn == 0) mn = -static_cast<T>(0.0);
        if (mx == 0) mx = static_cast<T>(0.0);
      }
      ps->has_min_max = true;
      ps->min.assign(reinterpret_cast<const char*>(&mn), sizeof(T));
      ps->max.assign(reinterpret_cast<const char*>(&mx), sizeof(T));
      Merge(pmin_, cmin_, chas_, true);
      Merge(pmax_, cmax_, chas_, false);
      chas_ = true;
    } else if (page_values_ > 0) {
      ps->index_valid = false;  // only NaNs: the spec forbids a ColumnIndex for this chunk
    }
    phas_ = false;
    return Status::Ok();
  }

  Status WriteDictionaryPage(std::optional<SpoolRange>* where) override {
    if (dict_mode_) FLOE_RETURN_IF_ERROR(EndDictionary());
    *where = dict_page_;
    return Status::Ok();
  }

  void ChunkStatistics(format::Statistics* st) override {
    if (kFloat) st->nan_count = nan_count_;
    // A chunk holding NaN gets no min/max (the spec allows either that or bounds without the NaNs). Bounds
    // without them mislead engines that order NaN above every number: DuckDB skipped such row groups for
    // "x > c" (and writes no bounds itself then). Pages keep their NaN-free bounds in the ColumnIndex.
    if (!chas_ || nan_count_ > 0) return;
    T mn = cmin_, mx = cmax_;
    if constexpr (kFloat) {
      if (mn == 0) mn = -static_cast<T>(0.0);
      if (mx == 0) mx = static_cast<T>(0.0);
    }
    st->min_value.emplace(reinterpret_cast<const char*>(&mn), sizeof(T));
    st->max_value.emplace(reinterpret_cast<const char*>(&mx), sizeof(T));
    if (!unsigned_) {
      st->min = st->min_value;
      st->max = st->max_value;
    }
  }

  void ResetChunk() override {
    ClearDictionary();
    dict_mode_ = options_.dictionary;
    dict_used_ = false;
    dict_page_.reset();
    chas_ = phas_ = false;
    nan_count_ = 0;
    delta_losses_ = 0;
    bloom_hashes_.Reset();
  }

  size_t PageValueMemoryBytes() const override { return VectorBytes(indices_) + VectorBytes(values_); }
  size_t ChunkMemoryBytes() const override {
    return VectorBytes(dict_) + VectorBytes(slots_) + bloom_hashes_.memory_bytes();
  }
  void ReleaseValueMemory() override {
    std::vector<uint32_t>().swap(indices_);
    std::vector<T>().swap(values_);
  }
  uint64_t DictionaryBytes() const override { return dict_.size() * sizeof(T); }

  std::optional<std::string> BuildBloomFilter() override { return bloom_hashes_.Build(); }

 private:
  bool Less(T a, T b) const {
    if constexpr (kInt) {
      if (unsigned_) return static_cast<Bits>(a) < static_cast<Bits>(b);
    }
    return a < b;
  }
  void Observe(T v) {
    if constexpr (kFloat) {
      if (std::isnan(v)) {
        ++nan_count_;
        return;
      }
    }
    if (!phas_) {
      pmin_ = pmax_ = v;
      phas_ = true;
      return;
    }
    if (Less(v, pmin_)) pmin_ = v;
    if (Less(pmax_, v)) pmax_ = v;
  }
  void Merge(T page, T& chunk, bool has, bool is_min) {
    if (!has) chunk = page;
    else if (is_min ? Less(page, chunk) : Less(chunk, page)) chunk = page;
  }

  // While each new entry is above the previous one in bit order (offsets, sequence numbers, timestamps in
  // arrival order), the dictionary is sorted: a value is new exactly when it is above the last entry, so no
  // hash table is needed (nor its memory). The first value below the last entry builds the table from the
  // entries so far and lookups hash from then on. Entries, their order and the indices are the same either
  // way.
  uint32_t Lookup(T v) {
    const Bits b = std::bit_cast<Bits>(v);
    if (ascending_) {
      if (dict_.empty() || b > std::bit_cast<Bits>(dict_.back())) return Add(v);
      if (b == std::bit_cast<Bits>(dict_.back())) return static_cast<uint32_t>(dict_.size() - 1);
      ascending_ = false;
      size_t n = 16;
      while ((dict_.size() + 1) * 2 > n) n *= 2;
      Rehash(n);
    }
    size_t i = (static_cast<uint64_t>(b) * 0x9E3779B97F4A7C15ULL) >> shift_;
    while (true) {
      const uint32_t s = slots_[i];
      if (s == 0) break;
      if (std::bit_cast<Bits>(dict_[s - 1]) == b) return s - 1;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = static_cast<uint32_t>(dict_.size() + 1);
    const uint32_t k = Add(v);
    if (dict_.size() * 2 > slots_.size()) Rehash(slots_.size() * 2);
    return k;
  }
  uint32_t Add(T v) {
    dict_.push_back(v);
    if (bloom_) bloom_hashes_.Insert(XxHash64(&v, sizeof v));
    return static_cast<uint32_t>(dict_.size() - 1);
  }
  void Rehash(size_t n) {
    slots_.assign(n, 0);
    shift_ = 64 - __builtin_ctzll(n);
    for (size_t k = 0; k < dict_.size(); ++k) {
      const Bits b = std::bit_cast<Bits>(dict_[k]);
      size_t i = (static_cast<uint64_t>(b) * 0x9E3779B97F4A7C15ULL) >> shift_;
      while (slots_[i] != 0) i = (i + 1) & (n - 1);
      slots_[i] = static_cast<uint32_t>(k + 1);
    }
  }
  void ClearDictionary() {
    std::vector<T>().swap(dict_);
    std::vector<uint32_t>().swap(slots_);
    ascending_ = true;
  }
  // Writes the dictionary page (if a data page used it) and continues without a dictionary.
  Status EndDictionary() {
    if (dict_used_ && !dict_.empty()) {
      auto& s = ThreadScratch();
      s.compressed.clear();
      FLOE_RETURN_IF_ERROR(Compress(options_.codec, options_.compression_level,
                                    reinterpret_cast<const uint8_t*>(dict_.data()), dict_.size() * sizeof(T),
                                    &s.compressed));
      format::PageHeader h;
      h.type = format::PageType::kDictionaryPage;
      h.uncompressed_page_size = static_cast<int32_t>(dict_.size() * sizeof(T));
      h.compressed_page_size = static_cast<int32_t>(s.compressed.size());
      auto& d = h.dictionary_page_header.emplace();
      d.num_values = static_cast<int32_t>(dict_.size());
      d.encoding = Encoding::kPlain;
      FLOE_ASSIGN_OR_RETURN(dict_page_, WritePageBytes(h, s.compressed, /*data_page=*/false));
      NotePageEncoding(format::PageType::kDictionaryPage, Encoding::kPlain);
    }
    ClearDictionary();
    dict_mode_ = false;
    return Status::Ok();
  }

  const bool unsigned_;
  bool dict_mode_ = true;
  bool dict_used_ = false;
  std::optional<SpoolRange> dict_page_;
  std::vector<T> dict_;
  bool ascending_ = true;       // see Lookup: no hash table yet
  std::vector<uint32_t> slots_;  // dict_ index + 1, 0 = empty; only once !ascending_
  int shift_ = 60;              // 64 - log2(slots_.size())
  std::vector<uint32_t> indices_;
  std::vector<T> values_;
  T pmin_{}, pmax_{}, cmin_{}, cmax_{};
  bool phas_ = false, chas_ = false;
  int64_t nan_count_ = 0;
  int delta_losses_ = 0;
  BloomCollector bloom_hashes_;
};

// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY.
class BytesColumnWriter final : public ColumnWriter {
 public:
  BytesColumnWriter(const columnar::LeafColumn& leaf, const WriterOptions& o, PageSink* sink, bool bloom,
                    DictionaryHistory::Column* history)
      : ColumnWriter(leaf, o, sink, bloom, history),
        width_(leaf.node->physical == PhysicalType::kFixedLenByteArray ? static_cast<size_t>(leaf.node->type_length) : 0),
        order_(SortOrderOf(*leaf.node)),
        utf8_(leaf.node->logical == LogicalKind::kString || leaf.node->logical == LogicalKind::kJson ||
              leaf.node->logical == LogicalKind::kEnum),
        truncatable_(width_ == 0 && order_ == SortOrder::kBytes),
        bloom_hashes_(o.bloom_fpp, o.bloom_max_bytes) {
    ResetChunk();
  }

  Status DropDictionary() override {
    if (!dict_mode_) return Status::Ok();
    FLOE_RETURN_IF_ERROR(FlushPage());
    return EndDictionary();
  }

 protected:
  void StartPlain() override { dict_mode_ = false; }
  std::string_view Value(const ColumnBuffer& buf, size_t i) const {
    if (width_) return {reinterpret_cast<const char*>(buf.fixed().data()) + i * width_, width_};
    return buf.bytes_value(i);
  }
  std::string_view DictValue(uint32_t k) const { return {arena_.data() + offs_[k], offs_[k + 1] - offs_[k]}; }

  void AppendValues(const ColumnBuffer& buf, size_t begin, size_t end) override {
    if (dict_mode_) {
      for (size_t i = begin; i < end; ++i) indices_.push_back(Lookup(Value(buf, i)));
    } else {
      for (size_t i = begin; i < end; ++i) AppendPlain(Value(buf, i));
    }
  }

  size_t PageValueBytes() const override {
    if (dict_mode_) return indices_.size() * static_cast<size_t>(BitWidth(offs_.size() - 1)) / 8 + 1;
    return plain_.size();
  }

  Status AfterSlice() override {
    // Size fallback: the dictionary-encoded page so far is worth keeping.
    if (dict_mode_ && dict_plain_bytes_ > options_.dictionary_max_bytes) {
      FLOE_RETURN_IF_ERROR(FlushPage());
      return EndDictionary();
    }
    return Status::Ok();
  }

  Status EncodeValues(std::string* out, Encoding* enc, PageStats* ps) override {
    const size_t ndict = offs_.size() - 1;
    if (dict_mode_ && !dict_used_ && static_cast<double>(ndict) > kDistinctRatioForPlain * page_values_) {
      FirstDictionaryPage(/*dropped_as_distinct=*/true);
      std::vector<uint32_t> idx;
      idx.swap(indices_);
      ClearDictionaryKeepValues(idx);
      dict_mode_ = false;
    }
    if (dict_mode_ && ndict > 0) {  // a page of nulls only goes PLAIN, as for fixed-width values
      // Page statistics over the distinct entries this page used.
      if (order_ != SortOrder::kNone) {
        ++epoch_;
        for (uint32_t k : indices_) {
          if (epochs_[k] == epoch_) continue;
          epochs_[k] = epoch_;
          ObservePage(DictValue(k));
        }
      }
      const int bw = std::max(1, BitWidth(ndict - 1));
      out->push_back(static_cast<char>(bw));
      EncodeRleHybrid(indices_.data(), indices_.size(), bw, out);
      indices_.clear();
      if (!dict_used_) FirstDictionaryPage(/*dropped_as_distinct=*/false);
      dict_used_ = true;
      *enc = Encoding::kRleDictionary;
    } else {
      out->append(plain_);
      plain_.clear();
      *enc = Encoding::kPlain;
    }
    if (order_ == SortOrder::kNone) {
      ps->index_valid = false;
    } else if (phas_) {
      ps->has_min_max = true;
      ps->exact = !Bound(pmin_, true, &ps->min) & !Bound(pmax_, false, &ps->max);
      MergeChunk(pmin_, true);
      MergeChunk(pmax_, false);
      chas_ = true;
    }
    phas_ = false;
    return Status::Ok();
  }

  Status WriteDictionaryPage(std::optional<SpoolRange>* where) override {
    if (dict_mode_) FLOE_RETURN_IF_ERROR(EndDictionary());
    *where = dict_page_;
    return Status::Ok();
  }

  void ChunkStatistics(format::Statistics* st) override {
    if (!chas_) return;
    std::string mn, mx;
    const bool exact = !Bound(cmin_, true, &mn) & !Bound(cmax_, false, &mx);
    st->min_value = std::move(mn);
    st->max_value = std::move(mx);
    if (!exact) {
      st->is_min_value_exact = false;
      st->is_max_value_exact = false;
    }
  }

  void ResetChunk() override {
    ClearDictionary();
    dict_mode_ = options_.dictionary;
    dict_used_ = false;
    dict_page_.reset();
    phas_ = chas_ = false;
    bloom_hashes_.Reset();
  }

  size_t PageValueMemoryBytes() const override { return VectorBytes(indices_) + plain_.capacity(); }
  // std::string's inline buffer is part of sizeof; only heap capacities count here.
  size_t ChunkMemoryBytes() const override {
    size_t n = arena_.capacity() + VectorBytes(offs_) + VectorBytes(slots_) + VectorBytes(epochs_) +
               bloom_hashes_.memory_bytes();
    for (const std::string* v : {&pmin_, &pmax_, &cmin_, &cmax_}) n += HeapBytes(*v);
    return n;
  }
  void ReleaseValueMemory() override {
    std::vector<uint32_t>().swap(indices_);
    std::string().swap(plain_);
  }
  uint64_t DictionaryBytes() const override { return dict_plain_bytes_; }
  std::optional<std::string> BuildBloomFilter() override { return bloom_hashes_.Build(); }

 private:
  struct Slot {
    uint32_t index1;  // entry + 1; 0 = empty
    uint32_t hash;    // DictHash of the entry; its top bits place the slot
  };

  // Writes the (possibly truncated) statistic for v; returns true when it had to truncate.
  bool Bound(const std::string& v, bool is_min, std::string* out) const {
    if (truncatable_) {
      const bool t = is_min ? TruncateMin(v, options_.statistics_max_bytes, utf8_, out)
                            : TruncateMax(v, options_.statistics_max_bytes, utf8_, out);
      if (t) return true;
    }
    *out = v;
    return false;
  }
  int Compare(std::string_view a, std::string_view b) const {
    if (order_ == SortOrder::kDecimalBytes) return CompareDecimalBytes(a, b);
    const size_t n = std::min(a.size(), b.size());
    if (n >= 8) {  // most bounds differ in their first 8 bytes: one big-endian word compare decides
      const uint64_t x = __builtin_bswap64(LoadUnaligned<uint64_t>(a.data()));
      const uint64_t y = __builtin_bswap64(LoadUnaligned<uint64_t>(b.data()));
      if (x != y) return x < y ? -1 : 1;
    }
    const int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
    if (c != 0) return c;
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  }
  void ObservePage(std::string_view v) {
    if (!phas_) {
      pmin_.assign(v);
      pmax_.assign(v);
      phas_ = true;
      return;
    }
    if (Compare(v, pmin_) < 0) pmin_.assign(v);
    if (Compare(v, pmax_) > 0) pmax_.assign(v);
  }
  void MergeChunk(const std::string& v, bool is_min) {
    std::string& c = is_min ? cmin_ : cmax_;
    if (!chas_ || (is_min ? Compare(v, c) < 0 : Compare(v, c) > 0)) c = v;
  }
  void AppendPlain(std::string_view v) {
    if (!width_) {
      const uint32_t len = static_cast<uint32_t>(v.size());
      plain_.append(reinterpret_cast<const char*>(&len), 4);
    }
    plain_.append(v);
    if (order_ != SortOrder::kNone) ObservePage(v);
    if (bloom_) bloom_hashes_.Insert(XxHash64(v.data(), v.size()));
  }

  uint32_t Lookup(std::string_view v) {
    const uint32_t h = DictHash(v.data(), v.size());
    size_t i = h >> shift_;
    while (true) {
      const Slot s = slots_[i];
      if (s.index1 == 0) break;
      if (s.hash == h) {
        const uint32_t k = s.index1 - 1;
        if (offs_[k + 1] - offs_[k] == v.size() && SameBytes(arena_.data() + offs_[k], v.data(), v.size())) return k;
      }
      i = (i + 1) & (slots_.size() - 1);
    }
    arena_.append(v);
    offs_.push_back(static_cast<uint32_t>(arena_.size()));
    epochs_.push_back(0);
    const uint32_t k = static_cast<uint32_t>(offs_.size() - 2);
    slots_[i] = Slot{k + 1, h};
    dict_plain_bytes_ += v.size() + (width_ ? 0 : 4);
    if (bloom_) bloom_hashes_.Insert(XxHash64(v.data(), v.size()));
    if ((k + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    return k;
  }
  // Slots are placed by their stored hash: growing the table reads no values.
  void Rehash(size_t n) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(n, Slot{0, 0});
    shift_ = 32 - __builtin_ctzll(n);
    for (const Slot& s : old) {
      if (s.index1 == 0) continue;
      size_t i = s.hash >> shift_;
      while (slots_[i].index1 != 0) i = (i + 1) & (n - 1);
      slots_[i] = s;
    }
  }
  void ClearDictionary() {
    std::string().swap(arena_);
    offs_.assign(1, 0);
    offs_.shrink_to_fit();
    std::vector<uint32_t>().swap(epochs_);
    slots_.assign(16, Slot{0, 0});
    shift_ = 28;
    epoch_ = 0;
    dict_plain_bytes_ = 0;
  }
  // First-page fallback: re-expands the page's indices into PLAIN values, then forgets the dictionary.
  void ClearDictionaryKeepValues(const std::vector<uint32_t>& idx) {
    plain_.clear();
    for (uint32_t k : idx) {
      const std::string_view v = DictValue(k);
      if (!width_) {
        const uint32_t len = static_cast<uint32_t>(v.size());
        plain_.append(reinterpret_cast<const char*>(&len), 4);
      }
      plain_.append(v);
    }
    // Page statistics over the distinct values (the dictionary is exactly the page's distinct values).
    if (order_ != SortOrder::kNone) {
      for (uint32_t k = 0; k + 1 < offs_.size(); ++k) ObservePage(DictValue(k));
    }
    ClearDictionary();
  }
  Status EndDictionary() {
    if (dict_used_ && offs_.size() > 1) {
      auto& s = ThreadScratch();
      s.alt.clear();
      const uint32_t n = static_cast<uint32_t>(offs_.size() - 1);
      if (width_) {
        s.alt.append(arena_);
      } else {
        for (uint32_t k = 0; k < n; ++k) {
          const std::string_view v = DictValue(k);
          const uint32_t len = static_cast<uint32_t>(v.size());
          s.alt.append(reinterpret_cast<const char*>(&len), 4);
          s.alt.append(v);
        }
      }
      s.compressed.clear();
      FLOE_RETURN_IF_ERROR(Compress(options_.codec, options_.compression_level,
                                    reinterpret_cast<const uint8_t*>(s.alt.data()), s.alt.size(), &s.compressed));
      format::PageHeader h;
      h.type = format::PageType::kDictionaryPage;
      h.uncompressed_page_size = static_cast<int32_t>(s.alt.size());
      h.compressed_page_size = static_cast<int32_t>(s.compressed.size());
      auto& d = h.dictionary_page_header.emplace();
      d.num_values = static_cast<int32_t>(n);
      d.encoding = Encoding::kPlain;
      FLOE_ASSIGN_OR_RETURN(dict_page_, WritePageBytes(h, s.compressed, /*data_page=*/false));
      NotePageEncoding(format::PageType::kDictionaryPage, Encoding::kPlain);
    }
    ClearDictionary();
    dict_mode_ = false;
    return Status::Ok();
  }

  const size_t width_;
  const SortOrder order_;
  const bool utf8_;
  const bool truncatable_;
  bool dict_mode_ = true;
  bool dict_used_ = false;
  std::optional<SpoolRange> dict_page_;
  std::string arena_;
  std::vector<uint32_t> offs_{0};
  std::vector<Slot> slots_;
  int shift_ = 28;  // 32 - log2(slots_.size())
  std::vector<uint32_t> epochs_;
  uint32_t epoch_ = 0;
  uint64_t dict_plain_bytes_ = 0;
  std::vector<uint32_t> indices_;
  std::string plain_;
  std::string pmin_, pmax_, cmin_, cmax_;
  bool phas_ = false, chas_ = false;
  BloomCollector bloom_hashes_;
};

// BOOLEAN: PLAIN bit-packed, no dictionary.
class BoolColumnWriter final : public ColumnWriter {
 public:
  BoolColumnWriter(const columnar::LeafColumn& leaf, const WriterOptions& o, PageSink* sink, bool bloom)
      : ColumnWriter(leaf, o, sink, bloom, nullptr) {}

 protected:
  void AppendValues(const ColumnBuffer& buf, size_t begin, size_t end) override {
    const uint8_t* src = buf.fixed().data();
    for (size_t i = begin; i < end; ++i) {
      const uint8_t v = src[i] ? 1 : 0;
      values_.push_back(v);
      seen_[v] = true;
    }
  }
  size_t PageValueBytes() const override { return values_.size() / 8 + 1; }
  Status EncodeValues(std::string* out, Encoding* enc, PageStats* ps) override {
    const size_t at = out->size();
    out->resize(at + (values_.size() + 7) / 8, '\0');
    uint8_t* dst = reinterpret_cast<uint8_t*>(out->data()) + at;
    for (size_t i = 0; i < values_.size(); ++i) dst[i >> 3] |= static_cast<uint8_t>(values_[i] << (i & 7));
    *enc = Encoding::kPlain;
    if (seen_[0] || seen_[1]) {
      ps->has_min_max = true;
      ps->min.assign(1, seen_[0] ? '\0' : '\1');
      ps->max.assign(1, seen_[1] ? '\1' : '\0');
      chunk_seen_[0] |= seen_[0];
      chunk_seen_[1] |= seen_[1];
    }
    seen_[0] = seen_[1] = false;
    values_.clear();
    return Status::Ok();
  }
  Status WriteDictionaryPage(std::optional<SpoolRange>*) override { return Status::Ok(); }
  void ChunkStatistics(format::Statistics* st) override {
    if (!chunk_seen_[0] && !chunk_seen_[1]) return;
    st->min_value.emplace(1, chunk_seen_[0] ? '\0' : '\1');
    st->max_value.emplace(1, chunk_seen_[1] ? '\1' : '\0');
    st->min = st->min_value;
    st->max = st->max_value;
  }
  void ResetChunk() override { chunk_seen_[0] = chunk_seen_[1] = false; }
  size_t PageValueMemoryBytes() const override { return values_.capacity(); }
  size_t ChunkMemoryBytes() const override { return 0; }
  void ReleaseValueMemory() override { std::vector<uint8_t>().swap(values_); }

 private:
  std::vector<uint8_t> values_;
  bool seen_[2] = {false, false};
  bool chunk_seen_[2] = {false, false};
};

namespace {
template <typename W>
std::unique_ptr<ColumnWriter> MakeWriter(const columnar::LeafColumn& leaf, const WriterOptions& options,
                                         PageSink* sink, bool bloom_filter, DictionaryHistory::Column* history,
                                         size_t* object_bytes) {
  *object_bytes = sizeof(W);
  if constexpr (std::is_same_v<W, BoolColumnWriter>) {
    return std::unique_ptr<ColumnWriter>(new W(leaf, options, sink, bloom_filter));
  } else {
    return std::unique_ptr<ColumnWriter>(new W(leaf, options, sink, bloom_filter, history));
  }
}
}  // namespace

std::unique_ptr<ColumnWriter> ColumnWriter::Make(const columnar::LeafColumn& leaf, const WriterOptions& options,
                                                 PageSink* sink, bool bloom_filter,
                                                 DictionaryHistory::Column* history) {
  size_t object_bytes = 0;
  std::unique_ptr<ColumnWriter> w;
  switch (leaf.node->physical) {
    case PhysicalType::kBoolean: w = MakeWriter<BoolColumnWriter>(leaf, options, sink, false, nullptr, &object_bytes); break;
    case PhysicalType::kInt32:
      w = MakeWriter<NumericColumnWriter<int32_t>>(leaf, options, sink, bloom_filter, history, &object_bytes);
      break;
    case PhysicalType::kInt64:
      w = MakeWriter<NumericColumnWriter<int64_t>>(leaf, options, sink, bloom_filter, history, &object_bytes);
      break;
    case PhysicalType::kFloat:
      w = MakeWriter<NumericColumnWriter<float>>(leaf, options, sink, bloom_filter, history, &object_bytes);
      break;
    case PhysicalType::kDouble:
      w = MakeWriter<NumericColumnWriter<double>>(leaf, options, sink, bloom_filter, history, &object_bytes);
      break;
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      w = MakeWriter<BytesColumnWriter>(leaf, options, sink, bloom_filter, history, &object_bytes);
      break;
  }
  if (w) w->object_bytes_ = object_bytes;
  return w;
}

}  // namespace floe::parquet
