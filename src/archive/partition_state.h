// PartitionState: the durable, per-Kafka-partition record of the commit protocol (docs/EXACTLY_ONCE.md).
//
// Every owner of a Kafka partition (one assignment of it to one process) has an epoch and writes its own
// state object under the store's hidden prefix:
//
//   _floe/state/<topic>/<partition>/<epoch, 20 digits>.state
//
// An owner writes only the object of its own epoch; it never overwrites another owner's. The object lists
// every file the owner (or an earlier owner) made visible or is about to make visible whose records may be
// consumed again (last offset at or past the resume point). A file is listed *before* its PUT, so a file
// visible in the lake is always listed in some state object.
//
// Claim (on assignment): list the epochs, write a claim object for max+1 (incomplete), then read the newest
// complete object below it. A previous owner that still runs (a zombie) checks, after listing a file in its
// own object and before the file's PUT, that no higher epoch exists (Fence); because the claim is written
// before the new owner reads, a zombie either sees the claim and stops, or had listed its file before the new
// owner read its object — and the new owner re-creates that file with the same records under the same key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/object_store.h"

namespace floe::archive {

// One file of a Kafka partition: the records of `path` with offsets in [first, last], under `key`.
struct StateFile {
  std::string path;  // output partition path, e.g. "v=1/dt=2024-05-01/hour=12"
  std::string key;   // object key
  int64_t first = 0;
  int64_t last = 0;
  bool operator==(const StateFile&) const = default;
};

struct PartitionState {
  uint64_t epoch = 0;
  bool complete = false;  // false: a claim written before its owner read the previous state
  std::vector<StateFile> files;
  bool operator==(const PartitionState&) const = default;
};

// Text form: a header line, then one tab-separated line per file. Paths and keys never hold tabs or
// newlines (Hive escaping turns control characters into %XX).
std::string EncodePartitionState(const PartitionState& state);
Result<PartitionState> DecodePartitionState(std::string_view text);

// "_floe/state/<topic>/<partition>/"
std::string PartitionStatePrefix(std::string_view topic, int32_t partition);
std::string PartitionStateKey(std::string_view topic, int32_t partition, uint64_t epoch);

struct Claim {
  uint64_t epoch = 0;                      // the new owner's epoch
  std::optional<PartitionState> previous;  // newest complete state of an earlier epoch
  std::vector<std::string> stale_keys;     // every older state object: deletable once ours is complete
};

// Takes ownership of a partition's state for a new epoch (see the header comment).
Result<Claim> ClaimPartition(storage::ObjectStore& store, std::string_view topic, int32_t partition);

// kFenced when a state object of an epoch above `epoch` exists: another owner has claimed the partition.
Status CheckFence(storage::ObjectStore& store, std::string_view topic, int32_t partition, uint64_t epoch);

}  // namespace floe::archive
