// Schema parsing (names, namespaces, references, defaults, logical types), Parsing Canonical Form against
// python3-avro, CRC-64-AVRO fingerprints against the Avro project's published test vectors, and the
// Schema Registry compatibility levels over a table of schema pairs.
#include <gtest/gtest.h>

#include "avro/compatibility.h"
#include "avro/resolution.h"
#include "avro/schema.h"
#include "avro/test_util.h"

namespace floe::avro {
namespace {

Schema MustParse(const std::string& json) {
  auto s = Schema::Parse(json);
  EXPECT_TRUE(s.ok()) << json << ": " << s.status().ToString();
  return s.ok() ? *s : Schema();
}

std::string ParseError(const std::string& json) {
  auto s = Schema::Parse(json);
  if (s.ok()) return "parsed";
  EXPECT_TRUE(s.status().Is(AvroError::kInvalidSchema));
  return s.status().message();
}

TEST(SchemaParseTest, NamesNamespacesAndReferences) {
  const Schema s = MustParse(R"({"type":"record","name":"Outer","namespace":"a.b","fields":[
      {"name":"x","type":{"type":"record","name":"Inner","fields":[{"name":"v","type":"int"}]}},
      {"name":"y","type":"Inner"},
      {"name":"z","type":"a.b.Inner"},
      {"name":"w","type":{"type":"enum","name":"c.E","symbols":["A"]}},
      {"name":"u","type":{"type":"fixed","name":"F","namespace":"d","size":3,"aliases":["G","e.H"]}},
      {"name":"t","type":"c.E"}]})");
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(s.root().full_name, "a.b.Outer");
  ASSERT_NE(s.FindNamed("a.b.Inner"), nullptr);
  EXPECT_EQ(s.root().fields[1].type, s.FindNamed("a.b.Inner"));
  EXPECT_EQ(s.root().fields[2].type, s.FindNamed("a.b.Inner"));
  EXPECT_EQ(s.root().fields[5].type, s.FindNamed("c.E"));
  const TypeNode* f = s.FindNamed("d.F");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->aliases, (std::vector<std::string>{"d.G", "e.H"}));
}

TEST(SchemaParseTest, RecursiveTypes) {
  const Schema s = MustParse(R"({"type":"record","name":"Tree","fields":[
      {"name":"children","type":{"type":"array","items":"Tree"}},
      {"name":"parent","type":["null","Tree"],"default":null}]})");
  EXPECT_EQ(s.root().fields[0].type->items, s.root_ptr());
  EXPECT_EQ(s.CanonicalForm(),
            R"({"name":"Tree","type":"record","fields":[{"name":"children","type":{"type":"array","items":"Tree"}},)"
            R"({"name":"parent","type":["null","Tree"]}]})");
}

TEST(SchemaParseTest, DefaultsAreValidated) {
  EXPECT_EQ(MustParse(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":"int","default":1},{"name":"b","type":["null","int"],"default":null},
      {"name":"c","type":["int","null"],"default":3},{"name":"d","type":{"type":"array","items":"long"},"default":[1]},
      {"name":"e","type":{"type":"map","values":"string"},"default":{"k":"v"}},
      {"name":"f","type":"bytes","default":"\u00ff\u0000"},{"name":"g","type":"double","default":"NaN"},
      {"name":"h","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int","default":0}]},"default":{}},
      {"name":"i","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"}]})")
                .root()
                .fields.size(),
            9u);
  EXPECT_EQ(ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]})"),
            "R.a: invalid default \"x\": expected an int");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":3000000000}]})"),
            "R.a: invalid default 3000000000: out of int range");
  EXPECT_EQ(
      ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":"x"}]})"),
      "R.a: invalid default \"x\": a union default must match the union's first branch (null): expected null");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":
      {"type":"record","name":"S","fields":[{"name":"x","type":"int"}]},"default":{}}]})"),
            "R.a: invalid default {}: record S field 'x' missing");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":
      {"type":"fixed","name":"F","size":2},"default":"abc"}]})"),
            "R.a: invalid default \"abc\": fixed default must have 2 bytes");
  EXPECT_EQ(ParseError(R"({"type":"enum","name":"E","symbols":["A"],"default":"B"})"),
            "E: enum default \"B\" is not one of its symbols");
}

