#include "catalog/glue_publisher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "archive/store_settings.h"
#include "catalog/catalog_error.h"

namespace floe::catalog {
namespace {

constexpr char kParquetInput[] = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
constexpr char kParquetOutput[] = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
constexpr char kParquetSerde[] = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
constexpr char kTextInput[] = "org.apache.hadoop.mapred.TextInputFormat";
constexpr char kTextOutput[] = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
constexpr char kJsonSerde[] = "org.openx.data.jsonserde.JsonSerDe";  // Athena's, as the athena DDL uses
constexpr char kAvroInput[] = "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat";
constexpr char kAvroOutput[] = "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat";
constexpr char kAvroSerde[] = "org.apache.hadoop.hive.serde2.avro.AvroSerDe";
constexpr char kAvroLiteral[] = "avro.schema.literal";

bool IsJson(const TableInfo& t) { return t.format == "jsonl" || t.format == "json"; }
bool IsAvro(const TableInfo& t) { return t.format == "avro"; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `with_literal`: the table's own descriptor carries the Avro reader schema; partitions' descriptors leave it
// out (the SerDe falls back to the table's, and 100 copies of a schema per BatchCreatePartition are waste).
nlohmann::ordered_json StorageDescriptor(const TableInfo& t, const std::string& location, bool with_literal) {
  std::set<std::string> keys;
  for (const auto& k : t.partition_keys) keys.insert(Lower(k));
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const auto& c : t.columns) {
    if (!keys.count(Lower(c.name))) columns.push_back({{"Name", c.name}, {"Type", c.type.ToString()}});
  }
  nlohmann::ordered_json sd;
  sd["Columns"] = std::move(columns);
  sd["Location"] = location;
  sd["InputFormat"] = IsJson(t) ? kTextInput : IsAvro(t) ? kAvroInput : kParquetInput;
  sd["OutputFormat"] = IsJson(t) ? kTextOutput : IsAvro(t) ? kAvroOutput : kParquetOutput;
  nlohmann::ordered_json params = {{"serialization.format", "1"}};
  if (IsAvro(t) && with_literal && !t.avro_schema.empty()) params[kAvroLiteral] = t.avro_schema;
  sd["SerdeInfo"] = {{"SerializationLibrary", IsJson(t) ? kJsonSerde : IsAvro(t) ? kAvroSerde : kParquetSerde},
                     {"Parameters", std::move(params)}};
  return sd;
}

}  // namespace

nlohmann::ordered_json GlueTableInput(const TableInfo& t) {
  nlohmann::ordered_json in;
  in["Name"] = t.name;
  in["TableType"] = "EXTERNAL_TABLE";
  in["Parameters"] = {{"classification", IsJson(t) ? "json" : IsAvro(t) ? "avro" : "parquet"}, {"EXTERNAL", "TRUE"}};
  // Glue's crawlers put the Avro schema among the table parameters as well as the SerDe's.
  if (IsAvro(t) && !t.avro_schema.empty()) in["Parameters"][kAvroLiteral] = t.avro_schema;
  in["PartitionKeys"] = nlohmann::ordered_json::array();
  for (const auto& k : t.partition_keys) in["PartitionKeys"].push_back({{"Name", k}, {"Type", "string"}});
  in["StorageDescriptor"] = StorageDescriptor(t, t.location, true);
  return in;
}

std::optional<nlohmann::ordered_json> GluePartitionInput(const TableInfo& t, const PartitionInfo& p) {
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  for (const auto& key : t.partition_keys) {
    auto it = std::find_if(p.values.begin(), p.values.end(), [&](const auto& kv) { return kv.first == key; });
    if (it == p.values.end()) return std::nullopt;
    values.push_back(it->second);
  }
  nlohmann::ordered_json in;
  in["Values"] = std::move(values);
  in["StorageDescriptor"] = StorageDescriptor(t, t.location + p.spec + "/", false);
  return in;
}

Status GluePublisher::PutTable(const TableInfo& t) {
  if (!databases_.count(t.database)) {
    FLOE_RETURN_IF_ERROR(client_->CreateDatabase(t.database));
    databases_.insert(t.database);
  }
  const nlohmann::ordered_json input = GlueTableInput(t);
  FLOE_ASSIGN_OR_RETURN(bool created, client_->CreateTable(t.database, input));
  if (created) return Status::Ok();
  return client_->UpdateTable(t.database, input);
}

Status GluePublisher::PublishTable(const TableChange& change, bool snapshot) {
  const TableInfo& t = change.table;
  const bool put = change.definition_changed || snapshot;
  if (put) FLOE_RETURN_IF_ERROR(PutTable(t));
  if (t.partition_keys.empty() || change.partitions.empty()) return Status::Ok();

  std::set<std::vector<std::string>> existing;
  if (snapshot) {
    FLOE_ASSIGN_OR_RETURN(auto values, client_->GetPartitions(t.database, t.name));
    existing.insert(values.begin(), values.end());
  }
  std::vector<nlohmann::ordered_json> inputs;
  for (const auto& p : change.partitions) {
    auto in = GluePartitionInput(t, p);
    if (!in) {
      spdlog::warn("catalog: glue: partition {} of {}.{} lacks a value of the table's keys; not published", p.spec,
                   t.database, t.name);
      continue;
    }
    if (existing.count((*in)["Values"].get<std::vector<std::string>>())) continue;
    inputs.push_back(std::move(*in));
  }
  if (inputs.empty()) return Status::Ok();
  Status st = client_->BatchCreatePartition(t.database, t.name, inputs);
  if (st.Is(CatalogError::kNotFound) && !put) {
    // The table (or its database) went missing in Glue since floe created it: create it again.
    databases_.erase(t.database);
    FLOE_RETURN_IF_ERROR(PutTable(t));
    st = client_->BatchCreatePartition(t.database, t.name, inputs);
  }
  return st;
}

Status GluePublisher::Publish(const CatalogChanges& changes) {
  for (const auto& change : changes.tables) FLOE_RETURN_IF_ERROR(PublishTable(change, changes.snapshot));
  return Status::Ok();
}

Result<GlueOptions> GlueOptionsFromSettings(const config::SettingValues& worker, const storage::EnvLookup& env) {
  const storage::S3Options s3 = archive::StoreOptionsFromSettings(worker).s3;
  GlueOptions o;
  o.endpoint = worker.GetString("catalog.glue.endpoint");
  o.region = worker.GetString("catalog.glue.region");
  if (o.region.empty()) o.region = storage::ResolveAwsRegion(s3, env);
  o.catalog_id = worker.GetString("catalog.glue.catalog.id");
  o.max_retries = static_cast<int>(worker.GetInt("catalog.glue.max.retries"));
  o.retry_backoff_ms = static_cast<int>(worker.GetInt("catalog.glue.retry.backoff.ms"));
  o.request_timeout_ms = static_cast<int>(worker.GetInt("catalog.glue.request.timeout.ms"));
  auto creds = storage::ResolveAwsCredentials(s3, env);
  if (!creds.ok()) {
    return Error(CatalogError::kInvalidArgument,
                 "catalog.glue.enabled: no AWS credentials for Glue (found the way the S3 store finds them): " +
                     creds.status().message());
  }
  o.credentials = std::move(creds).value();
  return o;
}

Result<std::unique_ptr<GluePublisher>> OpenGluePublisher(const config::SettingValues& worker) {
  if (!worker.GetBool("catalog.glue.enabled")) return std::unique_ptr<GluePublisher>();
  FLOE_ASSIGN_OR_RETURN(GlueOptions options, GlueOptionsFromSettings(worker));
  auto client = std::make_unique<GlueClient>(std::move(options));
  spdlog::info("catalog: publishing to the Glue Data Catalog at {}", client->endpoint());
  return std::make_unique<GluePublisher>(std::move(client));
}

}  // namespace floe::catalog
