#include "config/connect_import.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "config/config.h"

namespace floe::config {
namespace {

using Level = ConnectImportNote::Level;
constexpr std::string_view kS3Sink = "io.confluent.connect.s3.S3SinkConnector";
constexpr std::string_view kPartitionerPrefix = "io.confluent.connect.storage.partitioner.";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A class name matches by its full name or its simple name (Connect accepts both for connector.class and
// resolves aliases; configs in the wild use both spellings for partitioners and formats too).
bool ClassIs(std::string_view value, std::string_view full) {
  if (value == full) return true;
  const size_t dot = full.rfind('.');
  return dot != std::string_view::npos && value == full.substr(dot + 1);
}

std::string SimpleName(std::string_view cls) {
  const size_t dot = cls.rfind('.');
  return std::string(dot == std::string_view::npos ? cls : cls.substr(dot + 1));
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    std::string item(s.substr(start, end - start));
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = end + 1;
  }
  return out;
}

std::string YamlScalar(const std::string& s) {
  YAML::Emitter e;
  e << s;
  return e.c_str();
}

std::string YamlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + YamlScalar(items[i]);
  return out + "]";
}

bool IsUtc(const std::string& tz) {
  static const std::set<std::string> kUtc = {"utc", "etc/utc", "gmt", "etc/gmt", "z", "zulu", "uct",
                                             "universal", "etc/universal", "etc/uct", "etc/zulu", "utc+0",
                                             "gmt+0", "etc/gmt+0", "etc/gmt-0", "etc/gmt0", "+00:00"};
  return kUtc.count(Lower(tz)) > 0;
}

// The connector's settings, with the keys the conversion has looked at remembered so the rest can be
// reported as unmapped.
class ConnectConfig {
 public:
  explicit ConnectConfig(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  std::optional<std::string> Take(const std::string& key) {
    consumed_.insert(key);
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  bool Has(const std::string& key) const { return values_.count(key) > 0; }
  // Every key starting with `prefix` not taken yet, without the prefix; marks them consumed.
  std::vector<std::pair<std::string, std::string>> TakePrefix(const std::string& prefix) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : values_) {
      if (k.rfind(prefix, 0) != 0 || consumed_.count(k)) continue;
      consumed_.insert(k);
      out.emplace_back(k.substr(prefix.size()), v);
    }
    return out;
  }
  std::vector<std::string> Unconsumed() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : values_)
      if (!consumed_.count(k)) out.push_back(k);
    return out;
  }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> consumed_;
};

// Keys Connect or the S3 sink need and floe implies (or decides by itself); reported as notes, not warnings.
const std::map<std::string, std::string>& ImpliedKeys() {
  static const std::map<std::string, std::string> keys = {
      {"storage.class", "floe writes to the store named by store.url"},
      {"locale", "floe's partition values are numeric, no locale applies"},
      {"schema.compatibility", "floe writes each schema version to its own v= partition, no projection needed"},
      {"schema.generator.class", "floe derives table schemas itself"},
      {"key.converter", "floe keeps keys as bytes (store.kafka.keys)"},
      {"header.converter", "floe keeps header values as bytes (store.kafka.headers)"},
      {"keys.format.class", "floe stores keys in a _kafka_key column of the same file"},
      {"headers.format.class", "floe stores headers in a _kafka_headers column of the same file"},
      {"errors.deadletterqueue.context.headers.enable",
       "floe always adds __floe.error.* headers (error class, message, original topic/partition/offset)"},
      {"errors.deadletterqueue.topic.replication.factor", "create the dead-letter topic beforehand"},
      {"errors.log.enable", "floe logs every failure"},
      {"errors.log.include.messages", "floe logs the failing record's topic, partition and offset"},
      {"connect.meta.data", "floe always writes _kafka_partition, _kafka_offset and _kafka_timestamp columns"},
      {"enhanced.avro.schema.support", "floe reads Avro schemas from the registry as written"},
      {"filename.offset.zero.pad.width", "floe names files <topic>+<partition>+<startOffset>"},
      {"directory.delim", "floe's paths always use '/'"},
      {"file.delim", "floe names files <topic>+<partition>+<startOffset>"},
      {"s3.credentials.provider.class",
       "floe takes credentials from s3.access.key.id/s3.secret.access.key, AWS_* variables or s3.profile"},
      {"config.action.reload", "floe reads its configuration at start"},
      {"hive.integration", "floe keeps its own table catalog (catalog.url)"},
      {"hive.metastore.uris", "floe keeps its own table catalog (catalog.url)"},
      {"hive.database", "floe's database comes from database.name.format"},
      {"hive.conf.dir", "floe keeps its own table catalog (catalog.url)"},
      {"hive.home", "floe keeps its own table catalog (catalog.url)"},
      {"hadoop.conf.dir", "no Hadoop involved"},
      {"hadoop.home", "no Hadoop involved"},
  };
  return keys;
}