TEST(SchemaParseTest, InvalidSchemasSayWhatAndWhere) {
  EXPECT_NE(ParseError("{").find("schema is not JSON"), std::string::npos);
  EXPECT_EQ(ParseError(R"("integer")"), "unknown type 'integer'");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]})"),
            "R.a: unknown type 'Missing'");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"9R","fields":[]})"), "invalid name '9R'");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})"),
            "R: field 'a' appears twice");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"R","fields":[{"name":"a","type":
      {"type":"enum","name":"R","symbols":["X"]}}]})"),
            "R.a: type 'R' is defined twice");
  EXPECT_EQ(ParseError(R"(["int","int"])"), "[union branch 1]: union contains 'int' twice");
  EXPECT_EQ(ParseError(R"(["int",["string"]])"), "[union branch 1]: a union may not directly contain a union");
  EXPECT_EQ(ParseError(R"({"type":"fixed","name":"F"})"), "F: fixed needs a non-negative integer \"size\"");
  EXPECT_EQ(ParseError(R"({"type":"enum","name":"E","symbols":["A","A"]})"), "E: enum symbol \"A\" twice");
  EXPECT_EQ(ParseError(R"({"type":"array"})"), "array without \"items\"");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"int","fields":[]})"), "'int' cannot be redefined");
  EXPECT_EQ(ParseError(R"({"type":"record","name":"R"})"), "R: record without a \"fields\" array");
  EXPECT_EQ(ParseError(R"(["int",{"type":"record","name":"X","fields":[{"name":"f","type":"nope"}]}])"),
            "[union branch 1]/X.f: unknown type 'nope'");
}

TEST(SchemaParseTest, InvalidLogicalTypesDegradeToTheUnderlyingType) {
  auto logical = [](const std::string& json) { return MustParse(json).root().logical; };
  EXPECT_EQ(logical(R"({"type":"bytes","logicalType":"decimal","precision":4,"scale":2})"), LogicalType::kDecimal);
  EXPECT_EQ(logical(R"({"type":"bytes","logicalType":"decimal","precision":0})"), LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"bytes","logicalType":"decimal","precision":2,"scale":3})"), LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"bytes","logicalType":"decimal"})"), LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"fixed","name":"F","size":4,"logicalType":"decimal","precision":9})"),
            LogicalType::kDecimal);
  EXPECT_EQ(logical(R"({"type":"fixed","name":"F","size":4,"logicalType":"decimal","precision":10})"),
            LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"string","logicalType":"date"})"), LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"long","logicalType":"date"})"), LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"int","logicalType":"timestamp-millis"})"), LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"fixed","name":"D","size":11,"logicalType":"duration"})"), LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"long","logicalType":"something-else"})"), LogicalType::kNone);
  EXPECT_EQ(logical(R"({"type":"long","logicalType":"local-timestamp-micros"})"),
            LogicalType::kLocalTimestampMicros);
}

TEST(SchemaParseTest, ToJsonRoundTrips) {
  const Schema s = MustParse(R"({"type":"record","name":"R","namespace":"n","fields":[
      {"name":"a","type":{"type":"long","logicalType":"timestamp-micros"},"default":0,"doc":"when"},
      {"name":"b","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":1}},
      {"name":"c","type":{"type":"enum","name":"E","symbols":["X","Y"],"default":"Y"}},
      {"name":"d","type":["null","E"],"aliases":["dd"]}]})");
  const Schema again = MustParse(s.ToJson());
  EXPECT_EQ(again.CanonicalForm(), s.CanonicalForm());
  EXPECT_EQ(again.root().fields[0].type->logical, LogicalType::kTimestampMicros);
  EXPECT_EQ(again.root().fields[1].type->scale, 1);
  EXPECT_EQ(*again.root().fields[2].type->enum_default, "Y");
  EXPECT_EQ(again.root().fields[3].aliases, (std::vector<std::string>{"dd"}));
  EXPECT_EQ(again.root().fields[0].doc, "when");
}

