// floe writes, floe reads: every type, nesting and nullability, under every codec/encoding setting; row
// groups, statistics, projection and the memory budget.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "parquet/errors.h"
#include "parquet/file_reader.h"
#include "parquet/row_assembler.h"
#include "parquet/statistics.h"
#include "parquet/test_util.h"
#include "parquet/tools.h"

namespace floe::parquet {
namespace {

using json = nlohmann::json;
using namespace testing;

std::vector<json> Reference(const columnar::Schema& schema, const std::vector<json>& rows) {
  columnar::ColumnarBatch batch(schema);
  for (const auto& r : rows) ShredRow(r, &batch);
  RowAssembler a(batch);
  std::vector<json> out;
  nlohmann::ordered_json row;
  while (true) {
    auto more = a.Next(&row);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    out.push_back(json::parse(row.dump()));
  }
  return out;
}

std::vector<json> AllRows(int n) {
  std::vector<json> rows;
  for (int i = 0; i < n; ++i) rows.push_back(AllTypesRow(i, true));
  return rows;
}

TEST(ParquetRoundTripTest, EveryTypeUnderEveryWriterSetting) {
  const auto schema = AllTypesSchema(true);
  const auto rows = AllRows(250);
  const auto want = Reference(schema, rows);
  ASSERT_EQ(want.size(), rows.size());
  int k = 0;
  for (auto codec : {format::Codec::kZstd, format::Codec::kSnappy, format::Codec::kGzip, format::Codec::kLz4Raw,
                     format::Codec::kUncompressed}) {
    for (bool v2 : {false, true}) {
      for (bool dict : {true, false}) {
        WriterOptions o;
        o.codec = codec;
        o.data_page_v2 = v2;
        o.dictionary = dict;
        o.page_bytes = (k % 3 == 0) ? 300 : 1 << 20;
        o.row_group_bytes = (k % 4 == 1) ? 4000 : 128 << 20;
        const std::string path = WriteRows("rt" + std::to_string(k++), schema, rows, o, 64);
        const auto got = CatRows(path);
        ASSERT_EQ(got.size(), want.size());
        for (size_t i = 0; i < want.size(); ++i)
          ASSERT_EQ(got[i], want[i]) << format::CodecName(codec) << " v2=" << v2 << " dict=" << dict << " row " << i;
      }
    }
  }
}

TEST(ParquetRoundTripTest, ReadBackLevelsAndValuesAreIdentical) {
  const auto schema = AllTypesSchema(true);
  const auto rows = AllRows(333);
  columnar::ColumnarBatch want(schema);
  for (const auto& r : rows) ShredRow(r, &want);
  const std::string path = WriteRows("levels", schema, rows, WriterOptions{}, 1000);
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->num_row_groups(), 1u);
  ASSERT_EQ((*reader)->schema().num_leaves(), schema.num_leaves());  // names of list/map children are Parquet's
  columnar::ColumnarBatch got;
  ASSERT_TRUE((*reader)->ReadRowGroup(0, &got).ok());
  ASSERT_EQ(got.num_records(), 333u);
  for (size_t c = 0; c < want.num_columns(); ++c) {
    const auto& a = want.column(c);
    const auto& b = got.column(c);
    SCOPED_TRACE(a.leaf().dotted_path());
    EXPECT_EQ(a.def_levels(), b.def_levels());
    EXPECT_EQ(a.rep_levels(), b.rep_levels());
    EXPECT_EQ(a.fixed(), b.fixed());
    EXPECT_EQ(a.data(), b.data());
    EXPECT_EQ(a.offsets(), b.offsets());
  }
}

TEST(ParquetRoundTripTest, DictionaryFallsBackAndRowGroupsKeepTheirSize) {
  columnar::Schema schema(columnar::Node::Record(
      "t", {columnar::Node::Primitive("k", columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString),
            columnar::Node::Primitive("ts", columnar::PhysicalType::kInt64, false, columnar::LogicalKind::kTimestampMicros)},
      false));
  std::vector<json> rows;
  for (int i = 0; i < 40000; ++i)
    rows.push_back({{"k", i < 5000 ? "low" + std::to_string(i % 10) : "key-" + std::to_string(i * 7919)},
                    {"ts", 1700000000000000LL + i * 1000LL}});
  WriterOptions o;
  o.dictionary_max_bytes = 2000;
  o.row_group_bytes = 20000;
  o.page_bytes = 2048;
  FileStats stats;
  const std::string path = WriteRows("fallback", schema, rows, o, 500, &stats);
  EXPECT_EQ(stats.rows, 40000u);
  EXPECT_GT(stats.row_groups, 1u);
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok());
  const auto& rg0 = (*reader)->metadata().row_groups[0].columns[0].meta_data;
  bool dict = false, plain = false;
  for (auto e : rg0->encodings) {
    dict |= e == format::Encoding::kRleDictionary;
    plain |= e == format::Encoding::kPlain;
  }
  EXPECT_TRUE(dict && plain);
  const auto& ts = (*reader)->metadata().row_groups[0].columns[1].meta_data;
  EXPECT_EQ(ts->encodings.back(), format::Encoding::kDeltaBinaryPacked);
  // Each row group is cut once its compressed bytes (the unfinished pages counted at their raw size) reach
  // row_group_bytes, so all but the last hold row_group_bytes of file, give or take one 500-row append.
  const auto& groups = (*reader)->metadata().row_groups;
  EXPECT_GE(groups.size(), 5u);
  int64_t total = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    total += groups[g].num_rows;
    EXPECT_GT(groups[g].num_rows, 0);
    ASSERT_TRUE(groups[g].total_compressed_size.has_value());
    const int64_t bytes = *groups[g].total_compressed_size;
    EXPECT_LE(bytes, 22000) << "group " << g;
    if (g + 1 < groups.size()) EXPECT_GE(bytes, 18000) << "group " << g;
  }
  EXPECT_EQ(total, 40000);
  const auto got = CatRows(path);
  ASSERT_EQ(got.size(), 40000u);
  EXPECT_EQ(got[39999]["k"], "key-" + std::to_string(39999 * 7919));
  EXPECT_EQ(got[1]["ts"], "2023-11-14T22:13:20.001000Z");
  // Per-file stats for the catalog.
  ASSERT_EQ(stats.columns.size(), 2u);
  int64_t mn;
  std::memcpy(&mn, stats.columns[1].min->data(), 8);
  EXPECT_EQ(mn, 1700000000000000LL);
}

