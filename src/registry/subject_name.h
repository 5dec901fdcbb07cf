// Subject naming: which registry subject a topic's schemas live under (Confluent's SubjectNameStrategy).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace floe::registry {

enum class SubjectNameStrategy {
  kTopicName,        // "<topic>-value" / "<topic>-key" (Confluent's default)
  kRecordName,       // "<record full name>"
  kTopicRecordName,  // "<topic>-<record full name>"
};

// Accepts the short names ("TopicNameStrategy", "topic_name", "topic") and Confluent's Java class names
// ("io.confluent.kafka.serializers.subject.RecordNameStrategy").
Result<SubjectNameStrategy> ParseSubjectNameStrategy(std::string_view name);

// The fully qualified name of a named Avro schema (record, enum, fixed): "namespace.Name". Errors with
// kInvalidArgument for schemas that have no name (primitives, arrays, unions) or text that is not JSON.
Result<std::string> AvroFullName(std::string_view avro_schema_json);

// The subject for a topic's key or value. `record_full_name` is used by the record strategies only.
std::string SubjectFor(SubjectNameStrategy strategy, std::string_view topic, bool is_key,
                       std::string_view record_full_name);

}  // namespace floe::registry
