// Rebuild: the catalog from the lake alone (`floe catalog rebuild`), for a lost catalog or a lake written
// before the catalog ran. Lists the store once, parses each key with the key patterns (keys that match none
// — markers, `_floe/`, foreign files — are skipped and counted), reads what the key cannot tell from the file
// itself, and feeds the events through the same Catalog path as incremental ingest, so both give the same
// tables, versions, partitions and files:
//   Parquet: rows from the footer, last offset from the `_kafka_offset` column statistics, business-time
//            range from the footer's `floe.business_time.min/max` key/values when present;
//   JSON lines: the file is read; rows are its lines, last offset the last line's `_kafka_offset`;
//   Avro: the file is read; rows are its datums, last offset the last datum's `_kafka_offset`.
// Costs one LIST page per 1000 keys plus one HEAD and a few ranged GETs per Parquet file (a GET per JSON or
// Avro file).
#pragma once

#include <cstdint>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/key_pattern.h"
#include "storage/object_store.h"

namespace floe::catalog {

struct RebuildStats {
  uint64_t objects_listed = 0;
  uint64_t files_registered = 0;
  uint64_t skipped = 0;  // keys that match no pattern
};

// The event a committed file stands for, from its key and its content.
Result<archive::FileCommittedEvent> EventFromObject(storage::ObjectStore& lake, const KeyPattern& pattern,
                                                    const storage::ObjectMeta& object);

Result<RebuildStats> RebuildFromListing(storage::ObjectStore& lake, const std::vector<KeyPattern>& patterns,
                                        Catalog& catalog);

}  // namespace floe::catalog