// Files of one schema share a DictionaryHistory: once two files dropped a column's dictionary at their first
// page (mostly distinct values), later files write that column PLAIN from the start, byte for byte the file
// they wrote before; repetitive columns keep their dictionaries; a column whose values turn repetitive gets
// its dictionary back at the next probe; files too small to tell teach nothing.
TEST(ParquetRoundTripTest, DictionaryHistorySkipsDictionariesEarlierFilesDropped) {
  columnar::Schema schema(columnar::Node::Record(
      "t", {columnar::Node::Primitive("id", columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString),
            columnar::Node::Primitive("n", columnar::PhysicalType::kInt64, false),
            columnar::Node::Primitive("d", columnar::PhysicalType::kDouble, false),
            columnar::Node::Primitive("cat", columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString),
            columnar::Node::Primitive("small", columnar::PhysicalType::kInt64, false)},
      false));
  std::mt19937_64 rng(11);
  auto rows_of = [&](int count, bool repetitive_ids) {
    std::vector<json> rows;
    for (int i = 0; i < count; ++i)
      rows.push_back({{"id", repetitive_ids ? "id-" + std::to_string(i % 7) : "id-" + std::to_string(rng())},
                      {"n", static_cast<int64_t>(rng() >> 1)},
                      {"d", static_cast<double>(rng() % 1000000) / 7.0},
                      {"cat", "cat-" + std::to_string(i % 10)},
                      {"small", static_cast<int64_t>(i % 5)}});
    return rows;
  };
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto dictionary_encoded = [](const std::string& path, size_t column) {
    auto reader = ParquetReader::OpenFile(path);
    EXPECT_TRUE(reader.ok());
    if (!reader.ok()) return false;
    for (auto e : (*reader)->metadata().row_groups[0].columns[column].meta_data->encodings)
      if (e == format::Encoding::kRleDictionary) return true;
    return false;
  };
  WriterOptions with_history;
  with_history.dictionary_history = std::make_shared<DictionaryHistory>(schema.num_leaves());
  const DictionaryHistory& history = *with_history.dictionary_history;

  const auto rows = rows_of(3000, false);
  const std::string without = WriteRows("history-none", schema, rows, WriterOptions{});
  for (int f = 0; f < 2; ++f) {
    const std::string path = WriteRows("history-learn" + std::to_string(f), schema, rows, with_history);
    EXPECT_EQ(read(path), read(without)) << "file " << f;
  }
  EXPECT_EQ(history.started_plain(), 0u);
  const std::string skipped = WriteRows("history-skip", schema, rows, with_history);
  EXPECT_EQ(history.started_plain(), 3u);  // id, n, d; not cat or small
  EXPECT_EQ(read(skipped), read(without));
  EXPECT_FALSE(dictionary_encoded(skipped, 0));
  EXPECT_TRUE(dictionary_encoded(skipped, 3));
  EXPECT_TRUE(dictionary_encoded(skipped, 4));
  EXPECT_EQ(CatRows(skipped), CatRows(without));

  // The ids turn repetitive: files go on without their dictionary until the probe finds it pays again.
  const auto repetitive = rows_of(3000, true);
  int files_until_dictionary = 0;
  for (int f = 1; f <= static_cast<int>(DictionaryHistory::kProbeInterval); ++f) {
    const std::string path = WriteRows("history-probe" + std::to_string(f), schema, repetitive, with_history);
    if (dictionary_encoded(path, 0)) {
      files_until_dictionary = f;
      break;
    }
  }
  EXPECT_GT(files_until_dictionary, 0) << "no probe within " << DictionaryHistory::kProbeInterval << " files";
  EXPECT_LT(files_until_dictionary, static_cast<int>(DictionaryHistory::kProbeInterval));
  EXPECT_TRUE(dictionary_encoded(WriteRows("history-back", schema, repetitive, with_history), 0));

  // Ten-row files have distinct values in every column, which says nothing about the next, larger file.
  WriterOptions small_files;
  small_files.dictionary_history = std::make_shared<DictionaryHistory>(schema.num_leaves());
  const auto few = rows_of(10, false);
  for (int f = 0; f < 4; ++f) WriteRows("history-small" + std::to_string(f), schema, few, small_files);
  EXPECT_EQ(small_files.dictionary_history->started_plain(), 0u);
  EXPECT_TRUE(dictionary_encoded(WriteRows("history-small-then-large", schema, rows_of(3000, true), small_files), 3));
}