// Fingerprints from the Avro project's schema test data (share/test/data/schema-tests.txt), as signed longs.
TEST(FingerprintTest, MatchesPublishedVectors) {
  const std::vector<std::pair<std::string, int64_t>> vectors = {
      {R"("null")", 7195948357588979594},
      {R"("boolean")", -6970731678124411036},
      {R"("int")", 8247732601305521295},
      {R"("long")", -3434872931120570953},
      {R"("float")", 5583340709985441680},
      {R"("double")", -8181574048448539266},
      {R"("bytes")", 5746618253357095269},
      {R"("string")", -8142146995180207161},
      {R"([])", -1241056759729112623},
      {R"(["int"])", -5232228896498058493},
      {R"(["int","boolean"])", 5392556393470105090},
      {R"({"name":"x.y.foo","type":"record","fields":[]})", 5916914534497305771},
  };
  for (const auto& [json, fp] : vectors) EXPECT_EQ(static_cast<int64_t>(MustParse(json).Fingerprint64()), fp) << json;
}

// The spec's rules where python3-avro 1.11.1 departs from them (see avro_fixtures.py).
TEST(CanonicalFormTest, LogicalTypesAndRepeatedNamesPerSpec) {
  // [PRIMITIVES] + [STRIP]: a logical type leaves the plain primitive name.
  EXPECT_EQ(MustParse(R"({"type":"int","logicalType":"date"})").CanonicalForm(), R"("int")");
  EXPECT_EQ(MustParse(R"({"type":"int","logicalType":"date"})").Fingerprint64(), MustParse(R"("int")").Fingerprint64());
  EXPECT_EQ(MustParse(R"({"type":"fixed","name":"D","size":12,"logicalType":"duration"})").CanonicalForm(),
            R"({"name":"D","type":"fixed","size":12})");
  // A named type is defined once; later uses are its full name.
  EXPECT_EQ(MustParse(R"({"type":"record","name":"R","namespace":"a.b","fields":[
      {"name":"f","type":{"type":"fixed","name":"F","namespace":"c","size":2}},{"name":"g","type":"c.F"}]})")
                .CanonicalForm(),
            R"({"name":"a.b.R","type":"record","fields":[{"name":"f","type":{"name":"c.F","type":"fixed","size":2}},)"
            R"({"name":"g","type":"c.F"}]})");
  // "namespace": "" is the null namespace, also for the types nested inside.
  EXPECT_EQ(MustParse(R"({"type":"record","name":"R","namespace":"a","fields":[{"name":"i","type":
      {"type":"record","name":"S","namespace":"","fields":[{"name":"j","type":{"type":"fixed","name":"T","size":1}}]}}]})")
                .CanonicalForm(),
            R"({"name":"a.R","type":"record","fields":[{"name":"i","type":{"name":"S","type":"record","fields":[)"
            R"({"name":"j","type":{"name":"T","type":"fixed","size":1}}]}}]})");
}

TEST(CanonicalFormTest, AgreesWithPythonAvro) {
  const std::string dir = testing::ScratchDir("canonical");
  int rc = 0;
  testing::Run(testing::FixtureScript() + " canonical " + dir + "/canonical.json", &rc);
  ASSERT_EQ(rc, 0);
  const auto cases = testing::ReadJsonFile(dir + "/canonical.json");
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    auto s = Schema::FromJson(c["schema"]);
    ASSERT_TRUE(s.ok()) << c["schema"].dump() << ": " << s.status().ToString();
    EXPECT_EQ(s->CanonicalForm(), c["canonical"].get<std::string>());
    EXPECT_EQ(s->Fingerprint64(), Rabin64(c["canonical"].get<std::string>()));
  }
}

// --- Compatibility -------------------------------------------------------------------------------------

struct Pair {
  const char* reader;
  const char* writer;
  bool readable;
};

const char* kRecA = R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]})";