// Consumer properties that exist only in the Java client; librdkafka refuses or ignores them.
const std::map<std::string, std::string>& JavaOnlyConsumerProperties() {
  static const std::map<std::string, std::string> keys = {
      {"max.poll.records", "librdkafka has no such property"},
      {"key.deserializer", "floe reads raw bytes"},
      {"value.deserializer", "floe reads raw bytes; see input.format"},
      {"interceptor.classes", "Java interceptors cannot run in floe"},
      {"ssl.truststore.location", "librdkafka takes PEM CA certificates: set kafka.ssl.ca.location"},
      {"ssl.truststore.password", "librdkafka takes PEM CA certificates: set kafka.ssl.ca.location"},
      {"ssl.truststore.type", "librdkafka takes PEM CA certificates: set kafka.ssl.ca.location"},
      {"ssl.keystore.type", "librdkafka reads PKCS#12 keystores (ssl.keystore.location) or PEM keys"},
      {"default.api.timeout.ms", "no librdkafka equivalent"},
      {"request.timeout.ms", "a producer property in librdkafka"},
      {"exclude.internal.topics", "no librdkafka equivalent"},
      {"security.providers", "no librdkafka equivalent"},
      {"sasl.login.callback.handler.class", "Java callback classes cannot run in floe"},
      {"sasl.client.callback.handler.class", "Java callback classes cannot run in floe"},
  };
  return keys;
}

class Converter {
 public:
  Converter(ConnectConfig cfg, std::string name, const ConnectImportOptions& options)
      : cfg_(std::move(cfg)), name_(std::move(name)), options_(options) {}

  Result<ConnectImport> Run() {
    FLOE_RETURN_IF_ERROR(ConnectorClass());
    FLOE_RETURN_IF_ERROR(Topics());
    FLOE_RETURN_IF_ERROR(Store());
    FLOE_RETURN_IF_ERROR(Converters());
    FLOE_RETURN_IF_ERROR(Format());
    FLOE_RETURN_IF_ERROR(Rotation());
    FLOE_RETURN_IF_ERROR(Partitioning());
    FLOE_RETURN_IF_ERROR(Errors());
    FLOE_RETURN_IF_ERROR(Kafka());
    Transforms();
    Leftovers();
    ConnectImport out{Render(), std::move(notes_)};
    auto parsed = ParseConfig(out.yaml);
    if (!parsed.ok())
      return Error(ConnectImportError::kInvalidResult,
                   "the translated configuration does not validate: " + parsed.status().ToString());
    return out;
  }

 private:
  void Note(const std::string& key, std::string message) { notes_.push_back({Level::kNote, key, std::move(message)}); }
  void Warn(const std::string& key, std::string message) {
    notes_.push_back({Level::kWarning, key, std::move(message)});
  }
  void Worker(const std::string& key, std::string yaml_value) { worker_.emplace_back(key, std::move(yaml_value)); }
  void Conn(const std::string& key, std::string yaml_value) { connector_.emplace_back(key, std::move(yaml_value)); }