// The byte-array dictionary hashes short values word-wise and compares them without memcmp: values of every
// length up to 40 that are prefixes of each other or differ in one byte (first, middle, last) must stay
// distinct entries, and repeats must find theirs (each value three times keeps the dictionary).
TEST(ParquetRoundTripTest, DictionaryKeepsNearlyEqualValuesApart) {
  columnar::Schema schema(columnar::Node::Record(
      "t", {columnar::Node::Primitive("s", columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString)},
      false));
  std::set<std::string> distinct;
  for (size_t len = 0; len <= 40; ++len) {
    const std::string base(len, 'x');
    distinct.insert(base);
    if (len == 0) continue;
    for (size_t pos : {size_t{0}, len / 2, len - 1}) {
      std::string v = base;
      v[pos] = 'Z';
      distinct.insert(v);
    }
  }
  std::vector<json> rows;
  for (int round = 0; round < 3; ++round)
    for (const auto& v : distinct) rows.push_back({{"s", v}});
  FileStats stats;
  const std::string path = WriteRows("near_equal", schema, rows, WriterOptions(), 37, &stats);
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok());
  const auto& meta = (*reader)->metadata().row_groups[0].columns[0].meta_data;
  bool dict = false;
  for (auto e : meta->encodings) dict |= e == format::Encoding::kRleDictionary;
  EXPECT_TRUE(dict);
  EXPECT_EQ(CatRows(path), Reference(schema, rows));
  ASSERT_EQ(stats.columns.size(), 1u);
  EXPECT_EQ(stats.columns[0].min, std::string());
  EXPECT_EQ(stats.columns[0].max, std::string(40, 'x'));
}

// A numeric dictionary needs no hash table while its new values ascend (in bit order: -1 is above 5); the
// first value below the last entry builds the table from the entries so far. Repeats of the last entry,
// of earlier entries after the switch, and new values below and above must all find or get their entry.
TEST(ParquetRoundTripTest, NumericDictionaryFindsEntriesAcrossItsAscendingStart) {
  columnar::Schema schema(columnar::Node::Record(
      "t", {columnar::Node::Primitive("n", columnar::PhysicalType::kInt64, false),
            columnar::Node::Primitive("d", columnar::PhysicalType::kDouble, true)},
      false));
  std::vector<int64_t> values;
  for (int64_t i = 0; i < 100; ++i) values.insert(values.end(), {i, i});  // ascending, each twice in a row
  values.insert(values.end(), {-1, -1, 5});                              // -1 ascends in bit order; 5 does not
  for (int64_t i = 0; i < 100; ++i) values.push_back(i);                  // all known
  for (int64_t i = 200; i >= 100; --i) values.insert(values.end(), {i, -1});  // new, descending
  std::vector<json> rows;
  for (size_t i = 0; i < values.size(); ++i) {
    json d = i % 7 == 3 ? json() : json(static_cast<double>(values[i]) / 4);
    rows.push_back({{"n", values[i]}, {"d", d}});
  }
  const std::string path = WriteRows("ascending_dict", schema, rows, WriterOptions(), 64);
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok());
  for (size_t c = 0; c < 2; ++c) {
    bool dict = false;
    for (auto e : (*reader)->metadata().row_groups[0].columns[c].meta_data->encodings)
      dict |= e == format::Encoding::kRleDictionary;
    EXPECT_TRUE(dict) << "column " << c;
  }
  EXPECT_EQ(CatRows(path), Reference(schema, rows));
}

TEST(ParquetRoundTripTest, LongStringStatisticsAreTruncatedBounds) {
  columnar::Schema schema(columnar::Node::Record(
      "t", {columnar::Node::Primitive("s", columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString)}, false));
  std::vector<json> rows = {{{"s", std::string(100, 'a') + "z"}}, {{"s", std::string(100, 'b')}}, {{"s", "aa"}}};
  const std::string path = WriteRows("trunc", schema, rows, WriterOptions{});
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok());
  const auto& st = *(*reader)->metadata().row_groups[0].columns[0].meta_data->statistics;
  EXPECT_EQ(*st.min_value, "aa");
  EXPECT_EQ(*st.max_value, std::string(63, 'b') + "c");
  EXPECT_EQ(st.is_max_value_exact, false);
  EXPECT_EQ(CatRows(path)[1]["s"], std::string(100, 'b'));
}

