#include "config/settings.h"

#include <sstream>

namespace floe::config {
namespace {

using T = SettingType;
using S = SettingScope;
constexpr int64_t kMaxInt = INT64_MAX;

const std::vector<SettingDef>& Table() {
  static const std::vector<SettingDef> table = {
      // --- Worker ------------------------------------------------------------------------------------
      {"store.url", T::kString, S::kWorker, "file://./lake",
       "Where the lake lives: `file:///absolute/path` (or `file://relative/path`) for a local directory, "
       "`s3://bucket/prefix` for an S3-compatible store.",
       {}, {}, {}, "high"},
      {"s3.endpoint", T::kString, S::kWorker, "",
       "S3 endpoint URL for S3-compatible stores (`http://127.0.0.1:9000`). Empty: AWS for the region.", {}, {}, {},
       "medium"},
      {"s3.region", T::kString, S::kWorker, "",
       "S3 region. Empty: `AWS_REGION`, then the profile's region, then `us-east-1`.", {}, {}, {}, "medium"},
      {"s3.path.style", T::kBool, S::kWorker, "false",
       "Path-style addressing (`http://host/bucket/key`) instead of virtual-hosted (`bucket.host/key`); most "
       "S3-compatible stores need it.",
       {}, {}, {}, "medium"},
      {"s3.part.size", T::kInt, S::kWorker, "16777216",
       "Files up to this size are uploaded with one PUT; larger ones with a multipart upload of parts this size.",
       5 * 1024 * 1024, 5LL * 1024 * 1024 * 1024, {}, "low"},
      {"s3.access.key.id", T::kString, S::kWorker, "",
       "Access key. Empty: `AWS_ACCESS_KEY_ID`, then the shared credentials file.", {}, {}, {}, "medium"},
      {"s3.secret.access.key", T::kString, S::kWorker, "", "Secret key (never logged).", {}, {}, {}, "medium"},
      {"s3.session.token", T::kString, S::kWorker, "", "Session token for temporary credentials.", {}, {}, {}, "low"},
      {"s3.profile", T::kString, S::kWorker, "",
       "Profile of the shared credentials/config files. Empty: `AWS_PROFILE`, then `default`.", {}, {}, {}, "low"},
      {"s3.max.retries", T::kInt, S::kWorker, "8",
       "Retries of a failed S3 request (5xx, throttling, timeouts, broken connections; never 4xx).", 0, 100, {},
       "low"},
      {"s3.retry.backoff.ms", T::kInt, S::kWorker, "100",
       "Base of the exponential backoff with full jitter between S3 retries.", 1, 60'000, {}, "low"},
      {"s3.request.timeout.ms", T::kInt, S::kWorker, "60000", "Time limit of one S3 request.", 100, 3'600'000, {},
       "low"},
      {"s3.upload.parallelism", T::kInt, S::kWorker, "4",
       "Parts of one multipart upload in flight at once. Memory in flight: this times s3.part.size per upload, "
       "and up to store.publish.concurrency uploads run at once.",
       1, 64, {},
       "low"},
      {"schema.registry.url", T::kString, S::kWorker, "",
       "Confluent Schema Registry base URL(s), comma-separated, tried in order. Needed by `input.format: avro`.",
       {}, {}, {}, "high"},
      {"basic.auth.user.info", T::kString, S::kWorker, "",
       "`user:password` for the Schema Registry's HTTP basic auth (never logged).", {}, {}, {}, "medium"},
      {"bearer.auth.token", T::kString, S::kWorker, "", "Bearer token for the Schema Registry (never logged).", {},
       {}, {}, "medium"},
      {"schema.registry.request.timeout.ms", T::kInt, S::kWorker, "10000",
       "Time limit of one Schema Registry request attempt.", 100, 600'000, {}, "low"},
      {"value.subject.name.strategy", T::kEnum, S::kWorker, "topic_name",
       "How a topic maps to its Schema Registry subject (Confluent's TopicNameStrategy, RecordNameStrategy, "
       "TopicRecordNameStrategy); the subject's version of a record's schema is its `v=` partition.",
       {}, {}, {"topic_name", "record_name", "topic_record_name"}, "low"},
      {"parquet.memory.budget.bytes", T::kInt, S::kWorker, "268435456",
       "Memory shared by all open Parquet writers of the process (unfinished pages, dictionaries); finished "
       "pages spill to spool.dir, so this bounds RAM however many files are open.",
       16 << 20, 1LL << 40, {}, "high"},
      {"parquet.encode.threads", T::kInt, S::kWorker, "1",
       "Threads that encode and compress Parquet pages while the poll thread decodes the next records (one "
       "file's batches are encoded in order, one at a time). 0: everything on the poll thread. Batches being "
       "encoded take at most as much memory again as the batches waiting (1/16 of "
       "parquet.memory.budget.bytes, at most 16 MiB), reserved from the budget.",
       0, 64, {}, "medium"},
      {"spool.dir", T::kString, S::kWorker, "",
       "Local directory for files being written before upload. Empty: `.floe-spool` inside a local lake, "
       "or `floe-spool` in the system temp directory for remote stores.",
       {}, {}, {}, "medium"},
      {"spool.max.bytes", T::kInt, S::kWorker, "10737418240",
       "Local disk the spool may hold (open files plus sealed files waiting for the store). Past it, records "
       "are not taken: their partitions pause, their open files are sealed, and consumption resumes once "
       "uploads have drained the spool (e.g. after a store outage). 0: no limit.",
       0, kMaxInt, {}, "medium"},
      {"store.publish.concurrency", T::kInt, S::kWorker, "8",
       "How many Kafka partitions publish their sealed files (state object, fence check, file PUT) at the "
       "same time, so a round of rotations, a revocation or the shutdown waits for the slowest partition's "
       "store requests rather than the sum of all; newly assigned partitions are claimed (the commit "
       "protocol's epoch) that many at a time too. File events (in-process listeners, file.events.topic) are "
       "still delivered one at a time, so a slow file.events.topic acknowledgement serialises the rounds. "
       "1: one after the other.",
       1, 64, {}, "low"},
      {"log.level", T::kEnum, S::kWorker, "info", "Log verbosity.", {}, {},
       {"trace", "debug", "info", "warn", "error"}, "low"},
      {"poll.timeout.ms", T::kInt, S::kWorker, "100",
       "How long one consumer poll waits for records; bounds the latency of wall-clock rotation checks.", 1,
       10'000, {}, "low"},
      {"offset.commit.interval.ms", T::kInt, S::kWorker, "5000",
       "How often committed-file progress is turned into Kafka offset commits (a file's records are "
       "never committed before the file is durable).",
       10, 3'600'000, {}, "low"},
      {"file.events.topic", T::kString, S::kWorker, "",
       "Kafka topic that receives a JSON event for every file committed to the lake (table, schema version, "
       "partition values, key, rows, bytes, offsets, business-time range). Empty: in-process only.",
       {}, {}, {}, "medium"},
      // --- Connector ---------------------------------------------------------------------------------
      {"topics", T::kList, S::kConnector, "", "Topics to archive (a list, or a comma-separated string).", {}, {},
       {}, "high"},
      {"topics.regex", T::kString, S::kConnector, "",
       "ECMAScript regular expression of topics to archive; topics created later that match are picked up "
       "without a restart. Either this or `topics`.",
       {}, {}, {}, "high"},
      {"format", T::kEnum, S::kConnector, "parquet",
       "Output file format: `parquet` (floe's Parquet writer; JSON topics get a schema inferred from the data, "
       "see `json.schema.file`), `json` (JSON lines) or `avro` (Avro object container files of Avro topics: "
       "each datum as it came, the Kafka metadata fields after it; see `avro.codec`).",
       {}, {}, {"json", "parquet", "avro"}, "high"},
      {"avro.codec", T::kEnum, S::kConnector, "null",
       "Compression of `format: avro` files (the container's `avro.codec`); `zstd` is `zstandard`.", {}, {},
       {"null", "deflate", "snappy", "zstandard", "zstd"}, "medium"},
      {"json.schema.file", T::kString, S::kConnector, "",
       "A JSON Schema file that fixes the table schema of a JSON topic written as Parquet instead of inferring "
       "it; a record that does not fit is rejected naming the field (errors.tolerance decides). Empty: infer, "
       "widening types and adding fields as they appear, each change a new `v=` schema version kept under "
       "`<database>/<table>/_schemas/`.",
       {}, {}, {}, "medium"},
      {"parquet.codec", T::kEnum, S::kConnector, "zstd", "Parquet compression codec.", {}, {},
       {"none", "snappy", "zstd", "gzip", "lz4_raw"}, "medium"},
      {"parquet.compression.level", T::kInt, S::kConnector, "1",
       "Level of `zstd` (1 fastest .. 22 smallest) and `gzip` (1..9, above 9 means 9); other codecs have none. "
       "Higher levels make smaller files of values that repeat, for more CPU. zstd's 1 is Arrow's default; on "
       "floe's benchmark events it cost 3-9 % less CPU than 3 (Spark's and DuckDB's default) for files of the "
       "same size (docs/PERFORMANCE.md).",
       1, 22, {}, "low"},
      {"parquet.row.group.bytes", T::kInt, S::kConnector, "134217728",
       "Compressed bytes at which a Parquet row group is closed (pages spill to the spool, not RAM).",
       1 << 20, 4LL << 30, {}, "medium"},
      {"parquet.page.bytes", T::kInt, S::kConnector, "1048576", "Encoded bytes at which a data page is finished.",
       4096, 256 << 20, {}, "low"},
      {"parquet.dictionary.max.bytes", T::kInt, S::kConnector, "1048576",
       "Size a column chunk's dictionary may reach before the column falls back to PLAIN encoding.", 0, 1LL << 30,
       {}, "low"},
      {"parquet.bloom.columns", T::kList, S::kConnector, "",
       "Columns (dotted leaf paths or top-level names) that get split-block Bloom filters.", {}, {}, {}, "low"},
      {"input.format", T::kEnum, S::kConnector, "json",
       "How record values are encoded in Kafka: `json` (one JSON object per value), `avro` (Confluent "
       "framing: magic byte 0, 4-byte schema id, Avro binary; schemas from `schema.registry.url`) or "
       "`bytes` (opaque; stored in a `value` binary column).",
       {}, {}, {"json", "avro", "bytes"}, "high"},
      {"timestamp.fields", T::kList, S::kConnector, "occurred_at,created_at,timestamp",
       "Candidate business-time fields, first present wins. Dotted paths reach into nested objects "
       "(`meta.event_time`). Values may be epoch numbers or RFC 3339 / ISO 8601 strings; always read as UTC.",
       {}, {}, {}, "high"},
      {"timestamp.unit", T::kEnum, S::kConnector, "auto",
       "Unit of numeric business times. `auto` picks by magnitude (seconds below 1e11, millis below 1e14, "
       "micros below 1e17, else nanos).",
       {}, {}, {"auto", "s", "ms", "us", "ns"}, "medium"},
      {"timestamp.plausible.past.ms", T::kInt, S::kConnector, "31536000000000",
       "A business time further than this in the past (relative to now) is implausible and treated as "
       "missing. Default: 1000 years, i.e. only absurd values.",
       0, kMaxInt, {}, "low"},
      {"timestamp.plausible.future.ms", T::kInt, S::kConnector, "86400000",
       "A business time further than this in the future is implausible and treated as missing.", 0, kMaxInt,
       {}, "low"},
      {"flush.size", T::kInt, S::kConnector, "100000",
       "Records per file: a file is committed when it holds this many records.", 1, kMaxInt, {}, "high"},
      {"rotate.schedule.interval.ms", T::kInt, S::kConnector, "600000",
       "Wall-clock rotation: open files are committed at every multiple of this interval (UTC-aligned), "
       "even when no new record arrives. 0 disables.",
       0, kMaxInt, {}, "high"},
      {"rotate.interval.ms", T::kInt, S::kConnector, "0",
       "Business-time rotation: a file is committed once a record's business time is this far past the "
       "file's first record (per output partition, so late events do not close the current file). 0 disables.",
       0, kMaxInt, {}, "medium"},
      {"file.max.bytes", T::kInt, S::kConnector, "268435456",
       "A file is committed once its encoded size reaches this many bytes.", 1024, kMaxInt, {}, "medium"},
      {"max.open.files.per.partition", T::kInt, S::kConnector, "64",
       "Open files one Kafka partition may hold (one per output partition path); opening one more commits "
       "the least recently written.",
       1, 100'000, {}, "low"},
      {"behavior.on.null.values", T::kEnum, S::kConnector, "ignore",
       "What to do with tombstones (records with a null value): `ignore` skips and counts them, `fail` stops "
       "the connector (or dead-letters them under `errors.tolerance: all`), `write` stores a row whose value "
       "columns are null (JSON lines: `null`).",
       {}, {}, {"ignore", "fail", "write"}, "medium"},
      {"timestamp.fallback", T::kEnum, S::kConnector, "kafka",
       "When no candidate field holds a plausible business time: `kafka` uses the record's Kafka timestamp, "
       "`dlq` dead-letters the record, `fail` stops the connector.",
       {}, {}, {"kafka", "dlq", "fail"}, "medium"},
      {"store.kafka.keys", T::kBool, S::kConnector, "false", "Store the record key in a `_kafka_key` column.",
       {}, {}, {}, "low"},
      {"store.kafka.headers", T::kBool, S::kConnector, "false",
       "Store the record headers in a `_kafka_headers` column (map of string to bytes).", {}, {}, {}, "low"},
      {"fields.exclude", T::kList, S::kConnector, "",
       "Top-level value fields left out of the files (like Connect's ReplaceField `exclude`).", {}, {}, {},
       "low"},
      {"fields.rename", T::kList, S::kConnector, "",
       "Top-level value fields renamed in the files, as `old:new` pairs (like Connect's ReplaceField "
       "`renames`).",
       {}, {}, {}, "low"},
      {"path.format", T::kString, S::kConnector, "v={schema_version}/dt={date}/hour={hour}",
       "Partition directories under the table. Placeholders: `{schema_version}`, `{date}` (YYYY-MM-DD), "
       "`{hour}` (HH), `{year}`, `{month}`, `{day}`, `{minute}` of the UTC business time, and "
       "`{field:dotted.path}` (the field's value, Hive-escaped). Each `/`-separated segment is `name=value`.",
       {}, {}, {}, "medium"},
      {"database.name.format", T::kString, S::kConnector, "default",
       "Database (first directory under the lake root) of the connector's tables. Placeholders as in "
       "`table.name.format`. Names are lower-cased and every character outside [a-z0-9_] becomes `_`.",
       {}, {}, {}, "medium"},
      {"table.name.format", T::kString, S::kConnector, "{topic}",
       "Table name derived from the topic: `{topic}` is the whole name, `{topic[N]}` its N-th `.`-separated "
       "segment (0-based; negative counts from the end), `{connector}` the connector's name. Lower-cased; "
       "characters outside [a-z0-9_] become `_`.",
       {}, {}, {}, "medium"},
      {"errors.tolerance", T::kEnum, S::kConnector, "none",
       "`none`: a record that cannot be handled stops its connector (nothing at or past it is committed). "
       "`all`: it goes to the dead-letter topic (or is skipped and counted when none is set).",
       {}, {}, {"none", "all"}, "high"},
      {"errors.deadletterqueue.topic.name", T::kString, S::kConnector, "",
       "Dead-letter topic for records `errors.tolerance: all` lets through. Each keeps its key, value and "
       "headers, plus `__floe.error.*` headers naming the error class, message and original "
       "topic/partition/offset.",
       {}, {}, {}, "high"},
      {"errors.retry.timeout", T::kInt, S::kConnector, "-1",
       "How long transient failures (registry or store down) are retried, with consumption of the affected "
       "partitions paused, before the record's topic fails (and restarts with connector.restart.backoff.ms). "
       "-1: forever.",
       -1, kMaxInt, {}, "medium"},
      {"errors.retry.delay.max.ms", T::kInt, S::kConnector, "60000",
       "Upper bound of the exponential backoff between retries of a transient failure.", 1, kMaxInt, {},
       "low"},
      {"connector.restart.backoff.ms", T::kInt, S::kConnector, "1000",
       "A topic of the connector that failed (on a record it cannot archive) restarts itself after this delay, "
       "doubling after each failure in a row; the connector's other topics keep running meanwhile.", 0,
       kMaxInt, {}, "medium"},
      {"connector.restart.backoff.max.ms", T::kInt, S::kConnector, "300000",
       "Upper bound of a failed topic's restart delay.", 0, kMaxInt, {}, "low"},
  };
  static const std::vector<SettingDef> all = [] {
    std::vector<SettingDef> merged = table;
    for (const auto& def : CatalogSettings()) merged.push_back(def);
    return merged;
  }();
  return all;
}

const char* TypeName(SettingType t) {
  switch (t) {
    case T::kString: return "string";
    case T::kInt: return "int";
    case T::kBool: return "boolean";
    case T::kList: return "list";
    case T::kEnum: return "enum";
  }
  return "?";
}

}  // namespace

std::span<const SettingDef> AllSettings() { return Table(); }

const SettingDef* FindSetting(std::string_view key) {
  for (const auto& s : Table())
    if (s.key == key) return &s;
  return nullptr;
}

std::string RenderConfigurationMarkdown() {
  std::ostringstream out;
  out << "# Configuration\n\n"
         "<!-- Generated by `floe config docs` from src/config/settings_table.cc. Do not edit by hand. -->\n\n"
         "floe reads one YAML file (`floe run --config FILE`). Keys may be written flat (`store.url: ...`) or\n"
         "nested (`store: {url: ...}`). The `kafka:` section is passed to librdkafka as is (any consumer\n"
         "property, e.g. `bootstrap.servers`, `group.id`, `security.protocol`). floe's own defaults there:\n"
         "`partition.assignment.strategy: cooperative-sticky`, `auto.offset.reset: earliest`, `group.id: floe`,\n"
         "and `queued.min.messages: 1000000` (prefetch bounded by bytes, `queued.max.messages.kbytes`, not by\n"
         "librdkafka's 100,000 messages, which starved the decoder of small records). Offsets are committed by\n"
         "floe only: `enable.auto.commit` and `enable.auto.offset.store` are always off.\n\n"
         "```yaml\n"
         "kafka: { bootstrap.servers: \"127.0.0.1:9092\", group.id: floe }\n"
         "store.url: file:///var/lib/floe/lake\n"
         "topics: [ads, payments]\n"
         "timestamp.fields: [occurred_at, created_at, timestamp]\n"
         "```\n\n"
         "Worker settings apply to the whole process. Connector settings may be given at the top level,\n"
         "in a `defaults:` block, or per connector under `connectors:` (each a map with a `name`); a\n"
         "connector's own value wins over `defaults:`, which wins over the top level.\n\n"
         "`floe config check FILE` validates a file and prints the effective settings.\n";
  for (SettingScope scope : {S::kWorker, S::kConnector}) {
    out << "\n## " << (scope == S::kWorker ? "Worker settings" : "Connector settings") << "\n\n";
    out << "| key | type | default | range / values | importance | meaning |\n|---|---|---|---|---|---|\n";
    for (const auto& s : Table()) {
      if (s.scope != scope) continue;
      std::string range;
      if (s.type == T::kInt) {
        range = (s.min ? std::to_string(*s.min) : "") + " .. " +
                (s.max && *s.max != kMaxInt ? std::to_string(*s.max) : "");
      } else if (s.type == T::kEnum) {
        for (auto a : s.allowed) range += (range.empty() ? "" : ", ") + std::string("`") + std::string(a) + "`";
      }
      out << "| `" << s.key << "` | " << TypeName(s.type) << " | "
          << (s.default_value.empty() ? std::string("") : "`" + std::string(s.default_value) + "`") << " | "
          << range << " | " << s.importance << " | " << s.doc << " |\n";
    }
  }
  return out.str();
}

}  // namespace floe::config
