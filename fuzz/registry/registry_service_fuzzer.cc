// Drives SchemaRegistryService with fuzzer-chosen operation sequences (register, lookup, deletes, compatibility,
// config, reads) over a few subjects and schemas, some of them fuzz bytes, and checks the registry's
// invariants after every step:
// - a schema's global id never changes (same normalised text => same id, different text => different id);
// - a successful register is immediately findable under its subject with that id;
// - live version lists are strictly increasing;
// - every failure is a RegistryError.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "registry/fake_compatibility.h"
#include "registry/registry_service.h"

namespace {

using floe::registry::RegistryError;
using floe::registry::SchemaRegistryService;
using nlohmann::json;

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string Bytes(size_t max) {
    size_t n = std::min<size_t>(Byte() % (max + 1), size_ - std::min(pos_, size_));
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

const char* const kSchemas[] = {
    R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]})",
    R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]})",
    R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"c","type":"int"}]})",
    R"({"type":"record","name":"R","fields":[]})",
    R"("string")",
};
const char* const kLevels[] = {"NONE", "BACKWARD", "FORWARD_TRANSITIVE", "FULL", "full_transitive", "bogus"};
const char* const kVersions[] = {"1", "2", "3", "latest", "-1", "0", "x", "99999999999"};

void Require(bool condition) {
  if (!condition) std::abort();
}

void RequireRegistryError(const floe::Status& status) {
  Require(!status.ok() && status.CodeAs<RegistryError>().has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto compat = std::make_shared<floe::registry::testing::FieldSetCompatibility>();
  auto opened = SchemaRegistryService::Open("", compat);
  Require(opened.ok());
  SchemaRegistryService& service = **opened;
  std::map<std::string, int64_t> id_by_canonical;

  Input in(data, size);
  for (int step = 0; step < 64 && !in.empty(); ++step) {
    const uint8_t op = in.Byte();
    const uint8_t pick = in.Byte();
    const std::string subject = (pick & 0x80) ? in.Bytes(8) : "s" + std::to_string(pick % 3);
    json request = {{"schema", (pick & 0x40) ? in.Bytes(32) : std::string(kSchemas[in.Byte() % 5])}};
    if (in.Byte() % 8 == 0) request["schemaType"] = "JSON";
    const std::string version = kVersions[in.Byte() % 8];

    switch (op % 9) {
      case 0: {
        auto r = service.Register(subject, request);
        if (!r.ok()) {
          RequireRegistryError(r.status());
          break;
        }
        const int64_t id = (*r)["id"].get<int64_t>();
        const std::string key = request.value("schemaType", "AVRO") + "\n" +
                                *compat->Canonicalize("", request["schema"].get<std::string>());
        auto [it, inserted] = id_by_canonical.emplace(key, id);
        Require(it->second == id);
        for (const auto& [other_key, other_id] : id_by_canonical) Require(other_key == key || other_id != id);
        auto found = service.Lookup(subject, request, false);
        Require(found.ok() && (*found)["id"].get<int64_t>() == id);
        break;
      }
      case 1: {
        auto r = service.Lookup(subject, request, in.Byte() & 1);
        if (!r.ok()) RequireRegistryError(r.status());
        break;
      }
      case 2: {
        auto r = service.DeleteSubject(subject, in.Byte() & 1);
        if (!r.ok()) RequireRegistryError(r.status());
        break;
      }
      case 3: {
        auto r = service.DeleteVersion(subject, version, in.Byte() & 1);
        if (!r.ok()) RequireRegistryError(r.status());
        break;
      }
      case 4: {
        std::optional<std::string_view> against;
        if (in.Byte() & 1) against = version;
        auto r = service.TestCompatibility(subject, against, request, true);
        if (!r.ok()) RequireRegistryError(r.status());
        break;
      }
      case 5: {
        const std::string target = (in.Byte() & 1) ? std::string() : subject;
        auto r = service.SetConfig(target, json{{"compatibility", kLevels[in.Byte() % 6]}});
        if (!r.ok()) RequireRegistryError(r.status());
        break;
      }
      case 6: {
        auto r = service.GetVersion(subject, version, in.Byte() & 1);
        if (!r.ok()) RequireRegistryError(r.status());
        break;
      }
      case 7: {
        auto r = service.GetSchemaById(in.Byte() % 8);
        if (!r.ok()) RequireRegistryError(r.status());
        auto v = service.GetSchemaVersionsById(in.Byte() % 8);
        if (!v.ok()) RequireRegistryError(v.status());
        break;
      }
      case 8: {
        auto r = service.ListVersions(subject, in.Byte() & 1);
        if (!r.ok()) {
          RequireRegistryError(r.status());
          break;
        }
        for (size_t i = 1; i < r->size(); ++i) Require((*r)[i - 1].get<int>() < (*r)[i].get<int>());
        break;
      }
    }
  }
  return 0;
}