const std::vector<Pair>& CompatibilityTable() {
  static const std::vector<Pair> table = {
      {R"("int")", R"("int")", true},
      {R"("long")", R"("int")", true},
      {R"("float")", R"("int")", true},
      {R"("double")", R"("int")", true},
      {R"("float")", R"("long")", true},
      {R"("double")", R"("long")", true},
      {R"("double")", R"("float")", true},
      {R"("string")", R"("bytes")", true},
      {R"("bytes")", R"("string")", true},
      {R"("int")", R"("long")", false},
      {R"("int")", R"("float")", false},
      {R"("long")", R"("double")", false},
      {R"("float")", R"("double")", false},
      {R"("string")", R"("int")", false},
      {R"("boolean")", R"("int")", false},
      {R"("null")", R"("null")", true},
      {R"("null")", R"("int")", false},
      {R"({"type":"array","items":"long"})", R"({"type":"array","items":"int"})", true},
      {R"({"type":"array","items":"int"})", R"({"type":"array","items":"long"})", false},
      {R"({"type":"map","values":"long"})", R"({"type":"map","values":"int"})", true},
      {R"({"type":"map","values":"int"})", R"({"type":"map","values":"long"})", false},
      {R"({"type":"map","values":["null","int"]})", R"({"type":"map","values":"int"})", true},
      {R"(["int","long"])", R"("int")", true},
      {R"(["null","string"])", R"("int")", false},
      {R"(["string","long"])", R"("int")", true},
      {R"("int")", R"(["int"])", true},
      {R"("long")", R"(["int"])", true},
      {R"("int")", R"(["int","string"])", false},
      {R"(["int","long","string"])", R"(["int","string"])", true},
      {R"(["int"])", R"(["int","string"])", false},
      {R"(["null","long"])", R"(["null","int"])", true},
      {R"("string")", R"(["null","string"])", false},
      {R"(["null","string"])", R"("string")", true},
      {R"("double")", R"(["int","long","float"])", true},
      {kRecA, kRecA, true},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]})",
       kRecA, true},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]})", kRecA,
       false},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},
          {"name":"b","type":["null","string"],"default":null}]})",
       kRecA, true},
      {kRecA, R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]})",
       true},
      {R"({"type":"record","name":"R","fields":[{"name":"a","type":"long"}]})", kRecA, true},
      {kRecA, R"({"type":"record","name":"R","fields":[{"name":"a","type":"long"}]})", false},
      {R"({"type":"record","name":"R","fields":[{"name":"b","type":"int","aliases":["a"]}]})", kRecA, true},
      {R"({"type":"record","name":"R2","aliases":["R"],"fields":[{"name":"a","type":"int"}]})", kRecA, true},
      {R"({"type":"record","name":"Q","fields":[{"name":"a","type":"int"}]})", kRecA, false},
      {R"({"type":"record","name":"ns.R","fields":[{"name":"a","type":"int"}]})", kRecA, true},
      {R"({"type":"enum","name":"E","symbols":["A","B","C"]})", R"({"type":"enum","name":"E","symbols":["A","B"]})",
       true},
      {R"({"type":"enum","name":"E","symbols":["A","B"]})", R"({"type":"enum","name":"E","symbols":["A","B","C"]})",
       false},
      {R"({"type":"enum","name":"E","symbols":["A","B"],"default":"A"})",
       R"({"type":"enum","name":"E","symbols":["A","B","C"]})", true},
      {R"({"type":"enum","name":"E","symbols":["A"]})", R"("string")", false},
      {R"({"type":"fixed","name":"F","size":4})", R"({"type":"fixed","name":"F","size":4})", true},
      {R"({"type":"fixed","name":"F","size":4})", R"({"type":"fixed","name":"F","size":8})", false},
      {R"({"type":"fixed","name":"G","size":4})", R"({"type":"fixed","name":"F","size":4})", false},
      {R"("bytes")", R"({"type":"fixed","name":"F","size":4})", false},
      {R"({"type":"record","name":"L","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","L"]}]})",
       R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"]}]})",
       true},
      {R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"]}]})",
       R"({"type":"record","name":"L","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","L"]}]})",
       false},
      {R"({"type":"record","name":"O","fields":[{"name":"items","type":{"type":"array","items":
          {"type":"record","name":"I","fields":[{"name":"q","type":"int"}]}}}]})",
       R"({"type":"record","name":"O","fields":[{"name":"items","type":{"type":"array","items":
          {"type":"record","name":"I","fields":[{"name":"q","type":"string"}]}}}]})",
       false},
  };
  return table;
}

