// Converting a Kafka Connect S3 sink connector configuration (io.confluent.connect.s3.S3SinkConnector) into
// floe's YAML configuration, for `floe config from-connect`.
//
// Input: the connector's JSON, either the bare config map ({"connector.class": ..., "topics": ...}) or the
// REST API's shape ({"name": ..., "config": {...}}). Values may be JSON strings, numbers or booleans, as
// Connect accepts them.
//
// Output: floe YAML (one worker section, one connector named after the Connect connector) that ParseConfig
// accepts — the conversion validates its own result — plus notes for the user: keys with no floe
// equivalent, keys whose meaning floe implies, and differences in behaviour worth knowing before a cutover.
// Every floe key written exists in the settings table. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace floe::config {

enum class ConnectImportError {
  kBadJson,               // not JSON, or not an object of scalar values
  kUnsupportedConnector,  // connector.class missing or not the S3 sink
  kBadValue,              // a value floe cannot translate (non-integer flush.size, unknown path.format letter, ...)
  kInvalidResult,         // the translated configuration does not validate (e.g. a value out of floe's range)
};

struct ConnectImportOptions {
  // Connect keeps bootstrap.servers in the worker's config, not the connector's. Empty: the connector's
  // consumer.override.bootstrap.servers, else Connect's own default (localhost:9092) with a warning.
  std::string bootstrap_servers;
};

struct ConnectImportNote {
  enum class Level { kNote, kWarning };  // kWarning: behaviour changes, or a setting is dropped
  Level level;
  std::string key;  // the Connect key the note is about
  std::string message;
};

struct ConnectImport {
  std::string yaml;
  std::vector<ConnectImportNote> notes;
};

Result<ConnectImport> ImportConnectConfig(std::string_view json_text, const ConnectImportOptions& options = {});

// Translates a Connect TimeBasedPartitioner `path.format` (Joda-Time pattern, e.g. `'dt'=YYYY-MM-dd/'hour'=HH`)
// into floe's placeholders (`dt={date}/hour={hour}`). Segments without a `name=` get one (`YYYY` becomes
// `year={year}`); differences (unpadded fields) are appended to `notes`.
Result<std::string> TranslateConnectPathFormat(std::string_view joda, std::vector<std::string>& notes);

}  // namespace floe::config

template <>
struct floe::ErrorTraits<floe::config::ConnectImportError> {
  static std::string_view Domain() { return "connect_import"; }
  static std::string_view Name(floe::config::ConnectImportError e);
  static bool DefaultRetryable(floe::config::ConnectImportError) { return false; }
};
