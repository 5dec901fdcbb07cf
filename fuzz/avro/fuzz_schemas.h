// The schemas the decoder fuzzer decodes with: the first input byte picks a (writer, reader) pair.
#pragma once

#include <utility>

namespace floe::avro::fuzz {

inline constexpr std::pair<const char*, const char*> kSchemaPairs[] = {
    // Nested records, optional record, enum, arrays of records, maps of arrays, arrays of maps, fixed.
    {R"({"type":"record","name":"Ad","fields":[{"name":"id","type":"long"},
        {"name":"geo","type":["null",{"type":"record","name":"Geo","fields":[{"name":"lat","type":"double"},
          {"name":"tags","type":{"type":"array","items":"string"}}]}]},
        {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["BANNER","VIDEO","TEXT"]}},
        {"name":"price","type":["long","null"]},
        {"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[
          {"name":"sku","type":"string"},{"name":"qty","type":["null","int"]}]}}},
        {"name":"attrs","type":{"type":"map","values":{"type":"array","items":"int"}}},
        {"name":"lmaps","type":{"type":"array","items":{"type":"map","values":"string"}}},
        {"name":"hash","type":{"type":"fixed","name":"H4","size":4}},{"name":"home","type":"Geo"}]})",
     nullptr},
    // Wide unions, null-only unions, logical types.
    {R"({"type":"record","name":"U","fields":[
        {"name":"u","type":["null","string","long",{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]}]},
        {"name":"v","type":["int","string"]},{"name":"nn","type":["null"]},
        {"name":"id","type":{"type":"string","logicalType":"uuid"}},
        {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
        {"name":"f","type":"float"},{"name":"b","type":"boolean"}]})",
     nullptr},
    // Recursion (stored as JSON).
    {R"({"type":"record","name":"L","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","L"]}]})",
     nullptr},
    // Resolution: promotions, skipped fields, defaults, enum default, union to union.
    {R"({"type":"record","name":"E","fields":[{"name":"a","type":"int"},
        {"name":"gone","type":{"type":"array","items":{"type":"map","values":["null","double","string"]}}},
        {"name":"c","type":"long"},{"name":"s","type":"string"},
        {"name":"color","type":{"type":"enum","name":"C","symbols":["R","G","P"]}},
        {"name":"u","type":["null","int","string"]}]})",
     R"({"type":"record","name":"E","fields":[{"name":"color","type":{"type":"enum","name":"C",
          "symbols":["R","G","O"],"default":"O"}},{"name":"a","type":"long"},{"name":"c","type":"double"},
        {"name":"s","type":"bytes"},{"name":"u","type":["null","long"]},
        {"name":"added","type":{"type":"array","items":"int"},"default":[1,2]}]})"},
    // A non-record top level.
    {R"({"type":"map","values":["null",{"type":"array","items":"bytes"}]})", nullptr},
};

}  // namespace floe::avro::fuzz
