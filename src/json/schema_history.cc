#include "json/schema_history.h"

#include <charconv>

#include "json/json_error.h"

namespace floe::json {

namespace {

std::string Prefix(std::string_view table_dir) { return std::string(table_dir) + "/_schemas/v="; }

// "…/_schemas/v=12.avsc" → 12; nullopt for anything else (temp files, foreign objects).
std::optional<int64_t> VersionOf(std::string_view key, std::string_view prefix) {
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  constexpr std::string_view kExt = ".avsc";
  if (key.size() <= kExt.size() || key.substr(key.size() - kExt.size()) != kExt) return std::nullopt;
  key.remove_suffix(kExt.size());
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
  if (ec != std::errc() || ptr != key.data() + key.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace

std::string ObjectStoreSchemaHistory::KeyOf(std::string_view table_dir, int64_t version) {
  return Prefix(table_dir) + std::to_string(version) + ".avsc";
}

Result<std::optional<SchemaVersion>> ObjectStoreSchemaHistory::Latest(std::string_view table_dir) {
  const std::string prefix = Prefix(table_dir);
  FLOE_ASSIGN_OR_RETURN(std::vector<storage::ObjectMeta> objects, storage::ListAll(store_, prefix));
  int64_t latest = 0;
  for (const auto& o : objects)
    if (auto v = VersionOf(o.key, prefix)) latest = std::max(latest, *v);
  if (latest == 0) return std::optional<SchemaVersion>();
  FLOE_ASSIGN_OR_RETURN(std::string avsc, store_.Get(KeyOf(table_dir, latest)));
  return std::optional<SchemaVersion>(SchemaVersion{latest, std::move(avsc)});
}

Result<SchemaVersion> ObjectStoreSchemaHistory::Create(std::string_view table_dir, int64_t version,
                                                       std::string_view avsc) {
  const std::string key = KeyOf(table_dir, version);
  auto existing = store_.Get(key);
  if (existing.ok()) return SchemaVersion{version, std::move(existing).value()};
  if (!existing.status().Is(storage::StoreError::kNotFound)) return existing.status();
  FLOE_RETURN_IF_ERROR(store_.Put(key, avsc));
  // Read back: when another worker wrote the same version meanwhile, the store holds one of the two, and
  // both workers adopt the same one.
  FLOE_ASSIGN_OR_RETURN(std::string stored, store_.Get(key));
  return SchemaVersion{version, std::move(stored)};
}

Result<std::optional<SchemaVersion>> MemorySchemaHistory::Latest(std::string_view table_dir) {
  std::lock_guard lock(mu_);
  auto it = tables_.find(table_dir);
  if (it == tables_.end() || it->second.empty()) return std::optional<SchemaVersion>();
  const auto& [v, avsc] = *it->second.rbegin();
  return std::optional<SchemaVersion>(SchemaVersion{v, avsc});
}

Result<SchemaVersion> MemorySchemaHistory::Create(std::string_view table_dir, int64_t version, std::string_view avsc) {
  if (version <= 0) return Error(JsonError::kHistory, "schema versions start at 1");
  std::lock_guard lock(mu_);
  auto& versions = tables_[std::string(table_dir)];
  auto [it, inserted] = versions.emplace(version, std::string(avsc));
  return SchemaVersion{version, it->second};
}

}  // namespace floe::json
