// CatalogPublisher: the seam through which the catalog's changes reach an external metastore (AWS Glue
// today, glue_publisher.h; a Hive Metastore or an Iceberg REST catalog later).
//
// The catalog store stays the record; a publisher mirrors it. After every flush that committed, the Catalog
// hands its publisher what changed: tables created or whose columns changed (with their whole current
// definition, so a publisher never needs to read the store) and partitions added. Partitions of a schema
// version whose columns conflict with the table's are withheld, as from the DDL: they would not read
// correctly through the table.
//
// Delivery is at least once. A Publish that fails is not lost: the Catalog merges it with what the next
// flushes add and offers it again after each of them. After Catalog::Open the first offer is a snapshot —
// every table with every partition — so changes whose publication a crash or a restart cut short are
// made good. Publish must therefore be idempotent: creating what exists is success.
//
// Publish is called on the flushing thread without the catalog's store lock, never concurrently with itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog_store.h"
#include "common/status.h"

namespace floe::catalog {

struct TableChange {
  TableInfo table;                       // the table's current definition (columns merged over all versions)
  bool definition_changed = false;       // created, or its columns changed: publish the table itself
  std::vector<PartitionInfo> partitions; // partitions added (every partition, in a snapshot)
};

struct CatalogChanges {
  // True for the snapshot after Open: every table and partition the catalog holds, some of which the
  // metastore probably has already (a publisher may list what it has rather than re-create everything).
  bool snapshot = false;
  std::vector<TableChange> tables;  // one entry per table, in (database, table) order

  bool empty() const { return tables.empty(); }
  size_t partition_count() const;
};

// Adds `later` to `pending` (a failed publication kept for the next attempt): tables in either, the later
// definition winning, partitions of both without duplicates, snapshot if either was one.
void MergeChanges(CatalogChanges& pending, CatalogChanges later);

class CatalogPublisher {
 public:
  virtual ~CatalogPublisher() = default;
  // For logs: "glue".
  virtual std::string_view name() const = 0;
  // Makes the metastore hold `changes`. An error leaves the metastore partly updated; the same changes
  // (and more) will be offered again.
  virtual Status Publish(const CatalogChanges& changes) = 0;
};

}  // namespace floe::catalog