  Result<int64_t> Int(const std::string& key, const std::string& raw) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
    if (ec != std::errc() || ptr != raw.data() + raw.size())
      return Error(ConnectImportError::kBadValue, key + ": '" + raw + "' is not an integer");
    return v;
  }
  Result<bool> Bool(const std::string& key, const std::string& raw) {
    const std::string v = Lower(raw);
    if (v == "true" || v == "false") return v == "true";
    return Error(ConnectImportError::kBadValue, key + ": '" + raw + "' is not true or false");
  }
  // Copies an integer setting whose meaning is the same in floe.
  Status SameInt(const std::string& key, const std::string& floe_key, bool worker) {
    auto raw = cfg_.Take(key);
    if (!raw) return Status::Ok();
    FLOE_ASSIGN_OR_RETURN(int64_t v, Int(key, *raw));
    (worker ? worker_ : connector_).emplace_back(floe_key, std::to_string(v));
    return Status::Ok();
  }
  Status SameBool(const std::string& key) {
    auto raw = cfg_.Take(key);
    if (!raw) return Status::Ok();
    FLOE_ASSIGN_OR_RETURN(bool v, Bool(key, *raw));
    Conn(key, v ? "true" : "false");
    return Status::Ok();
  }
  // A secret may be a config provider reference (${file:...}) that only the Connect worker can resolve.
  bool Resolvable(const std::string& key, const std::string& value) {
    if (value.find("${") == std::string::npos) return true;
    Warn(key, "'" + value + "' is a config provider reference floe cannot resolve; set it by hand");
    return false;
  }

  Status ConnectorClass() {
    auto cls = cfg_.Take("connector.class");
    if (!cls) return Error(ConnectImportError::kUnsupportedConnector, "connector.class is not set");
    if (!ClassIs(*cls, kS3Sink))
      return Error(ConnectImportError::kUnsupportedConnector,
                   "connector.class '" + *cls + "' is not " + std::string(kS3Sink) + " (the only one floe converts)");
    auto own_name = cfg_.Take("name");
    if (name_.empty()) name_ = own_name.value_or("");
    if (name_.empty()) {
      name_ = "s3-sink";
      Warn("name", "the connector has no name; calling it 's3-sink'");
    }
    if (auto tasks = cfg_.Take("tasks.max"))
      Note("tasks.max", "floe scales by running more workers with the same kafka group.id (" + *tasks +
                            " task(s) before); each worker takes a share of the partitions");
    return Status::Ok();
  }

  Status Topics() {
    auto topics = cfg_.Take("topics");
    auto regex = cfg_.Take("topics.regex");
    if (topics && !topics->empty()) Conn("topics", YamlList(SplitComma(*topics)));
    if (regex && !regex->empty()) {
      Conn("topics.regex", YamlScalar(*regex));
      Note("topics.regex", "floe reads it as an ECMAScript regular expression (Connect: java.util.regex); "
                           "the common syntax is the same");
    }
    return Status::Ok();
  }

  Status Store() {
    auto bucket = cfg_.Take("s3.bucket.name");
    if (!bucket || bucket->empty())
      return Error(ConnectImportError::kBadValue, "s3.bucket.name is not set: floe needs the bucket for store.url");
    std::string dir = cfg_.Take("topics.dir").value_or("topics");
    while (!dir.empty() && dir.back() == '/') dir.pop_back();
    while (!dir.empty() && dir.front() == '/') dir.erase(0, 1);
    Worker("store.url", YamlScalar("s3://" + *bucket + (dir.empty() ? "" : "/" + dir)));
    Note("topics.dir", "floe writes under s3://" + *bucket + (dir.empty() ? "" : "/" + dir) +
                           "/<database>/<table>/ (database.name.format, table.name.format), so its files never mix "
                           "with the connector's <topic>/ directories");
    if (auto region = cfg_.Take("s3.region")) {
      Worker("s3.region", YamlScalar(*region));
    } else {
      Worker("s3.region", YamlScalar("us-west-2"));
      Note("s3.region", "not set: Connect's default us-west-2 is written explicitly");
    }
    // The S3 sink's store.url is the endpoint of an S3-compatible store (MinIO, Ceph, ...).
    auto endpoint = cfg_.Take("store.url");
    if (endpoint && !endpoint->empty()) Worker("s3.endpoint", YamlScalar(*endpoint));
    if (auto path_style = cfg_.Take("s3.path.style.access.enabled")) {
      FLOE_ASSIGN_OR_RETURN(bool v, Bool("s3.path.style.access.enabled", *path_style));
      Worker("s3.path.style", v ? "true" : "false");
    } else if (endpoint && !endpoint->empty()) {
      Worker("s3.path.style", "true");
      Note("s3.path.style.access.enabled", "not set: Connect's default (path-style) is kept for the custom endpoint");
    }
    if (auto id = cfg_.Take("aws.access.key.id"); id && Resolvable("aws.access.key.id", *id))
      Worker("s3.access.key.id", YamlScalar(*id));
    if (auto secret = cfg_.Take("aws.secret.access.key"); secret && Resolvable("aws.secret.access.key", *secret)) {
      Worker("s3.secret.access.key", YamlScalar(*secret));
      Note("aws.secret.access.key", "copied into the output in clear; consider AWS_SECRET_ACCESS_KEY instead");
    }
    if (auto proxy = cfg_.Take("s3.proxy.url"); proxy && !proxy->empty())
      Warn("s3.proxy.url", "floe has no proxy setting; its HTTP client honours HTTPS_PROXY/HTTP_PROXY in the "
                           "environment: export HTTPS_PROXY=" + *proxy);
    cfg_.Take("s3.proxy.user");
    cfg_.Take("s3.proxy.password");
    FLOE_RETURN_IF_ERROR(SameInt("s3.part.size", "s3.part.size", true));
    FLOE_RETURN_IF_ERROR(SameInt("s3.part.retries", "s3.max.retries", true));
    FLOE_RETURN_IF_ERROR(SameInt("s3.retry.backoff.ms", "s3.retry.backoff.ms", true));
    return Status::Ok();
  }

  // value.converter decides floe's input.format; its registry settings become the worker's.
  Status Converters() {
    auto value = cfg_.Take("value.converter");
    std::string registry_prefix = "value.converter.";
    if (!value) {
      Warn("value.converter", "not set in the connector: the Connect worker's default applied; assuming JSON "
                              "values (input.format json)");
      input_format_ = "json";
    } else if (ClassIs(*value, "io.confluent.connect.avro.AvroConverter")) {
      input_format_ = "avro";
    } else if (ClassIs(*value, "org.apache.kafka.connect.json.JsonConverter")) {
      input_format_ = "json";
      auto schemas = cfg_.Take("value.converter.schemas.enable");
      if (!schemas || Lower(*schemas) == "true")
        Warn("value.converter.schemas.enable",
             "JsonConverter's default is true: if values are {\"schema\":...,\"payload\":...} envelopes, floe "
             "archives the envelope as is; with plain JSON objects nothing changes");
    } else if (ClassIs(*value, "org.apache.kafka.connect.converters.ByteArrayConverter")) {
      input_format_ = "bytes";
    } else if (ClassIs(*value, "org.apache.kafka.connect.storage.StringConverter")) {
      input_format_ = "bytes";
      Warn("value.converter", "StringConverter: values are kept as opaque bytes (input.format bytes); use "
                              "input.format json if every value is a JSON object");
    } else {
      input_format_ = "bytes";
      Warn("value.converter", SimpleName(*value) + " has no floe decoder (floe reads JSON, Confluent-framed Avro "
                                                   "or bytes); values are kept as opaque bytes (input.format bytes)");
    }
    Conn("input.format", input_format_);

    auto registry = cfg_.Take(registry_prefix + "schema.registry.url");
    if (!registry) registry = cfg_.Take("schema.registry.url");
    if (registry && !registry->empty()) {
      Worker("schema.registry.url", YamlScalar(*registry));
    } else if (input_format_ == "avro") {
      Warn("value.converter.schema.registry.url", "AvroConverter without a registry URL: set schema.registry.url");
    }
    auto source = cfg_.Take(registry_prefix + "basic.auth.credentials.source");
    if (auto info = cfg_.Take(registry_prefix + "basic.auth.user.info");
        info && Resolvable(registry_prefix + "basic.auth.user.info", *info)) {
      if (source && *source != "USER_INFO")
        Warn(registry_prefix + "basic.auth.credentials.source", "floe only knows USER_INFO; copying user.info anyway");
      Worker("basic.auth.user.info", YamlScalar(*info));
    }
    if (auto token = cfg_.Take(registry_prefix + "bearer.auth.token");
        token && Resolvable(registry_prefix + "bearer.auth.token", *token))
      Worker("bearer.auth.token", YamlScalar(*token));
    if (auto strategy = cfg_.Take(registry_prefix + "value.subject.name.strategy")) {
      const std::string s = SimpleName(*strategy);
      if (s == "TopicNameStrategy") Worker("value.subject.name.strategy", "topic_name");
      else if (s == "RecordNameStrategy") Worker("value.subject.name.strategy", "record_name");
      else if (s == "TopicRecordNameStrategy") Worker("value.subject.name.strategy", "topic_record_name");
      else Warn(registry_prefix + "value.subject.name.strategy", s + " has no floe equivalent; topic_name applies");
    }
    for (const auto& [k, v] : cfg_.TakePrefix(registry_prefix))
      Note(registry_prefix + k, "converter property with no floe equivalent; ignored");
    for (const auto& [k, v] : cfg_.TakePrefix("key.converter."))
      Note("key.converter." + k, "floe does not decode keys; ignored");
    cfg_.TakePrefix("header.converter.");
    return Status::Ok();
  }

  Status Format() {
    auto cls = cfg_.Take("format.class");
    if (!cls) return Error(ConnectImportError::kBadValue, "format.class is not set");
    if (ClassIs(*cls, "io.confluent.connect.s3.format.parquet.ParquetFormat")) {
      if (input_format_ == "avro") {
        format_ = "parquet";
      } else {
        format_ = "json";
        Warn("format.class", "floe writes Parquet from Avro input only (until JSON schema inference lands); "
                             "writing JSON lines for input.format " + input_format_);
      }
    } else if (ClassIs(*cls, "io.confluent.connect.s3.format.avro.AvroFormat")) {
      format_ = input_format_ == "avro" ? "parquet" : "json";
      Warn("format.class", "floe does not write Avro container files; writing " +
                               std::string(format_ == "parquet" ? "Parquet (same schema, queryable by every engine)"
                                                                : "JSON lines"));
    } else if (ClassIs(*cls, "io.confluent.connect.s3.format.json.JsonFormat")) {
      format_ = "json";
    } else if (ClassIs(*cls, "io.confluent.connect.s3.format.bytearray.ByteArrayFormat")) {
      format_ = "json";
      Warn("format.class", "floe does not write raw byte files; writing JSON lines");
    } else {
      return Error(ConnectImportError::kBadValue, "format.class '" + *cls + "' has no floe equivalent");
    }
    Conn("format", format_);
    if (auto codec = cfg_.Take("parquet.codec")) {
      const std::string c = Lower(*codec);
      std::string floe_codec;
      if (c == "none" || c == "uncompressed") floe_codec = "none";
      else if (c == "snappy" || c == "gzip" || c == "zstd") floe_codec = c;
      else if (c == "lz4") floe_codec = "lz4_raw";
      if (floe_codec.empty()) {
        Warn("parquet.codec", "'" + *codec + "' is not supported by floe; its default zstd applies");
      } else if (format_ == "parquet") {
        Conn("parquet.codec", floe_codec);
      } else {
        Note("parquet.codec", "ignored: the output is not Parquet");
      }
    } else if (format_ == "parquet") {
      Note("parquet.codec", "not set: Connect's default was snappy, floe's is zstd (smaller files)");
    }
    for (const char* key : {"avro.codec", "s3.compression.type", "s3.compression.level"})
      if (auto v = cfg_.Take(key)) Warn(key, "floe has no such setting (" + *v + "); ignored");
    return Status::Ok();
  }

  Status Rotation() {
    FLOE_RETURN_IF_ERROR(SameInt("flush.size", "flush.size", false));
    // Connect disables both rotations with -1; floe with 0.
    for (const char* key : {"rotate.interval.ms", "rotate.schedule.interval.ms"}) {
      auto raw = cfg_.Take(key);
      if (!raw) continue;
      FLOE_ASSIGN_OR_RETURN(int64_t v, Int(key, *raw));
      Conn(key, std::to_string(std::max<int64_t>(v, 0)));
    }
    if (!cfg_.Has("rotate.schedule.interval.ms"))
      Note("rotate.schedule.interval.ms", "not set: Connect had no wall-clock rotation; floe's default commits "
                                            "open files every 10 minutes (set 0 to keep Connect's behaviour)");
    if (auto tz = cfg_.Take("timezone"); tz && !tz->empty() && !IsUtc(*tz))
      Warn("timezone", "floe partitions and rotates in UTC only; directories were cut in " + *tz +
                           " by the connector, they are cut in UTC by floe");
    return Status::Ok();
  }

  Status Partitioning() {
    std::string cls = cfg_.Take("partitioner.class").value_or("io.confluent.connect.storage.partitioner.DefaultPartitioner");
    auto is = [&](const char* simple) { return ClassIs(cls, std::string(kPartitionerPrefix) + simple); };
    auto path_format = cfg_.Take("path.format");
    auto duration = cfg_.Take("partition.duration.ms");
    auto fields = cfg_.Take("partition.field.name");
    bool time_based = false;
    std::string path;
    if (is("DefaultPartitioner")) {
      Note("partitioner.class", "DefaultPartitioner wrote partition=<kafka partition> directories; floe partitions "
                                "by business time (its default path.format v={schema_version}/dt={date}/hour={hour})");
    } else if (is("HourlyPartitioner")) {
      path = "year={year}/month={month}/day={day}/hour={hour}";
      time_based = true;
    } else if (is("DailyPartitioner")) {
      path = "year={year}/month={month}/day={day}";
      time_based = true;
    } else if (is("TimeBasedPartitioner")) {
      if (!path_format || path_format->empty())
        return Error(ConnectImportError::kBadValue, "TimeBasedPartitioner without path.format");
      std::vector<std::string> notes;
      FLOE_ASSIGN_OR_RETURN(path, TranslateConnectPathFormat(*path_format, notes));
      for (auto& n : notes) Warn("path.format", std::move(n));
      time_based = true;
      if (duration) {
        FLOE_ASSIGN_OR_RETURN(int64_t ms, Int("partition.duration.ms", *duration));
        const int64_t unit = path.find("{minute}") != std::string::npos ? 60'000
                             : path.find("{hour}") != std::string::npos ? 3'600'000
                             : (path.find("{day}") != std::string::npos || path.find("{date}") != std::string::npos)
                                 ? 86'400'000
                                 : 0;
        if (unit != 0 && ms != unit)
          Warn("partition.duration.ms", std::to_string(ms) + " ms buckets become one directory per " +
                                            (unit == 60'000 ? "minute" : unit == 3'600'000 ? "hour" : "day") +
                                            ": floe cuts at the finest unit of path.format");
      }
    } else if (is("FieldPartitioner")) {
      if (!fields || fields->empty())
        return Error(ConnectImportError::kBadValue, "FieldPartitioner without partition.field.name");
      for (const auto& f : SplitComma(*fields)) {
        if (f.find_first_of("{}/=") != std::string::npos)
          return Error(ConnectImportError::kBadValue, "partition.field.name '" + f + "' cannot be a path segment");
        // A dotted (nested) field names a partition column; engines want plain identifiers there.
        std::string column = f;
        std::replace(column.begin(), column.end(), '.', '_');
        if (column != f) Note("partition.field.name", "the directory of '" + f + "' is named '" + column + "='");
        path += (path.empty() ? "" : "/") + column + "={field:" + f + "}";
      }
    } else {
      Warn("partitioner.class", SimpleName(cls) + " has no floe equivalent; floe's default path.format applies");
    }
    if (!path.empty()) {
      // floe keeps every schema version in its own directory so one file never mixes schemas; the segment
      // disappears for inputs without schema versions.
      Conn("path.format", YamlScalar("v={schema_version}/" + path));
      Note("path.format", "floe puts a v={schema_version} directory first (left out for inputs without schema "
                          "versions), so one file never mixes schemas");
    }
    if (path_format && !is("TimeBasedPartitioner"))
      Note("path.format", "ignored: only TimeBasedPartitioner reads it");
    if (fields && !is("FieldPartitioner")) Note("partition.field.name", "ignored: only FieldPartitioner reads it");
    if (duration && !is("TimeBasedPartitioner")) Note("partition.duration.ms", "implied by the partitioner");

    if (auto name_format = cfg_.Take("table.name.format")) {
      std::string f = *name_format;
      for (size_t pos; (pos = f.find("${topic}")) != std::string::npos;) f.replace(pos, 8, "{topic}");
      if (f.find('$') != std::string::npos)
        Warn("table.name.format", "'" + *name_format + "' has placeholders floe does not know; ignored");
      else
        Conn("table.name.format", YamlScalar(f));
    }

    auto extractor = cfg_.Take("timestamp.extractor");
    auto field = cfg_.Take("timestamp.field");
    const std::string ex = extractor.value_or(time_based ? "Wallclock" : "");
    if (ex == "Record" || ClassIs(ex, "io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordTimestampExtractor")) {
      Conn("timestamp.fields", "[]");
      Note("timestamp.extractor", "Record: an empty timestamp.fields makes floe use each record's Kafka timestamp");
    } else if (ex == "RecordField" ||
               ClassIs(ex, "io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordFieldTimestampExtractor")) {
      if (!field || field->empty())
        return Error(ConnectImportError::kBadValue, "timestamp.extractor RecordField without timestamp.field");
      Conn("timestamp.fields", YamlList({*field}));
      Conn("timestamp.unit", "ms");
      Note("timestamp.field", "numbers are read as epoch milliseconds, as Connect did; strings as RFC 3339");
      Warn("timestamp.extractor", "Connect failed the task when '" + *field + "' was missing; floe falls back to the "
                                  "Kafka timestamp (set timestamp.fallback: fail to keep Connect's behaviour)");
    } else if (ex == "Wallclock" ||
               ClassIs(ex, "io.confluent.connect.storage.partitioner.TimeBasedPartitioner$WallclockTimestampExtractor")) {
      Conn("timestamp.fields", "[]");
      Warn("timestamp.extractor", std::string(extractor ? "Wallclock" : "not set (Connect's default Wallclock)") +
                                      ": floe never partitions by arrival time; it uses the record's Kafka timestamp "
                                      "(empty timestamp.fields), usually the produce time");
    } else if (!ex.empty()) {
      Warn("timestamp.extractor", SimpleName(ex) + " has no floe equivalent; floe's default timestamp.fields apply");
    } else if (!time_based) {
      Note("timestamp.fields", "not set: floe partitions by the first of its default business-time fields "
                               "(occurred_at, created_at, timestamp), else the Kafka timestamp");
    }
    if (field && ex != "RecordField" && ex.find("RecordField") == std::string::npos)
      Note("timestamp.field", "ignored: only the RecordField extractor reads it");
    return Status::Ok();
  }

  Status Errors() {
    if (auto v = cfg_.Take("behavior.on.null.values")) {
      const std::string b = Lower(*v);
      if (b != "ignore" && b != "fail" && b != "write")
        return Error(ConnectImportError::kBadValue, "behavior.on.null.values '" + *v + "' is not ignore, fail or write");
      Conn("behavior.on.null.values", b);
    } else {
      Note("behavior.on.null.values", "not set: Connect failed on tombstones, floe skips and counts them (ignore)");
    }
    if (auto v = cfg_.Take("errors.tolerance")) {
      const std::string t = Lower(*v);
      if (t != "none" && t != "all")
        return Error(ConnectImportError::kBadValue, "errors.tolerance '" + *v + "' is not none or all");
      Conn("errors.tolerance", t);
    }
    if (auto v = cfg_.Take("errors.deadletterqueue.topic.name"); v && !v->empty())
      Conn("errors.deadletterqueue.topic.name", YamlScalar(*v));
    if (auto raw = cfg_.Take("errors.retry.timeout")) {
      FLOE_ASSIGN_OR_RETURN(int64_t v, Int("errors.retry.timeout", *raw));
      Conn("errors.retry.timeout", std::to_string(v));
      // Connect retried failed conversions and transforms for this long; floe retries store and registry
      // outages, where 0 means failing (and restarting) the connector at the first outage.
      if (v == 0)
        Warn("errors.retry.timeout", "0: floe fails the connector at the first store or registry outage (it restarts "
                                     "after connector.restart.backoff.ms); Connect's 0 only concerned converters");
      else
        Note("errors.retry.timeout", "floe applies it to store and registry outages (Connect: converters and "
                                     "transforms)");
    }
    FLOE_RETURN_IF_ERROR(SameInt("errors.retry.delay.max.ms", "errors.retry.delay.max.ms", false));
    FLOE_RETURN_IF_ERROR(SameBool("store.kafka.keys"));
    FLOE_RETURN_IF_ERROR(SameBool("store.kafka.headers"));
    return Status::Ok();
  }

  Status Kafka() {
    std::map<std::string, std::string> props;
    for (auto& [k, v] : cfg_.TakePrefix("consumer.override.")) props[k] = v;
    std::string bootstrap = options_.bootstrap_servers;
    if (bootstrap.empty() && props.count("bootstrap.servers")) bootstrap = props["bootstrap.servers"];
    if (bootstrap.empty()) {
      bootstrap = "localhost:9092";
      Warn("bootstrap.servers", "the connector config does not name the brokers (the Connect worker's config "
                                "does); writing localhost:9092 — pass --bootstrap-servers or edit kafka.bootstrap.servers");
    }
    props.erase("bootstrap.servers");
    std::string group = props.count("group.id") ? props["group.id"] : "connect-" + name_;
    props.erase("group.id");
    Note("group.id", "kafka.group.id " + group + " is the connector's consumer group: floe resumes from the "
                     "connector's committed offsets. Stop the connector first; use another group.id to re-archive "
                     "from the beginning");
    kafka_.emplace_back("bootstrap.servers", YamlScalar(bootstrap));
    kafka_.emplace_back("group.id", YamlScalar(group));
    // JAAS PLAIN/SCRAM logins carry the credentials librdkafka takes as sasl.username/sasl.password.
    if (auto jaas = props.find("sasl.jaas.config"); jaas != props.end()) {
      auto field = [&](const std::string& name) -> std::string {
        const size_t at = jaas->second.find(name + "=\"");
        if (at == std::string::npos) return "";
        const size_t start = at + name.size() + 2;
        const size_t end = jaas->second.find('"', start);
        return end == std::string::npos ? "" : jaas->second.substr(start, end - start);
      };
      const std::string user = field("username"), pass = field("password");
      if (!user.empty() && (jaas->second.find("PlainLoginModule") != std::string::npos ||
                            jaas->second.find("ScramLoginModule") != std::string::npos)) {
        props["sasl.username"] = user;
        props["sasl.password"] = pass;
        Note("consumer.override.sasl.jaas.config", "translated to kafka.sasl.username/sasl.password");
      } else {
        Warn("consumer.override.sasl.jaas.config", "only PLAIN and SCRAM JAAS logins translate to librdkafka; "
                                                   "configure the kafka: section's sasl.* by hand");
      }
      props.erase(jaas);
    }
    if (auto m = props.find("sasl.mechanism"); m != props.end()) {
      props["sasl.mechanisms"] = m->second;
      props.erase(m);
    }
    if (auto s = props.find("partition.assignment.strategy"); s != props.end()) {
      std::vector<std::string> names;
      for (const auto& c : SplitComma(s->second)) {
        const std::string n = SimpleName(c);
        if (n == "RangeAssignor") names.push_back("range");
        else if (n == "RoundRobinAssignor") names.push_back("roundrobin");
        else if (n == "CooperativeStickyAssignor") names.push_back("cooperative-sticky");
      }
      if (names.empty()) {
        Note("consumer.override.partition.assignment.strategy", "no librdkafka equivalent; floe's cooperative-sticky applies");
        props.erase(s);
      } else {
        std::string joined;
        for (const auto& n : names) joined += (joined.empty() ? "" : ",") + n;
        s->second = joined;
      }
    }
    for (auto it = props.begin(); it != props.end();) {
      auto java = JavaOnlyConsumerProperties().find(it->first);
      if (java != JavaOnlyConsumerProperties().end()) {
        Warn("consumer.override." + it->first, "Java-client property: " + java->second + "; dropped");
        it = props.erase(it);
        continue;
      }
      if (it->first == "enable.auto.commit")
        Note("consumer.override.enable.auto.commit", "floe forces it off: offsets follow durable files");
      else if (Resolvable("consumer.override." + it->first, it->second))
        kafka_.emplace_back(it->first, YamlScalar(it->second));
      ++it;
    }
    return Status::Ok();
  }

  // ReplaceField on the value is the one transform floe has settings for; others cannot be carried over.
  void Transforms() {
    auto list = cfg_.Take("transforms");
    auto all = cfg_.TakePrefix("transforms.");
    cfg_.TakePrefix("predicates");
    if (!list) return;
    std::map<std::string, std::string> props(all.begin(), all.end());
    std::vector<std::string> excluded, renamed;
    for (const auto& alias : SplitComma(*list)) {
      const std::string type = props.count(alias + ".type") ? props[alias + ".type"] : "";
      if (type == "org.apache.kafka.connect.transforms.ReplaceField$Value") {
        for (const char* key : {".exclude", ".blacklist"})
          for (auto& f : SplitComma(props[alias + key])) excluded.push_back(f);
        for (auto& r : SplitComma(props[alias + ".renames"])) renamed.push_back(r);
        for (const char* key : {".include", ".whitelist"})
          if (!props[alias + key].empty())
            Warn("transforms." + alias + key, "floe has no include list (only fields.exclude); ignored");
        Note("transforms." + alias, "ReplaceField$Value became fields.exclude / fields.rename");
      } else {
        Warn("transforms." + alias, "single message transform " + SimpleName(type) +
                                        " has no floe equivalent; records are archived untransformed");
      }
    }
    if (!excluded.empty()) Conn("fields.exclude", YamlList(excluded));
    if (!renamed.empty()) Conn("fields.rename", YamlList(renamed));
  }

  void Leftovers() {
    for (const auto& key : cfg_.Unconsumed()) {
      auto implied = ImpliedKeys().find(key);
      if (implied != ImpliedKeys().end()) {
        Note(key, "implied: " + implied->second);
      } else {
        Warn(key, "no floe equivalent; ignored");
      }
    }
  }

  std::string Render() const {
    std::ostringstream out;
    out << "# Converted by `floe config from-connect` from the Kafka Connect S3 sink connector "
        << YamlScalar(name_) << ".\n"
        << "# Review the notes it printed; `floe config check` shows every effective setting.\n";
    out << "kafka:\n";
    for (const auto& [k, v] : kafka_) out << "  " << k << ": " << v << "\n";
    for (const auto& [k, v] : worker_) out << k << ": " << v << "\n";
    out << "connectors:\n  - name: " << YamlScalar(name_) << "\n";
    for (const auto& [k, v] : connector_) out << "    " << k << ": " << v << "\n";
    return out.str();
  }

  ConnectConfig cfg_;
  std::string name_;
  const ConnectImportOptions& options_;
  std::string input_format_ = "json";
  std::string format_ = "json";
  std::vector<std::pair<std::string, std::string>> kafka_, worker_, connector_;
  std::vector<ConnectImportNote> notes_;
};

