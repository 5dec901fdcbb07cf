// Object container files across implementations: files written by python3-avro are read by floe, files
// written by floe are read by python3-avro (null, deflate: the codecs Debian's python3-avro has) and by avsc
// under node (all four codecs; snappy/zstandard blocks via hyparquet-compressors). Corrupt files fail cleanly.
#include <gtest/gtest.h>

#include "avro/container.h"
#include "avro/decoder.h"
#include "avro/json_codec.h"
#include "avro/test_util.h"

namespace floe::avro {
namespace {

const char* kRecords[] = {
    R"({"id":1,"geo":{"lat":1.5,"tags":["a","b"]},"kind":"VIDEO","price":100,
        "items":[{"sku":"s1","qty":2},{"sku":"s2","qty":null}],"attrs":{"k1":[1,2],"k2":[]},
        "lmaps":[{"m":"x"},{}],"hash":"\u0001\u0002\u0003\u0004","home":{"lat":0.0,"tags":[]}})",
    R"({"id":2,"geo":null,"kind":"BANNER","price":null,"items":[],"attrs":{},"lmaps":[],"hash":"abcd",
        "home":{"lat":-1.0,"tags":["h"]}})",
};
constexpr int kRepeat = 50;

// The records above as python3-avro and avsc print them (bytes as {"$bytes": hex}).
nlohmann::json ExpectedRecords() {
  nlohmann::json out = nlohmann::json::array();
  for (int i = 0; i < kRepeat; ++i) {
    for (const char* r : kRecords) {
      auto j = nlohmann::json::parse(r);
      std::string hash = j["hash"];
      j["hash"] = {{"$bytes", testing::Hex(hash)}};
      out.push_back(j);
    }
  }
  return out;
}

class ContainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::ScratchDir("container"));
    int rc = 0;
    testing::Run(testing::FixtureScript() + " datums " + *dir_ + "/datums.json", &rc);
    ASSERT_EQ(rc, 0);
    const auto fixtures = testing::ReadJsonFile(*dir_ + "/datums.json");
    schema_ = new Schema(*Schema::FromJson(fixtures["nested"]["writer"]));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete schema_;
  }

  static std::string WriteWithFloe(OcfCodec codec) {
    const std::string path = *dir_ + "/floe-" + std::string(OcfCodecName(codec)) + ".avro";
    auto sink = FileByteSink::Open(path);
    EXPECT_TRUE(sink.ok());
    OcfWriterOptions opts;
    opts.codec = codec;
    opts.block_bytes = 1000;  // several blocks
    opts.metadata["floe.test"] = "yes";
    auto w = OcfWriter::Open(sink->get(), *schema_, opts);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    for (int i = 0; i < kRepeat; ++i) {
      for (const char* r : kRecords) {
        std::string datum;
        EXPECT_TRUE(EncodeJson(*schema_, nlohmann::json::parse(r), datum).ok());
        EXPECT_TRUE(w->Append(datum).ok());
      }
    }
    EXPECT_TRUE(w->Finish().ok());
    EXPECT_EQ(w->datums_written(), 2u * kRepeat);
    EXPECT_TRUE((*sink)->Close().ok());
    return path;
  }

  // Reads a file with floe: every datum decoded into one batch; returns the record count.
  static size_t ReadWithFloe(const std::string& path, OcfCodec expect_codec) {
    const std::string file = testing::ReadFile(path);
    auto reader = OcfReader::Open(file);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return 0;
    EXPECT_EQ(reader->codec(), expect_codec);
    EXPECT_EQ(reader->schema().CanonicalForm(), schema_->CanonicalForm());
    auto decoder = RecordDecoder::Compile(reader->schema(), *schema_);
    EXPECT_TRUE(decoder.ok());
    columnar::ColumnarBatch batch(decoder->columnar_schema());
    std::string_view datum;
    std::vector<std::string> json;
    for (;;) {
      auto more = reader->NextDatum(datum);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      EXPECT_TRUE(decoder->Decode(datum, batch).ok());
      json.emplace_back();
      EXPECT_TRUE(DatumToJson(reader->schema().root(), datum, json.back()).ok());
    }
    for (size_t i = 0; i < json.size(); ++i)
      EXPECT_EQ(nlohmann::json::parse(json[i]), nlohmann::json::parse(kRecords[i % 2])) << path << " #" << i;
    return batch.num_records();
  }

  static std::string* dir_;
  static Schema* schema_;
};
std::string* ContainerTest::dir_ = nullptr;
Schema* ContainerTest::schema_ = nullptr;

TEST_F(ContainerTest, FloeReadsPythonAvroFiles) {
  int rc = 0;
  const auto codecs = nlohmann::json::parse(testing::Run(testing::FixtureScript() + " write-ocf " + *dir_, &rc));
  ASSERT_EQ(rc, 0);
  ASSERT_GE(codecs.size(), 2u);  // null and deflate at least; snappy/zstandard when python has them
  for (const auto& c : codecs) {
    const std::string name = c.get<std::string>();
    EXPECT_EQ(ReadWithFloe(*dir_ + "/" + name + ".avro", *ParseOcfCodec(name)), 2u * kRepeat) << name;
  }
}