TEST(CompatibilityTest, TableOfPairsAtEveryLevel) {
  ASSERT_GE(CompatibilityTable().size(), 40u);
  for (const auto& p : CompatibilityTable()) {
    const Schema reader = MustParse(p.reader);
    const Schema writer = MustParse(p.writer);
    const bool reverse = ReadabilityProblems(reader.root(), writer.root()).empty();  // writer reads reader data
    // BACKWARD: the candidate reads data of the existing schema.
    EXPECT_EQ(CheckCompatibility(reader, {writer}, CompatibilityLevel::kBackward).compatible, p.readable)
        << "reader " << p.reader << "\nwriter " << p.writer;
    // FORWARD: the existing schema reads data of the candidate.
    EXPECT_EQ(CheckCompatibility(writer, {reader}, CompatibilityLevel::kForward).compatible, p.readable)
        << "reader " << p.reader << "\nwriter " << p.writer;
    EXPECT_EQ(CheckCompatibility(reader, {writer}, CompatibilityLevel::kFull).compatible, p.readable && reverse);
    EXPECT_TRUE(CheckCompatibility(reader, {writer}, CompatibilityLevel::kNone).compatible);
  }
}

// The table's labels and floe's verdicts in both directions (so FULL too) against Apache Avro's own checker.
TEST(CompatibilityTest, TableAgreesWithApacheAvrosCheckerInBothDirections) {
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& p : CompatibilityTable()) pairs.push_back({p.reader, p.writer});
  const std::string dir = testing::ScratchDir("compat-oracle");
  const std::string input = dir + "/pairs.json";
  std::ofstream(input) << pairs.dump();
  int status = 0;
  const std::string out = testing::Run("/usr/bin/python3 " + testing::SourceDir() +
                                       "/tests/avro/avro_compatibility_oracle.py < " + input, &status);
  ASSERT_EQ(status, 0) << out;
  const nlohmann::json verdicts = nlohmann::json::parse(out);
  ASSERT_EQ(verdicts.size(), CompatibilityTable().size());
  for (size_t i = 0; i < verdicts.size(); ++i) {
    const auto& p = CompatibilityTable()[i];
    const Schema reader = MustParse(p.reader);
    const Schema writer = MustParse(p.writer);
    const bool forward = verdicts[i][0].get<bool>();
    const bool reverse = verdicts[i][1].get<bool>();
    EXPECT_EQ(p.readable, forward) << "table label vs Apache Avro\nreader " << p.reader << "\nwriter " << p.writer;
    // ReadabilityProblems(writer, reader): what stops the reader from reading the writer's data.
    EXPECT_EQ(ReadabilityProblems(writer.root(), reader.root()).empty(), forward)
        << "reader " << p.reader << "\nwriter " << p.writer;
    EXPECT_EQ(ReadabilityProblems(reader.root(), writer.root()).empty(), reverse)
        << "reader " << p.writer << "\nwriter " << p.reader;
    EXPECT_EQ(CheckCompatibility(reader, {writer}, CompatibilityLevel::kFull).compatible, forward && reverse)
        << "reader " << p.reader << "\nwriter " << p.writer;
  }
}