TEST(ParquetRoundTripTest, ProjectionAndInspect) {
  const auto schema = AllTypesSchema(true);
  WriterOptions o;
  o.key_value_metadata = {{"avro.schema", "{\"type\":\"record\"}"}, {"kafka.offsets", "topic/0:0-99"}};
  const std::string path = WriteRows("proj", schema, AllRows(50), o);
  CatOptions co;
  co.columns = {"mp", "i32"};
  co.limit = 3;
  std::ostringstream out;
  ASSERT_TRUE(CatParquet(path, out, co).ok());
  const auto rows = ParseLines(out.str());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].size(), 2u);
  EXPECT_EQ(rows[1]["i32"], INT32_MIN);
  EXPECT_EQ(out.str().substr(0, 6), "{\"mp\":");
  std::ostringstream info;
  ASSERT_TRUE(InspectParquet(path, info).ok());
  const std::string text = info.str();
  for (const char* want : {"created_by: floe version", "avro.schema = {\"type\":\"record\"}", "kafka.offsets",
                           "optional INT32 dec32 (DECIMAL(9,2) / DECIMAL)", "column_index", "offset_index", "ZSTD"})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
}

TEST(ParquetRoundTripTest, ASpoolWriteFailureFailsTheWriterForGood) {
  columnar::Schema schema(columnar::Node::Record(
      "t", {columnar::Node::Primitive("id", columnar::PhysicalType::kInt64, false),
            columnar::Node::Primitive("s", columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString)},
      false));
  WriterOptions options;
  options.page_bytes = 4096;  // pages go to the spool as the rows arrive
  options.codec = format::Codec::kUncompressed;
  auto w = ParquetFileWriter::Open(schema, options, TempDir(), nullptr);
  ASSERT_TRUE(w.ok());
  std::mt19937_64 rng(3);
  auto fill = [&](columnar::ColumnarBatch& b, int rows) {
    for (int i = 0; i < rows; ++i) {
      b.column(0).AppendInt64(static_cast<int64_t>(rng()), 0, 0);
      b.column(1).AppendBytes(std::to_string(rng()) + std::to_string(rng()), 0, 0);
      b.EndRecord();
    }
  };
  Status failure;
  {
    FullDisk full(256 << 10);  // spool writes past 256 KiB fail
    for (int round = 0; round < 1000 && failure.ok(); ++round) {
      columnar::ColumnarBatch batch(schema);
      fill(batch, 500);
      failure = (*w)->Append(batch);
    }
  }

  ASSERT_FALSE(failure.ok()) << "the spool never filled";
  EXPECT_FALSE(failure.Is(ParquetError::kMemoryPressure));
  EXPECT_NE(failure.ToString().find("spool"), std::string::npos) << failure.ToString();
  // The disk has room again, but the writer's columns may disagree on their rows: it stays failed.
  columnar::ColumnarBatch more(schema);
  fill(more, 10);
  EXPECT_EQ((*w)->Append(more).ToString(), failure.ToString());
  EXPECT_EQ(more.num_records(), 10u) << "nothing consumed";
  EXPECT_EQ((*w)->FlushPages().ToString(), failure.ToString());
  EXPECT_EQ((*w)->EndRowGroup().ToString(), failure.ToString());
  StringByteSink sink;
  auto closed = (*w)->Close(sink);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().ToString(), failure.ToString());
  EXPECT_EQ(sink.position(), 0u) << "no file written";

  // A batch of another shape is refused without failing a healthy writer.
  auto healthy = ParquetFileWriter::Open(schema, options, TempDir(), nullptr);
  ASSERT_TRUE(healthy.ok());
  columnar::Schema other(columnar::Node::Record(
      "t", {columnar::Node::Primitive("id", columnar::PhysicalType::kInt32, false),
            columnar::Node::Primitive("s", columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString)},
      false));
  columnar::ColumnarBatch wrong(other);
  wrong.column(0).AppendInt32(1, 0, 0);
  wrong.column(1).AppendBytes(std::string("x"), 0, 0);
  wrong.EndRecord();
  EXPECT_TRUE((*healthy)->Append(wrong).Is(ParquetError::kSchema));
  columnar::ColumnarBatch right(schema);
  fill(right, 3);
  EXPECT_TRUE((*healthy)->Append(right).ok());
  StringByteSink out;
  auto stats = (*healthy)->Close(out);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 3u);
}