TEST_F(ContainerTest, PythonAvroReadsFloeFiles) {
  for (OcfCodec codec : {OcfCodec::kNull, OcfCodec::kDeflate}) {
    const std::string path = WriteWithFloe(codec);
    int rc = 0;
    const std::string out = testing::Run(testing::FixtureScript() + " read-ocf " + path, &rc);
    ASSERT_EQ(rc, 0) << out;
    const auto got = nlohmann::json::parse(out);
    EXPECT_EQ(got["codec"], OcfCodecName(codec));
    EXPECT_EQ(got["records"], ExpectedRecords());
  }
}

TEST_F(ContainerTest, AvscReadsFloeFilesWithEveryCodec) {
  const std::string tools = testing::SourceDir() + "/tests/tools";
  for (OcfCodec codec : {OcfCodec::kNull, OcfCodec::kDeflate, OcfCodec::kSnappy, OcfCodec::kZstd}) {
    const std::string path = WriteWithFloe(codec);
    int rc = 0;
    const std::string out =
        testing::Run("node " + testing::SourceDir() + "/tests/avro/avsc_read_ocf.mjs " + tools + " " + path, &rc);
    ASSERT_EQ(rc, 0) << out;
    const auto got = nlohmann::json::parse(out);
    EXPECT_EQ(got["codec"], OcfCodecName(codec));
    EXPECT_EQ(got["records"], ExpectedRecords()) << OcfCodecName(codec);
  }
}

TEST_F(ContainerTest, FloeReadsItsOwnFilesWithEveryCodec) {
  for (OcfCodec codec : {OcfCodec::kNull, OcfCodec::kDeflate, OcfCodec::kSnappy, OcfCodec::kZstd}) {
    const std::string path = WriteWithFloe(codec);
    EXPECT_EQ(ReadWithFloe(path, codec), 2u * kRepeat);
    auto reader = OcfReader::Open(testing::ReadFile(path));
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(reader->metadata().at("floe.test"), "yes");
  }
}

TEST_F(ContainerTest, CorruptFilesFailWithNamedErrors) {
  const std::string good = testing::ReadFile(WriteWithFloe(OcfCodec::kDeflate));
  auto drain = [](std::string_view file) -> Status {
    auto reader = OcfReader::Open(file);
    if (!reader.ok()) return reader.status();
    std::string_view datum;
    for (;;) {
      auto more = reader->NextDatum(datum);
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
    }
  };
  ASSERT_TRUE(drain(good).ok());
  EXPECT_TRUE(drain("Obj\x02rest").Is(AvroError::kBadContainer));
  // Every truncation fails (or, cut exactly between blocks, ends early) without crashing.
  for (size_t n = 0; n < good.size(); n += 7) {
    Status st = drain(std::string_view(good).substr(0, n));
    if (!st.ok()) {
      EXPECT_TRUE(st.Is(AvroError::kBadContainer) || st.Is(AvroError::kCodec) || st.Is(AvroError::kTruncated))
          << st.ToString();
    }
  }
  std::string bad_sync = good;
  bad_sync[bad_sync.size() - 1] ^= 1;
  EXPECT_TRUE(drain(bad_sync).Is(AvroError::kBadContainer));
  std::string corrupt = good;
  for (size_t i = good.size() / 2; i < good.size() / 2 + 8; ++i) corrupt[i] ^= 0x5a;
  EXPECT_FALSE(drain(corrupt).ok());
  std::string unknown_codec = good;
  const size_t at = unknown_codec.find("deflate");
  ASSERT_NE(at, std::string::npos);
  unknown_codec.replace(at, 7, "inflate");
  EXPECT_TRUE(drain(unknown_codec).Is(AvroError::kCodec));
}

// A container whose datums nest without end: reading it datum by datum fails with kTooDeep (the splitter
// recurses per level like the decoder) instead of overflowing the stack.
TEST(ContainerHostileTest, DeeplyNestedDatumFailsWithTooDeep) {
  auto list = Schema::Parse(
      R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"]}]})");
  ASSERT_TRUE(list.ok());
  std::string datum;
  for (int i = 0; i < 512 * 1024; ++i) datum += "\x02\x02";
  datum += std::string("\x02\x00", 2);
  StringByteSink sink;
  auto writer = OcfWriter::Open(&sink, *list);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Append(datum).ok());
  ASSERT_TRUE(writer->Finish().ok());
  auto reader = OcfReader::Open(sink.contents());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string_view got;
  EXPECT_TRUE(reader->NextDatum(got).status().Is(AvroError::kTooDeep));
}

}  // namespace
}  // namespace floe::avro