TEST(CompatibilityTest, MessagesNameTheFieldAndTheTypes) {
  const Schema v1 = MustParse(R"({"type":"record","name":"Ad","fields":[{"name":"price","type":"string"}]})");
  const Schema v2 = MustParse(R"({"type":"record","name":"Ad","fields":[{"name":"price","type":"long"}]})");
  auto r = CheckCompatibility(v2, {v1}, CompatibilityLevel::kBackward);
  ASSERT_FALSE(r.compatible);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0],
            "version 1, new schema reading old data: field 'price' of record 'Ad': writer type string cannot be read "
            "as long");
  const Schema v3 = MustParse(R"({"type":"record","name":"Ad","fields":[{"name":"price","type":"string"},
      {"name":"qty","type":"int"}]})");
  r = CheckCompatibility(v3, {v1}, CompatibilityLevel::kBackward);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], "version 1, new schema reading old data: field 'qty' of record 'Ad': the reader adds it "
                           "without a default");
  const Schema nested = MustParse(R"({"type":"record","name":"O","fields":[{"name":"items","type":{"type":"array",
      "items":{"type":"record","name":"I","fields":[{"name":"q","type":"int"}]}}}]})");
  const Schema nested2 = MustParse(R"({"type":"record","name":"O","fields":[{"name":"items","type":{"type":"array",
      "items":{"type":"record","name":"I","fields":[{"name":"q","type":"string"}]}}}]})");
  r = CheckCompatibility(nested2, {nested}, CompatibilityLevel::kForward);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], "version 1, old schema reading new data: field 'items' of record 'O' > array items > "
                           "field 'q' of record 'I': writer type string cannot be read as int");
  const Schema e1 = MustParse(R"({"type":"enum","name":"E","symbols":["A","B","C"]})");
  const Schema e2 = MustParse(R"({"type":"enum","name":"E","symbols":["A","B"]})");
  r = CheckCompatibility(e2, {e1}, CompatibilityLevel::kBackward);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], "version 1, new schema reading old data: enum 'E': reader has no symbol 'C' and no default");
}

TEST(CompatibilityTest, TransitiveLevelsCheckEveryVersion) {
  const Schema v1 = MustParse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]})");
  const Schema v2 = MustParse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},
      {"name":"b","type":"int","default":1}]})");
  const Schema v3 = MustParse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},
      {"name":"b","type":"int"}]})");
  EXPECT_TRUE(CheckCompatibility(v3, {v1, v2}, CompatibilityLevel::kBackward).compatible);
  auto r = CheckCompatibility(v3, {v1, v2}, CompatibilityLevel::kBackwardTransitive);
  EXPECT_FALSE(r.compatible);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].rfind("version 1, new schema reading old data", 0), 0u);

  const Schema f1 = MustParse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},
      {"name":"b","type":"int"}]})");
  const Schema f2 = MustParse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},
      {"name":"b","type":"int","default":0}]})");
  const Schema f3 = v1;
  EXPECT_TRUE(CheckCompatibility(f3, {f1, f2}, CompatibilityLevel::kForward).compatible);
  EXPECT_FALSE(CheckCompatibility(f3, {f1, f2}, CompatibilityLevel::kForwardTransitive).compatible);
  EXPECT_TRUE(CheckCompatibility(f3, {f1, f2}, CompatibilityLevel::kFull).compatible);
  EXPECT_FALSE(CheckCompatibility(f3, {f1, f2}, CompatibilityLevel::kFullTransitive).compatible);
  EXPECT_TRUE(CheckCompatibility(f3, {}, CompatibilityLevel::kFullTransitive).compatible);
}

TEST(CompatibilityTest, LevelNamesParse) {
  EXPECT_EQ(ParseCompatibilityLevel("BACKWARD"), CompatibilityLevel::kBackward);
  EXPECT_EQ(ParseCompatibilityLevel("full_transitive"), CompatibilityLevel::kFullTransitive);
  EXPECT_EQ(ParseCompatibilityLevel("Forward_Transitive"), CompatibilityLevel::kForwardTransitive);
  EXPECT_EQ(ParseCompatibilityLevel("NONE"), CompatibilityLevel::kNone);
  EXPECT_EQ(ParseCompatibilityLevel("sideways"), std::nullopt);
  for (auto l : {CompatibilityLevel::kNone, CompatibilityLevel::kBackward, CompatibilityLevel::kForward,
                 CompatibilityLevel::kFull, CompatibilityLevel::kBackwardTransitive,
                 CompatibilityLevel::kForwardTransitive, CompatibilityLevel::kFullTransitive})
    EXPECT_EQ(ParseCompatibilityLevel(CompatibilityLevelName(l)), l);
}

}  // namespace
}  // namespace floe::avro
