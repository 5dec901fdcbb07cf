#include "archive/kafka_columns.h"

namespace floe::archive {

columnar::Schema WithKafkaColumns(const columnar::Schema& event, KafkaColumnOptions options) {
  using columnar::LogicalKind;
  using columnar::Node;
  using columnar::PhysicalType;
  std::vector<columnar::NodePtr> fields = event.root().children;
  fields.push_back(Node::Primitive("_kafka_partition", PhysicalType::kInt32, false));
  fields.push_back(Node::Primitive("_kafka_offset", PhysicalType::kInt64, false));
  fields.push_back(Node::Primitive("_kafka_timestamp", PhysicalType::kInt64, true, LogicalKind::kTimestampMillis));
  if (options.key) fields.push_back(Node::Primitive("_kafka_key", PhysicalType::kByteArray, true));
  if (options.headers) {
    auto header = Node::Record("element",
                               {Node::Primitive("key", PhysicalType::kByteArray, false, LogicalKind::kString),
                                Node::Primitive("value", PhysicalType::kByteArray, true)},
                               false);
    fields.push_back(Node::List("_kafka_headers", std::move(header), false));
  }
  return columnar::Schema(Node::Record(event.root().name, std::move(fields), false));
}

size_t KafkaColumnCount(KafkaColumnOptions options) {
  return 3 + (options.key ? 1 : 0) + (options.headers ? 2 : 0);
}

void AppendKafkaColumns(columnar::ColumnarBatch& batch, const RecordContext& context, KafkaColumnOptions options) {
  size_t i = batch.num_columns() - KafkaColumnCount(options);
  batch.column(i++).AppendInt32(context.partition, 0, 0);
  batch.column(i++).AppendInt64(context.offset, 0, 0);
  if (context.kafka_timestamp_ms >= 0)
    batch.column(i++).AppendInt64(context.kafka_timestamp_ms, 1, 0);
  else
    batch.column(i++).AppendNull(0, 0);
  if (options.key) {
    if (context.key)
      batch.column(i++).AppendBytes(*context.key, 1, 0);
    else
      batch.column(i++).AppendNull(0, 0);
  }
  if (options.headers) {
    columnar::ColumnBuffer& keys = batch.column(i);
    columnar::ColumnBuffer& values = batch.column(i + 1);
    if (context.headers.empty()) {
      keys.AppendNull(0, 0);
      values.AppendNull(0, 0);
    }
    int16_t rep = 0;
    for (const auto& [name, value] : context.headers) {
      keys.AppendBytes(name, 1, rep);
      if (value)
        values.AppendBytes(*value, 2, rep);
      else
        values.AppendNull(1, rep);
      rep = 1;
    }
  }
}

}  // namespace floe::archive