TEST(ParquetRoundTripTest, ManyOpenWritersStayWithinTheMemoryBudget) {
  // Scaled-down version of bench/parquet's memory run: 200 writers x 3000 rows, 6 MiB budget (~30 KiB per
  // writer, less than one column's dictionary: the budget binds). Appends refused with kMemoryPressure are
  // retried on the next round, as the archiver pauses and retries.
  columnar::Schema schema(columnar::Node::Record(
      "t", {columnar::Node::Primitive("id", columnar::PhysicalType::kInt64, false),
            columnar::Node::Primitive("s", columnar::PhysicalType::kByteArray, true, columnar::LogicalKind::kString),
            columnar::Node::Primitive("d", columnar::PhysicalType::kDouble, false)},
      false));
  MemoryBudget budget(6 << 20);
  std::vector<std::unique_ptr<ParquetFileWriter>> writers;
  for (int w = 0; w < 200; ++w) {
    auto wr = ParquetFileWriter::Open(schema, WriterOptions{}, TempDir(), &budget);
    ASSERT_TRUE(wr.ok());
    writers.push_back(std::move(*wr));
  }
  columnar::ColumnarBatch batch(schema);
  std::vector<int> rounds_done(writers.size(), 0);
  size_t refused = 0;
  for (bool more = true; more;) {
    more = false;
    size_t progressed = 0;
    for (size_t w = 0; w < writers.size(); ++w) {
      const int round = rounds_done[w];
      if (round == 30) continue;
      for (int i = 0; i < 100; ++i) {
        const int64_t id = round * 100 + i;
        batch.column(0).AppendInt64(id, 0, 0);
        const std::string s = "value-" + std::to_string((id * 31 + static_cast<int64_t>(w)) % 5000);
        batch.column(1).AppendBytes(s, 1, 0);
        batch.column(2).AppendDouble(static_cast<double>(id) * 0.5, 0, 0);
        batch.EndRecord();
      }
      const Status st = writers[w]->Append(batch);
      // The O(1) figure the archiver ranks writers by is what a walk of the columns measures, refused or not.
      ASSERT_EQ(writers[w]->reserved_bytes(), writers[w]->buffered_bytes()) << "writer " << w;
      if (st.ok()) {
        ++rounds_done[w];
        ++progressed;
      } else {
        ASSERT_TRUE(st.Is(ParquetError::kMemoryPressure)) << st.ToString();
        EXPECT_TRUE(st.retryable());
        EXPECT_EQ(batch.num_records(), 100u);  // nothing consumed
        batch.Clear();
        ++refused;
      }
      more |= rounds_done[w] < 30;
    }
    ASSERT_TRUE(!more || progressed > 0) << "no writer could append within the budget: used " << budget.used()
                                         << " writer 0 holds " << writers[0]->buffered_bytes();
  }
  // Writers may reserve only writer_limit() (the rest of the limit is the allocator's), so that is the bound
  // to check: peak <= limit() would hold even if the writers overran their share.
  EXPECT_LE(budget.peak(), budget.writer_limit()) << "used " << budget.used() << " denials " << budget.denials()
                                                  << " refused " << refused;
  EXPECT_EQ(budget.forced_bytes(), 0u);
  EXPECT_GT(budget.denials(), 0u);                      // the budget was the binding constraint
  EXPECT_GT(budget.peak(), budget.writer_limit() / 2);
  for (size_t w = 0; w < writers.size(); w += 37) {
    StringByteSink sink;
    auto st = writers[w]->Close(sink);
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->rows, 3000u);
    auto reader = ParquetReader::Open(MemorySource(sink.contents()));
    ASSERT_TRUE(reader.ok());
    columnar::ColumnarBatch got;
    ASSERT_TRUE((*reader)->ReadRowGroup(0, &got).ok());
    ASSERT_EQ(got.num_records(), 3000u);
    // Pages were finished early under pressure (one 1 MiB page would otherwise hold all 3000 rows), but
    // none before its buffers held the floor: kMinEarlyPageBytes, lowered to fair share / (4 x 3 columns)
    // = 2.5 KiB here. For the int64 column that is at least floor / 16 rows (a vector's capacity reaches the
    // floor once it holds more than half of it). Exceptions: the last page, and at most one page cut short
    // where the chunk gave up its dictionary.
    const int64_t floor = std::min<int64_t>(ParquetFileWriter::kMinEarlyPageBytes, (6 << 20) / 200 / 12);
    auto oi = (*reader)->ReadOffsetIndex(0, 0);
    ASSERT_TRUE(oi.ok() && oi->has_value());
    const auto& locs = (*oi)->page_locations;
    EXPECT_GT(locs.size(), 1u);
    int short_pages = 0;
    for (size_t p = 0; p + 1 < locs.size(); ++p)
      short_pages += locs[p + 1].first_row_index - locs[p].first_row_index < floor / 16;
    EXPECT_LE(short_pages, 1);
    int64_t last;
    std::memcpy(&last, got.column(0).fixed().data() + 2999 * 8, 8);
    EXPECT_EQ(last, 2999);
  }
  writers.clear();
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace floe::parquet

