#include "catalog/publisher.h"

#include <map>
#include <set>
#include <utility>

namespace floe::catalog {

size_t CatalogChanges::partition_count() const {
  size_t n = 0;
  for (const auto& t : tables) n += t.partitions.size();
  return n;
}

void MergeChanges(CatalogChanges& pending, CatalogChanges later) {
  pending.snapshot = pending.snapshot || later.snapshot;
  std::map<std::pair<std::string, std::string>, TableChange> merged;
  for (auto& t : pending.tables) {
    auto key = std::pair(t.table.database, t.table.name);
    merged.emplace(std::move(key), std::move(t));
  }
  for (auto& t : later.tables) {
    auto [it, inserted] = merged.try_emplace(std::pair(t.table.database, t.table.name));
    TableChange& into = it->second;
    if (inserted) {
      into = std::move(t);
      continue;
    }
    into.table = std::move(t.table);
    into.definition_changed = into.definition_changed || t.definition_changed;
    std::set<std::string> specs;
    for (const auto& p : into.partitions) specs.insert(p.spec);
    for (auto& p : t.partitions) {
      if (specs.insert(p.spec).second) into.partitions.push_back(std::move(p));
    }
  }
  pending.tables.clear();
  for (auto& [key, t] : merged) pending.tables.push_back(std::move(t));
}

}  // namespace floe::catalog