Result<std::string> JsonScalar(const std::string& key, const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number()) return v.dump();
  if (v.is_array()) {  // topics written as a JSON list by some tools
    std::string out;
    for (const auto& item : v) {
      if (!item.is_string() && !item.is_number())
        return Error(ConnectImportError::kBadJson, "'" + key + "': list items must be strings or numbers");
      out += (out.empty() ? "" : ",") + (item.is_string() ? item.get<std::string>() : item.dump());
    }
    return out;
  }
  return Error(ConnectImportError::kBadJson, "'" + key + "': expected a string, number or boolean");
}

}  // namespace

Result<std::string> TranslateConnectPathFormat(std::string_view joda, std::vector<std::string>& notes) {
  auto bad = [&](const std::string& why) {
    return Error(ConnectImportError::kBadValue, "path.format '" + std::string(joda) + "': " + why);
  };
  std::string out;
  for (size_t i = 0; i < joda.size();) {
    const char c = joda[i];
    if (c == '\'') {  // quoted literal; '' is a quote, inside or outside one
      if (i + 1 < joda.size() && joda[i + 1] == '\'') {
        out += '\'';
        i += 2;
        continue;
      }
      for (++i;; ++i) {
        if (i >= joda.size()) return bad("unterminated quote");
        if (joda[i] != '\'') {
          out += joda[i];
        } else if (i + 1 < joda.size() && joda[i + 1] == '\'') {
          out += '\'';
          ++i;
        } else {
          break;
        }
      }
      ++i;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      out += c;
      ++i;
      continue;
    }
    size_t run = i;
    while (run < joda.size() && joda[run] == c) ++run;
    const size_t n = run - i;
    const std::string letters(joda.substr(i, n));
    i = run;
    auto padded = [&](const char* placeholder, const char* what) {
      if (n == 1) notes.push_back("'" + letters + "': floe always zero-pads the " + what + " to two digits");
      out += placeholder;
    };
    if ((c == 'Y' || c == 'y') && n >= 3) out += "{year}";
    else if (c == 'M' && n <= 2) padded("{month}", "month");
    else if (c == 'd' && n <= 2) padded("{day}", "day");
    else if (c == 'H' && n <= 2) padded("{hour}", "hour");
    else if (c == 'm' && n <= 2) padded("{minute}", "minute");
    else return bad("pattern '" + letters + "' has no floe placeholder (floe knows YYYY, MM, dd, HH, mm)");
  }
  // The common ISO day is floe's {date}.
  for (size_t pos; (pos = out.find("{year}-{month}-{day}")) != std::string::npos;) out.replace(pos, 20, "{date}");

  static const std::map<std::string, std::string> kNames = {
      {"{date}", "dt"}, {"{year}", "year"}, {"{month}", "month"}, {"{day}", "day"}, {"{hour}", "hour"},
      {"{minute}", "minute"}};
  std::string result;
  size_t start = 0;
  while (start <= out.size()) {
    size_t slash = out.find('/', start);
    if (slash == std::string::npos) slash = out.size();
    std::string seg = out.substr(start, slash - start);
    start = slash + 1;
    if (seg.empty()) continue;
    const size_t eq = seg.find('=');
    if (eq == std::string::npos) {
      auto name = kNames.find(seg);
      if (name == kNames.end()) return bad("segment '" + seg + "' is not name=value and has no obvious name");
      notes.push_back("directory '" + seg + "' is written as '" + name->second + "=" + seg +
                      "' (floe's partition directories are Hive-style name=value)");
      seg = name->second + "=" + seg;
    } else if (seg.substr(0, eq).find_first_of("{}") != std::string::npos || eq == 0) {
      return bad("segment '" + seg + "' has a time pattern in its name; quote the name ('dt'=...)");
    } else if (seg.find('{', eq) == std::string::npos) {
      return bad("segment '" + seg + "' has no time pattern in its value");
    }
    result += (result.empty() ? "" : "/") + seg;
  }
  if (result.empty()) return bad("no segments");
  return result;
}