namespace floe::parquet {
namespace {

// A column chunk whose values are all null (a late-data file where every event lacked the field) must not
// claim dictionary encoding without a dictionary: floe and DuckDB both read it back as nulls.
TEST(ParquetRoundTripTest, AllNullDictionaryColumnsReadBackAsNulls) {
  using columnar::Node;
  using columnar::PhysicalType;
  const columnar::Schema schema(Node::Record(
      "r",
      {Node::Primitive("id", PhysicalType::kInt64, false),
       Node::Primitive("maybe_long", PhysicalType::kInt64, true),
       Node::Primitive("maybe_text", PhysicalType::kByteArray, true, columnar::LogicalKind::kString)},
      false));
  std::vector<nlohmann::json> rows;
  for (int i = 0; i < 40; ++i) rows.push_back({{"id", i}, {"maybe_long", nullptr}, {"maybe_text", nullptr}});
  WriterOptions o;
  o.dictionary = true;
  const std::string path = WriteRows("allnull", schema, rows, o, 7);
  const auto got = CatRows(path);
  ASSERT_EQ(got.size(), rows.size());
  EXPECT_EQ(got[39], (nlohmann::json{{"id", 39}, {"maybe_long", nullptr}, {"maybe_text", nullptr}}));
  const auto duck = ParseLines(RunOracle({"duckdb", path}));
  ASSERT_EQ(duck.size(), rows.size());
  EXPECT_TRUE(duck[39]["maybe_long"].is_null());
  EXPECT_TRUE(duck[39]["maybe_text"].is_null());
}

}  // namespace
}  // namespace floe::parquet

