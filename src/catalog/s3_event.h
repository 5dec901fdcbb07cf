// S3 event notifications: the messages S3 sends when objects are created or removed (to SQS, SNS, Lambda,
// or, in floe's case, a Kafka topic that a bridge fills), parsed into one S3ObjectEvent per record, and the
// mapping of their object keys onto the lake for the catalog (`catalog.s3.events.topic`).
//
// Accepted message shapes (one Kafka message each):
//   - the S3 notification itself: {"Records":[{"eventName":"ObjectCreated:Put","eventTime":"...",
//     "s3":{"bucket":{"name":"b"},"object":{"key":"a/b+c.parquet","size":123}}}, ...]}
//   - an SNS envelope around it, as SNS delivers to SQS/HTTP ({"Type":"Notification","Message":"<json>"})
//     or to Lambda ({"Records":[{"EventSource":"aws:sns","Sns":{"Message":"<json>"}}]});
//   - the `s3:TestEvent` S3 sends when a notification is configured: no records.
// Object keys arrive URL-encoded (application/x-www-form-urlencoded: `+` is a space, `%2B` a plus) and are
// returned decoded. Records of other event types (restores, replication, tagging, ...) are skipped.
// EventBridge's own event shape is not accepted (an error names it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace floe::catalog {

struct S3ObjectEvent {
  enum class Kind { kCreated, kRemoved };
  Kind kind = Kind::kCreated;
  std::string event_name;  // "ObjectCreated:Put", "ObjectRemoved:Delete", ...
  std::string bucket;
  std::string key;         // decoded
  uint64_t size = 0;       // 0 for removals
  int64_t event_time_micros = 0;  // 0 when absent or unreadable
};

// Decodes an application/x-www-form-urlencoded string (`+` → space, `%XX` → byte). A `%` not followed by
// two hex digits is kept as is.
std::string FormUrlDecode(std::string_view text);

// The object events of one message, in record order. CatalogError::kParse, with what is wrong in the
// message ("malformed JSON at byte 17", counted from 1, "record 2: no s3.object.key", "not an S3 event notification"),
// for messages that are not one of the shapes above.
Result<std::vector<S3ObjectEvent>> ParseS3EventMessage(std::string_view message);

// Where the lake sits in a bucket, from store.url: `s3://bucket/prefix` gives both; other stores (a local
// directory, for tests and development) accept every bucket and take keys as relative to the lake's root.
struct LakeLocation {
  std::string bucket;  // empty: any
  std::string prefix;  // "" or "prefix/" (with the slash)
  static LakeLocation FromStoreUrl(std::string_view store_url);
  // The key of an event's object inside the lake, or "" when the object is outside it (another bucket or
  // prefix) or is not a data file: a path segment starting with `_` or `.` (`_floe/`, `_SUCCESS`,
  // `_schemas/`, temporary files), as Hive and Spark treat them.
  std::string LakeKeyOf(const S3ObjectEvent& event) const;
};

}  // namespace floe::catalog