Result<ConnectImport> ImportConnectConfig(std::string_view json_text, const ConnectImportOptions& options) {
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error(ConnectImportError::kBadJson, "the connector configuration is not valid JSON");
  if (!doc.is_object()) return Error(ConnectImportError::kBadJson, "the connector configuration must be a JSON object");
  std::string name;
  const nlohmann::json* config = &doc;
  if (doc.contains("config") && doc["config"].is_object()) {  // REST shape: {"name": ..., "config": {...}}
    if (doc.contains("name") && doc["name"].is_string()) name = doc["name"].get<std::string>();
    config = &doc["config"];
  }
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : config->items()) {
    if (v.is_null()) continue;
    FLOE_ASSIGN_OR_RETURN(values[k], JsonScalar(k, v));
  }
  return Converter(ConnectConfig(std::move(values)), std::move(name), options).Run();
}

}  // namespace floe::config

std::string_view floe::ErrorTraits<floe::config::ConnectImportError>::Name(floe::config::ConnectImportError e) {
  using E = floe::config::ConnectImportError;
  switch (e) {
    case E::kBadJson: return "bad_json";
    case E::kUnsupportedConnector: return "unsupported_connector";
    case E::kBadValue: return "bad_value";
    case E::kInvalidResult: return "invalid_result";
  }
  return "unknown";
}
