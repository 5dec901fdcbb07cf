#include "catalog/s3_event.h"

#include <nlohmann/json.hpp>

#include "catalog/catalog_error.h"
#include "common/time_util.h"

namespace floe::catalog {
namespace {

using Json = nlohmann::json;

// Validates without building anything, to name where a malformed message goes wrong (the DOM parser
// without exceptions only says that it does).
class ErrorPosition final : public nlohmann::json_sax<Json> {
 public:
  size_t byte = 0;
  std::string what;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) override {
    byte = position;
    return false;
  }
};

Result<Json> ParseJson(std::string_view text, const char* what) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  ErrorPosition pos;
  Json::sax_parse(text, &pos, nlohmann::detail::input_format_t::json, /*strict=*/true);
  return Error(CatalogError::kParse, std::string(what) + ": malformed JSON at byte " + std::to_string(pos.byte));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const Json* Member(const Json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

std::string StringMember(const Json& obj, const char* name) {
  const Json* v = Member(obj, name);
  return v && v->is_string() ? v->get<std::string>() : "";
}

Result<std::vector<S3ObjectEvent>> ParseS3Records(const Json& records) {
  std::vector<S3ObjectEvent> out;
  for (size_t i = 0; i < records.size(); ++i) {
    const Json& r = records[i];
    const std::string where = "S3 event record " + std::to_string(i);
    S3ObjectEvent e;
    e.event_name = StringMember(r, "eventName");
    // Amazon S3 names them "ObjectCreated:Put"; S3-compatible stores (MinIO, Ceph) prefix "s3:".
    std::string_view name = e.event_name;
    if (name.substr(0, 3) == "s3:") name.remove_prefix(3);
    if (name.substr(0, 14) == "ObjectCreated:") {
      e.kind = S3ObjectEvent::Kind::kCreated;
    } else if (name.substr(0, 14) == "ObjectRemoved:") {
      e.kind = S3ObjectEvent::Kind::kRemoved;
    } else if (e.event_name.empty()) {
      return Error(CatalogError::kParse, where + ": no eventName");
    } else {
      continue;  // restores, replication, tagging, ...: nothing the catalog follows
    }
    const Json* s3 = Member(r, "s3");
    const Json* bucket = s3 ? Member(*s3, "bucket") : nullptr;
    const Json* object = s3 ? Member(*s3, "object") : nullptr;
    if (!object || !Member(*object, "key") || !Member(*object, "key")->is_string()) {
      return Error(CatalogError::kParse, where + " (" + e.event_name + "): no s3.object.key");
    }
    e.bucket = bucket ? StringMember(*bucket, "name") : "";
    e.key = FormUrlDecode(Member(*object, "key")->get<std::string>());
    if (const Json* size = Member(*object, "size")) {
      if (size->is_number_unsigned()) {
        e.size = size->get<uint64_t>();
      } else if (!size->is_null()) {
        return Error(CatalogError::kParse, where + " (" + e.key + "): s3.object.size is not a byte count");
      }
    }
    if (auto t = ParseIso8601Micros(StringMember(r, "eventTime"))) e.event_time_micros = *t;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

std::string FormUrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 && HexDigit(text[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::vector<S3ObjectEvent>> ParseS3EventMessage(std::string_view message) {
  FLOE_ASSIGN_OR_RETURN(Json j, ParseJson(message, "S3 event message"));
  if (!j.is_object()) return Error(CatalogError::kParse, "S3 event message: not a JSON object");
  // SNS delivering to SQS or HTTP: the S3 notification is the string in "Message".
  if (StringMember(j, "Type") == "Notification" && Member(j, "Message")) {
    const Json* inner = Member(j, "Message");
    if (!inner->is_string()) return Error(CatalogError::kParse, "SNS envelope: Message is not a string");
    return ParseS3EventMessage(inner->get<std::string>());
  }
  if (StringMember(j, "Event") == "s3:TestEvent") return std::vector<S3ObjectEvent>{};
  const Json* records = Member(j, "Records");
  if (!records) {
    if (Member(j, "detail-type")) {
      return Error(CatalogError::kParse, "EventBridge events are not accepted: route S3 notifications instead");
    }
    return Error(CatalogError::kParse, "not an S3 event notification (no Records)");
  }
  if (!records->is_array()) return Error(CatalogError::kParse, "S3 event message: Records is not an array");
  // SNS delivering to Lambda: each record wraps one S3 notification.
  if (!records->empty() && Member((*records)[0], "Sns")) {
    std::vector<S3ObjectEvent> out;
    for (const Json& r : *records) {
      const Json* sns = Member(r, "Sns");
      const Json* inner = sns ? Member(*sns, "Message") : nullptr;
      if (!inner || !inner->is_string()) return Error(CatalogError::kParse, "SNS record without a Message string");
      FLOE_ASSIGN_OR_RETURN(auto events, ParseS3EventMessage(inner->get<std::string>()));
      out.insert(out.end(), std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()));
    }
    return out;
  }
  return ParseS3Records(*records);
}

LakeLocation LakeLocation::FromStoreUrl(std::string_view url) {
  LakeLocation loc;
  if (url.substr(0, 5) != "s3://") return loc;
  url.remove_prefix(5);
  const size_t slash = url.find('/');
  loc.bucket = std::string(url.substr(0, slash));
  if (slash != std::string_view::npos) {
    std::string prefix(url.substr(slash + 1));
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (!prefix.empty()) loc.prefix = prefix + "/";
  }
  return loc;
}

std::string LakeLocation::LakeKeyOf(const S3ObjectEvent& event) const {
  if (!bucket.empty() && event.bucket != bucket) return "";
  std::string_view key = event.key;
  if (key.substr(0, prefix.size()) != prefix) return "";
  key.remove_prefix(prefix.size());
  size_t start = 0;
  while (start <= key.size()) {
    if (start < key.size() && (key[start] == '_' || key[start] == '.')) return "";
    const size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return key.empty() || key.back() == '/' ? "" : std::string(key);
}

}  // namespace floe::catalog