namespace floe::parquet {
namespace {

template <typename T>
T FromPlain(const std::string& bytes) {
  T v{};
  EXPECT_EQ(bytes.size(), sizeof(T));
  std::memcpy(&v, bytes.data(), std::min(bytes.size(), sizeof(T)));
  return v;
}

// The ColumnIndex of every page, read back: null_pages, min/max of exactly that page's values (pages located
// by the OffsetIndex), null counts, and the boundary order of each column.
TEST(ParquetRoundTripTest, ColumnIndexDescribesEachPage) {
  using columnar::Node;
  using columnar::PhysicalType;
  const columnar::Schema schema(Node::Record(
      "t",
      {Node::Primitive("asc", PhysicalType::kInt64, false), Node::Primitive("desc", PhysicalType::kInt64, false),
       Node::Primitive("mixed", PhysicalType::kInt32, true),
       Node::Primitive("s", PhysicalType::kByteArray, true, columnar::LogicalKind::kString)},
      false));
  const int n = 4000;
  auto mixed = [](int i) -> std::optional<int32_t> {
    if (i >= 1000 && i < 3500) return std::nullopt;  // a long null run: whole pages of nulls
    if (i % 10 == 3) return std::nullopt;
    return static_cast<int32_t>((i * 7919) % 1000) - 500;
  };
  auto str = [](int i) -> std::optional<std::string> {
    if (i % 4 == 1) return std::nullopt;
    char buf[16];
    std::snprintf(buf, sizeof buf, "k%06d", i);
    return std::string(buf);
  };
  std::vector<json> rows;
  for (int i = 0; i < n; ++i) {
    const auto m = mixed(i);
    const auto s = str(i);
    rows.push_back({{"asc", int64_t{i} * 3 - 1000}, {"desc", int64_t{5000000} - int64_t{i} * i},
                    {"mixed", m ? json(*m) : json()}, {"s", s ? json(*s) : json()}});
  }
  WriterOptions o;
  o.dictionary = false;  // pages then end at page_bytes of plain values
  o.page_bytes = 256;
  const std::string path = WriteRows("colindex", schema, rows, o, 50);
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->num_row_groups(), 1u);
  const format::BoundaryOrder want_order[] = {format::BoundaryOrder::kAscending, format::BoundaryOrder::kDescending,
                                              format::BoundaryOrder::kUnordered, format::BoundaryOrder::kAscending};
  int null_pages = 0;
  for (size_t leaf = 0; leaf < 4; ++leaf) {
    SCOPED_TRACE(schema.leaves()[leaf].dotted_path());
    auto ci = (*reader)->ReadColumnIndex(0, leaf);
    auto oi = (*reader)->ReadOffsetIndex(0, leaf);
    ASSERT_TRUE(ci.ok() && ci->has_value() && oi.ok() && oi->has_value());
    const format::ColumnIndex& index = **ci;
    const auto& pages = (*oi)->page_locations;
    ASSERT_GT(pages.size(), 4u);
    ASSERT_EQ(index.null_pages.size(), pages.size());
    ASSERT_EQ(index.min_values.size(), pages.size());
    ASSERT_EQ(index.max_values.size(), pages.size());
    ASSERT_EQ(index.null_counts.size(), pages.size());
    EXPECT_EQ(index.boundary_order, want_order[leaf]);
    for (size_t p = 0; p < pages.size(); ++p) {
      SCOPED_TRACE("page " + std::to_string(p));
      const int begin = static_cast<int>(pages[p].first_row_index);
      const int end = p + 1 < pages.size() ? static_cast<int>(pages[p + 1].first_row_index) : n;
      ASSERT_LT(begin, end);
      int64_t nulls = 0;
      std::optional<int64_t> mn, mx;
      std::optional<std::string> smn, smx;
      for (int i = begin; i < end; ++i) {
        std::optional<int64_t> v;
        if (leaf == 0) v = int64_t{i} * 3 - 1000;
        if (leaf == 1) v = int64_t{5000000} - int64_t{i} * i;
        if (leaf == 2 && mixed(i)) v = *mixed(i);
        if (leaf == 3) {
          const auto s = str(i);
          if (!s) ++nulls;
          else if (!smn) smn = smx = s;
          else smn = std::min(*smn, *s), smx = std::max(*smx, *s);
          continue;
        }
        if (!v) ++nulls;
        else if (!mn) mn = mx = v;
        else mn = std::min(*mn, *v), mx = std::max(*mx, *v);
      }
      EXPECT_EQ(index.null_counts[p], nulls);
      const bool all_null = nulls == end - begin;
      EXPECT_EQ(index.null_pages[p], all_null);
      null_pages += all_null;
      if (all_null) {  // the spec: empty bounds for null pages
        EXPECT_EQ(index.min_values[p], "");
        EXPECT_EQ(index.max_values[p], "");
      } else if (leaf == 3) {
        EXPECT_EQ(index.min_values[p], *smn);
        EXPECT_EQ(index.max_values[p], *smx);
      } else if (leaf == 2) {
        EXPECT_EQ(FromPlain<int32_t>(index.min_values[p]), *mn);
        EXPECT_EQ(FromPlain<int32_t>(index.max_values[p]), *mx);
      } else {
        EXPECT_EQ(FromPlain<int64_t>(index.min_values[p]), *mn);
        EXPECT_EQ(FromPlain<int64_t>(index.max_values[p]), *mx);
      }
    }
  }
  EXPECT_GT(null_pages, 0);  // the null run of "mixed" filled whole pages
}

// Close reads small spools back in one piece; a spool past that size (8 MiB) is copied out page by page.
// Both give the same file; pages larger than the write stage (1 MiB) are written as they come.
TEST(ParquetRoundTripTest, LargeSpoolsAreCopiedOutPageByPage) {
  using columnar::Node;
  using columnar::PhysicalType;
  const columnar::Schema schema(Node::Record(
      "t", {Node::Primitive("id", PhysicalType::kInt64, false),
            Node::Primitive("blob", PhysicalType::kByteArray, false, columnar::LogicalKind::kString)},
      false));
  std::mt19937_64 rng(17);
  auto noise = [&](size_t n) {
    std::string v(n, 'x');
    for (auto& c : v) c = static_cast<char>('a' + rng() % 26);
    return v;
  };
  for (const size_t row_bytes : {size_t{3000}, size_t{40000}}) {
    SCOPED_TRACE(row_bytes);
    std::vector<json> rows;
    for (int i = 0; i < 300; ++i) rows.push_back({{"id", i}, {"blob", noise(row_bytes)}});
    WriterOptions o;
    o.codec = format::Codec::kUncompressed;
    o.dictionary = false;
    o.page_bytes = 2 << 20;  // 3000-byte rows: 1 page (< 1 MiB stage); 40000: pages of 2 MiB in a 12 MiB spool
    FileStats stats;
    const std::string path = WriteRows("large_spool" + std::to_string(row_bytes), schema, rows, o, 10, &stats);
    EXPECT_EQ(stats.rows, 300u);
    EXPECT_EQ(CatRows(path), Reference(schema, rows));
  }
}

// Pages of a column that do not shrink under ZSTD are stored (a frame of raw blocks) for runs between
// attempts; a column that compresses keeps every page compressed. Both read back unchanged.
TEST(ParquetRoundTripTest, PagesThatDoNotCompressAreStored) {
  const columnar::Schema schema = NoiseAndTextSchema();
  std::mt19937_64 rng(11);
  std::vector<json> rows;
  for (int i = 0; i < 60000; ++i)
    rows.push_back({{"noise", static_cast<int64_t>(rng())},
                    {"text", "the same words again and again, row " + std::to_string(i % 7)}});
  WriterOptions o;
  o.dictionary = false;
  o.page_bytes = 4096;  // past the size below which a page says nothing about its column (1 KiB)
  const std::string path = WriteRows("stored_pages", schema, rows, o, 100);
  EXPECT_EQ(CatRows(path), Reference(schema, rows));

  std::ifstream in(path, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  // A stored frame: the ZSTD magic, then the descriptor AppendStored writes (single segment, 4-byte content
  // size), which zstd's own encoder uses only for content of 64 KiB and more.
  const std::string stored_start("\x28\xB5\x2F\xFD\xA0", 5);
  size_t stored[2] = {0, 0}, pages[2] = {0, 0};
  for (size_t leaf = 0; leaf < 2; ++leaf) {
    auto oi = (*reader)->ReadOffsetIndex(0, leaf);
    ASSERT_TRUE(oi.ok() && oi->has_value());
    for (const auto& loc : (*oi)->page_locations) {
      ++pages[leaf];
      const std::string page = file.substr(static_cast<size_t>(loc.offset), static_cast<size_t>(loc.compressed_page_size));
      const size_t at = page.find(stored_start);
      if (at != std::string::npos && at < 128) ++stored[leaf];  // right behind the page header
    }
  }
  ASSERT_GT(pages[0], 40u);
  EXPECT_GT(stored[0], pages[0] / 2);  // runs of up to 15 stored pages between single attempts
  EXPECT_LT(stored[0], pages[0]);      // the codec is tried again now and then
  EXPECT_EQ(stored[1], 0u);
}

// Floats per the spec's statistics rules: NaN is never a bound (nan_count counts it), a zero min is written
// as -0.0 and a zero max as +0.0. A chunk holding NaN has no min/max at all (engines ordering NaN above all
// numbers would prune on NaN-free bounds), its pages keep NaN-free bounds in the ColumnIndex, and a chunk
// with a page of only NaNs has no ColumnIndex. One row group per 4 rows (row_group_bytes 1: each append).
TEST(ParquetRoundTripTest, FloatStatisticsExcludeNaNAndNormalizeZeros) {
  const auto schema = testing::FloatEdgeSchema();
  const auto rows = testing::FloatEdgeRows();
  WriterOptions o;
  o.row_group_bytes = 1;
  const std::string path = WriteRows("float_edges", schema, rows, o, 4);
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->num_row_groups(), 5u);
  struct Bounds {
    double min, max;
  };
  struct Want {
    std::optional<Bounds> chunk, page;  // chunk statistics, the ColumnIndex's single page
    int64_t nans, nulls;
  };
  const double inf = std::numeric_limits<double>::infinity();
  // d (optional double), then f (required float): see FloatEdgeRows.
  const Want want[2][5] = {{{std::nullopt, Bounds{-inf, inf}, 1, 0},
                            {Bounds{-0.0, 2.5}, Bounds{-0.0, 2.5}, 0, 1},
                            {std::nullopt, Bounds{-0.0, 0.0}, 1, 1},
                            {std::nullopt, std::nullopt, 3, 1},
                            {Bounds{-0.0, 0.0}, Bounds{-0.0, 0.0}, 0, 1}},
                           {{std::nullopt, Bounds{-inf, inf}, 1, 0},
                            {Bounds{-0.0, 2.5}, Bounds{-0.0, 2.5}, 0, 0},
                            {std::nullopt, Bounds{-0.0, 0.0}, 2, 0},
                            {std::nullopt, std::nullopt, 4, 0},
                            {Bounds{-0.0, 0.0}, Bounds{-0.0, 0.0}, 0, 0}}};
  auto check = [](const std::string& mn_bytes, const std::string& mx_bytes, bool is_double, const Bounds& b) {
    const double mn = is_double ? FromPlain<double>(mn_bytes) : FromPlain<float>(mn_bytes);
    const double mx = is_double ? FromPlain<double>(mx_bytes) : FromPlain<float>(mx_bytes);
    EXPECT_EQ(mn, b.min);
    EXPECT_EQ(std::signbit(mn), std::signbit(b.min)) << "a zero min must be -0.0";
    EXPECT_EQ(mx, b.max);
    EXPECT_EQ(std::signbit(mx), std::signbit(b.max)) << "a zero max must be +0.0";
  };
  for (size_t leaf = 0; leaf < 2; ++leaf) {
    for (size_t g = 0; g < 5; ++g) {
      SCOPED_TRACE("leaf " + std::to_string(leaf) + " group " + std::to_string(g));
      const auto& st = *(*reader)->metadata().row_groups[g].columns[leaf].meta_data->statistics;
      const Want& w = want[leaf][g];
      EXPECT_EQ(st.nan_count, w.nans);
      EXPECT_EQ(st.null_count, w.nulls);
      EXPECT_EQ(st.min_value.has_value(), w.chunk.has_value());
      EXPECT_EQ(st.max_value.has_value(), w.chunk.has_value());
      if (w.chunk && st.min_value && st.max_value) check(*st.min_value, *st.max_value, leaf == 0, *w.chunk);
      auto ci = (*reader)->ReadColumnIndex(g, leaf);
      ASSERT_TRUE(ci.ok());
      ASSERT_EQ(ci->has_value(), w.page.has_value()) << "no ColumnIndex when a page holds only NaNs";
      if (!w.page) continue;
      ASSERT_EQ((*ci)->min_values.size(), 1u);
      EXPECT_FALSE((*ci)->null_pages[0]);
      check((*ci)->min_values[0], (*ci)->max_values[0], leaf == 0, *w.page);
    }
  }
  // The values themselves come back bit for bit (NaN, both zeros, infinities).
  columnar::ColumnarBatch want_batch(schema);
  for (const auto& r : rows) ShredRow(r, &want_batch);
  std::vector<uint8_t> got_d, got_f;
  for (size_t g = 0; g < 5; ++g) {
    columnar::ColumnarBatch got;
    ASSERT_TRUE((*reader)->ReadRowGroup(g, &got).ok());
    got_d.insert(got_d.end(), got.column(0).fixed().begin(), got.column(0).fixed().end());
    got_f.insert(got_f.end(), got.column(1).fixed().begin(), got.column(1).fixed().end());
  }
  EXPECT_EQ(got_d, want_batch.column(0).fixed());
  EXPECT_EQ(got_f, want_batch.column(1).fixed());
  // Row-group pruning on these statistics keeps every group that may hold a match (only group 4 cannot).
  auto groups = (*reader)->SelectRowGroups({{"d", Predicate::Op::kGt, 2.0}});
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(*groups, (std::vector<size_t>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace floe::parquet
