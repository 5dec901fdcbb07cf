// The Kafka metadata columns every columnar file carries after the event's own fields:
//   _kafka_partition INT32, _kafka_offset INT64, _kafka_timestamp TIMESTAMP(MILLIS) (null when absent),
//   _kafka_key BYTES (optional, store.kafka.keys), _kafka_headers LIST<STRUCT<key STRING, value BYTES>>
//   (store.kafka.headers; a list, not a map, because Kafka headers are ordered and names may repeat).
// JSON-lines files carry the same fields, the key as a string (base64 in `_kafka_key_base64` when it is not
// UTF-8) and headers as [{"key":..., "value":...}].
#pragma once

#include "archive/record.h"
#include "columnar/column_buffer.h"
#include "columnar/schema.h"

namespace floe::archive {

struct KafkaColumnOptions {
  bool key = false;
  bool headers = false;
};

// The event's schema with the Kafka columns appended.
columnar::Schema WithKafkaColumns(const columnar::Schema& event, KafkaColumnOptions options = {});
// How many columns (leaves) WithKafkaColumns appends.
size_t KafkaColumnCount(KafkaColumnOptions options);
// Appends one record's Kafka values to the trailing KafkaColumnCount() columns of `batch`.
void AppendKafkaColumns(columnar::ColumnarBatch& batch, const RecordContext& context, KafkaColumnOptions options);

}  // namespace floe::archive
