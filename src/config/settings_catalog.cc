// The catalog's settings (worker scope): where the catalog lives and how it publishes. Part of the one
// settings table (settings_table.cc merges them), kept apart so the catalog's keys read together.
#include "config/settings.h"

namespace floe::config {

const std::vector<SettingDef>& CatalogSettings() {
  using T = SettingType;
  using S = SettingScope;
  static const std::vector<SettingDef> table = {
      {"catalog.url", T::kString, S::kWorker, "",
       "Where the table catalog lives: `sqlite:///path/catalog.db` (embedded default), or "
       "`postgresql://user:pass@host:5432/db` for many workers. Empty: `sqlite://` in `_floe/catalog.db` "
       "next to a local lake, no catalog for remote stores.",
       {}, {}, {}, "high"},
  };
  return table;
}

}  // namespace floe::config
