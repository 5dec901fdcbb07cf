// The catalog's settings (worker scope): where the catalog lives and how it publishes. Part of the one
// settings table (settings_table.cc merges them), kept apart so the catalog's keys read together.
#include "config/settings.h"

namespace floe::config {

const std::vector<SettingDef>& CatalogSettings() {
  using T = SettingType;
  using S = SettingScope;
  static const std::vector<SettingDef> table = {
      {"catalog.url", T::kString, S::kWorker, "",
       "Where the table catalog lives: `sqlite:///path/catalog.db` (embedded default), or "
       "`postgresql://user:pass@host:5432/db` for many workers. Empty: `sqlite://` in `_floe/catalog.db` "
       "next to a local lake, no catalog for remote stores.",
       {}, {}, {}, "high"},
      {"catalog.flush.interval.ms", T::kInt, S::kWorker, "2000",
       "How often queued file events are written to the catalog, in one transaction (also when "
       "10 000 are waiting, and on shutdown). Tables and partitions appear in the catalog at most this late.",
       10, 3'600'000, {}, "low"},
      {"catalog.key.pattern", T::kString, S::kWorker, "",
       "How the catalog reads an object key when it has only the key (`floe catalog rebuild`, S3 event "
       "notifications): `/`-separated segments `{database}`, `{table}`, literals, `name=...` (a partition "
       "value; `name={schema_version}` is also the schema version and may be absent) and a last `{file}` "
       "(`<topic>+<partition>+<offset>.<ext>`). Empty: `{database}/{table}/<path.format>/{file}` for each "
       "connector's `path.format`.",
       {}, {}, {}, "low"},
      {"catalog.completeness.grace.ms", T::kInt, S::kWorker, "300000",
       "An hour of a table is complete once every Kafka partition feeding it has committed data past the "
       "hour's end plus this grace (or is idle); completion is recorded (and announced), later data for it "
       "marks it dirty and raises a late-data event.",
       0, 7LL * 24 * 3'600'000, {}, "medium"},
      {"catalog.completeness.idle.ms", T::kInt, S::kWorker, "600000",
       "A Kafka partition that has committed no file for this long holds no hour back (it is idle).", 1'000,
       7LL * 24 * 3'600'000, {}, "low"},
      {"catalog.success.marker", T::kBool, S::kWorker, "false",
       "Write an empty `_SUCCESS` object into each hourly partition when it becomes complete, for tools that "
       "wait for Hadoop-style markers.",
       {}, {}, {}, "low"},
      {"catalog.notify.webhook.url", T::kString, S::kWorker, "",
       "URL that receives the catalog's notifications (table created, schema changed, partition complete, "
       "late data) as an HTTP POST of JSON after each catalog flush; retried with backoff on errors, 429 and "
       "5xx. Empty: none.",
       {}, {}, {}, "medium"},
      {"catalog.notify.topic", T::kString, S::kWorker, "",
       "Kafka topic that receives each catalog notification as a JSON message keyed by `database.table` "
       "(acks=all; a failed delivery is retried with backoff, so at least once). Empty: none.",
       {}, {}, {}, "medium"},
      {"catalog.in.process", T::kBool, S::kWorker, "true",
       "`floe run` keeps the catalog itself, from its own file events. false: it keeps none and only "
       "publishes `file.events.topic`, from which a `floe catalog serve` builds the catalog.",
       {}, {}, {}, "medium"},
      {"catalog.group.id", T::kString, S::kWorker, "floe-catalog",
       "Consumer group of `floe catalog serve` on `file.events.topic` and `catalog.s3.events.topic`; offsets "
       "are committed only after the catalog flush holding their events is durable.",
       {}, {}, {}, "medium"},
      {"catalog.s3.events.topic", T::kString, S::kWorker, "",
       "Kafka topic of S3 event notifications (JSON as S3 sends them to SQS/SNS, SNS envelopes accepted) "
       "that `floe catalog serve` ingests: created objects are registered (keys read with "
       "`catalog.key.pattern`, footers read from the lake), removed ones dropped. Empty: none.",
       {}, {}, {}, "medium"},
      {"catalog.glue.enabled", T::kBool, S::kWorker, "false",
       "Publish the catalog to the AWS Glue Data Catalog: after each catalog flush, new databases and tables "
       "(CreateDatabase, CreateTable/UpdateTable on schema changes) and new partitions (BatchCreatePartition); "
       "after a start, everything the catalog holds, adding only the partitions Glue lacks (GetPartitions). "
       "Credentials are found as for S3 (`s3.access.key.id`..., environment, shared files, `s3.profile`). "
       "Needs a catalog: `catalog.url` for a remote lake.",
       {}, {}, {}, "high"},
      {"catalog.glue.endpoint", T::kString, S::kWorker, "",
       "Glue endpoint URL (a VPC endpoint, or a test double). Empty: `https://glue.<region>.amazonaws.com`.",
       {}, {}, {}, "low"},
      {"catalog.glue.region", T::kString, S::kWorker, "",
       "Region of the Glue Data Catalog (also the signing region). Empty: as for S3: `s3.region`, "
       "AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1.",
       {}, {}, {}, "medium"},
      {"catalog.glue.catalog.id", T::kString, S::kWorker, "",
       "AWS account id of the Glue Data Catalog to publish to (a catalog shared from another account). "
       "Empty: the caller's own.",
       {}, {}, {}, "low"},
      {"catalog.glue.max.retries", T::kInt, S::kWorker, "8",
       "Retries of a Glue call after the first attempt, on ThrottlingException, 5xx and transport errors "
       "(never on other 4xx); what still fails is offered again after the next catalog flush.",
       0, 100, {}, "low"},
      {"catalog.glue.retry.backoff.ms", T::kInt, S::kWorker, "100",
       "Base of the exponential backoff (with full jitter, capped at 20 s) between Glue retries.", 0, 60'000, {},
       "low"},
      {"catalog.glue.request.timeout.ms", T::kInt, S::kWorker, "30000",
       "Timeout of one Glue request.", 1'000, 600'000, {}, "low"},
  };
  return table;
}

}  // namespace floe::config
