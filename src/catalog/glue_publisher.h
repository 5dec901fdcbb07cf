// GluePublisher: mirrors the catalog into the AWS Glue Data Catalog (catalog.glue.enabled), so Athena,
// EMR/Spark and Redshift Spectrum see floe's tables without crawlers.
//
//   table created or columns changed  CreateDatabase (once per database and process; AlreadyExists is
//                                     fine), CreateTable, or UpdateTable when it exists (the whole definition
//                                     is replaced: parameters added by hand are not kept)
//   partitions added                  BatchCreatePartition, 100 per call; existing ones are fine. A table
//                                     missing in Glue (deleted by hand) is created and the batch sent again
//   snapshot (after Open)             every table as above, then GetPartitions (all pages) and
//                                     BatchCreatePartition of only the partitions Glue lacks
//
// Glue tables are EXTERNAL_TABLEs whose StorageDescriptor has the table's merged columns in Hive types
// (hive_type.h), the table location, and Parquet's (or, for JSON-lines tables, the OpenX JSON SerDe's; for
// Avro tables the AvroSerDe's and Avro container formats, with avro.schema.literal in the table's SerDe and
// table parameters, classification=avro) input/output formats and SerDe; partition keys are string columns;
// a data column with a partition key's name is left out (engines reject the duplicate), as in the DDL. Each
// partition gets the table's columns and its directory as location.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/glue_client.h"
#include "catalog/publisher.h"
#include "config/config.h"
#include "storage/aws_config.h"

namespace floe::catalog {

// Glue's TableInput and PartitionInput for a catalog table and one of its partitions. A partition lacking a
// value for one of the table's keys has no PartitionInput (nullopt).
nlohmann::ordered_json GlueTableInput(const TableInfo& table);
std::optional<nlohmann::ordered_json> GluePartitionInput(const TableInfo& table, const PartitionInfo& partition);

class GluePublisher final : public CatalogPublisher {
 public:
  explicit GluePublisher(std::unique_ptr<GlueClient> client) : client_(std::move(client)) {}
  std::string_view name() const override { return "glue"; }
  Status Publish(const CatalogChanges& changes) override;

  GlueClient& client() { return *client_; }

 private:
  Status PutTable(const TableInfo& table);
  Status PublishTable(const TableChange& change, bool snapshot);

  std::unique_ptr<GlueClient> client_;
  std::set<std::string> databases_;  // created (or found) by this process
};

// The Glue options of the worker settings: catalog.glue.* for the endpoint, region (default the S3 store's
// region resolution: s3.region, AWS_REGION, AWS_DEFAULT_REGION, the profile's), catalog id and retries;
// credentials found the way the S3 store finds them (s3.access.key.id..., environment, shared files,
// s3.profile / AWS_PROFILE). Fails when no credentials are found.
Result<GlueOptions> GlueOptionsFromSettings(const config::SettingValues& worker,
                                            const storage::EnvLookup& env = storage::ProcessEnv);

// A GluePublisher when catalog.glue.enabled, else nullptr.
Result<std::unique_ptr<GluePublisher>> OpenGluePublisher(const config::SettingValues& worker);

}  // namespace floe::catalog
