// The JSON encoding of a FileCommittedEvent, as published on the `file.events.topic` Kafka topic and read
// back by `floe catalog serve`. One JSON object per Kafka message (the message key is the object key):
//
//   {"topic":"ads","partition":3,"database":"default","table":"ads","schema_version":"2",
//    "partition_values":[["v","2"],["dt","2024-05-01"],["hour","12"]],
//    "key":"default/ads/v=2/dt=2024-05-01/hour=12/ads+3+1200.parquet","format":"parquet",
//    "records":1000,"bytes":48211,"first_offset":1200,"last_offset":2199,
//    "min_business_time_micros":1714564800000000,"max_business_time_micros":1714568399000000}
//
// partition_values is an array of [name, value] pairs because their order is the path order. Unknown
// fields are ignored (newer producers); missing required fields (topic, database, table, key) are an error.
#pragma once

#include <string>
#include <string_view>

#include "archive/file_events.h"
#include "common/status.h"

namespace floe::catalog {

std::string FileEventToJson(const archive::FileCommittedEvent& event);
Result<archive::FileCommittedEvent> FileEventFromJson(std::string_view json);

}  // namespace floe::catalog
