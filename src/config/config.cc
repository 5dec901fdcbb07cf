#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <regex>
#include <sstream>

namespace floe::config {
namespace {

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    std::string item(s.substr(start, end - start));
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = end + 1;
  }
  return out;
}

// Closest known key, for "did you mean" hints.
std::string Suggest(std::string_view key) {
  size_t best = SIZE_MAX;
  std::string_view best_key;
  for (const auto& s : AllSettings()) {
    // Levenshtein distance, small strings.
    std::vector<size_t> prev(s.key.size() + 1), cur(s.key.size() + 1);
    for (size_t j = 0; j <= s.key.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= key.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= s.key.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (key[i - 1] == s.key[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    if (prev[s.key.size()] < best) {
      best = prev[s.key.size()];
      best_key = s.key;
    }
  }
  return best <= 3 ? " (did you mean '" + std::string(best_key) + "'?)" : "";
}

Result<std::string> ScalarOrList(const YAML::Node& node, const std::string& key) {
  if (node.IsScalar()) return node.Scalar();
  if (node.IsNull()) return std::string();
  if (node.IsSequence()) {
    std::vector<std::string> items;
    for (const auto& item : node) {
      if (!item.IsScalar()) return Error(ConfigError::kBadValue, "setting '" + key + "': list items must be scalars");
      items.push_back(item.Scalar());
    }
    return JoinList(items);
  }
  return Error(ConfigError::kBadValue, "setting '" + key + "': expected a value or a list, found a map");
}

// Flattens nested maps into dotted keys: {store: {url: x}} → store.url = x.
Status Flatten(const YAML::Node& node, const std::string& prefix, std::vector<std::pair<std::string, YAML::Node>>& out) {
  for (const auto& kv : node) {
    const std::string key = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
    if (kv.second.IsMap() && !FindSetting(key)) {
      FLOE_RETURN_IF_ERROR(Flatten(kv.second, key, out));
    } else {
      out.emplace_back(key, kv.second);
    }
  }
  return Status::Ok();
}

Status ApplyMap(const YAML::Node& node, SettingValues& worker, SettingValues* connector, bool allow_worker,
                const std::string& where) {
  std::vector<std::pair<std::string, YAML::Node>> flat;
  FLOE_RETURN_IF_ERROR(Flatten(node, "", flat));
  for (const auto& [key, value] : flat) {
    if (key == "name") continue;
    const SettingDef* def = FindSetting(key);
    if (!def) return Error(ConfigError::kUnknownKey, where + "unknown setting '" + key + "'" + Suggest(key));
    FLOE_ASSIGN_OR_RETURN(std::string raw, ScalarOrList(value, key));
    if (def->scope == SettingScope::kWorker) {
      if (!allow_worker)
        return Error(ConfigError::kBadValue, where + "'" + key + "' is a worker setting; set it at the top level");
      FLOE_RETURN_IF_ERROR(worker.Set(key, raw, SettingScope::kWorker).WithContext(where.empty() ? "config" : where));
    } else {
      FLOE_RETURN_IF_ERROR(connector->Set(key, raw, SettingScope::kConnector));
    }
  }
  return Status::Ok();
}

Status ValidateConnector(const ConnectorConfig& c) {
  const bool has_list = !c.values.GetList("topics").empty();
  const bool has_regex = !c.values.GetString("topics.regex").empty();
  if (has_list && has_regex)
    return Error(ConfigError::kConflict, "connector '" + c.name + "': set either 'topics' or 'topics.regex', not both");
  if (!has_list && !has_regex)
    return Error(ConfigError::kMissing, "connector '" + c.name + "': no 'topics' or 'topics.regex' to archive");
  if (has_regex) {
    try {
      std::regex re(c.values.GetString("topics.regex"));
    } catch (const std::regex_error& e) {
      return Error(ConfigError::kBadValue, "connector '" + c.name + "': invalid topics.regex: " + e.what());
    }
  }
  return Status::Ok();
}

// Settings whose values must never be printed.
bool IsSecret(std::string_view key) {
  return key.find("password") != std::string_view::npos || key.find("secret") != std::string_view::npos ||
         key.find("token") != std::string_view::npos || key.find("user.info") != std::string_view::npos;
}

}  // namespace

std::string SettingValues::RawOrDefault(std::string_view key, SettingType type) const {
  const SettingDef* def = FindSetting(key);
  assert(def && def->type == type && "setting not in the table or read with the wrong type");
  (void)type;
  auto it = values_.find(std::string(key));
  return it != values_.end() ? it->second : std::string(def->default_value);
}

std::string SettingValues::GetString(std::string_view key) const {
  const SettingDef* def = FindSetting(key);
  return RawOrDefault(key, def && def->type == SettingType::kEnum ? SettingType::kEnum : SettingType::kString);
}

int64_t SettingValues::GetInt(std::string_view key) const {
  const std::string raw = RawOrDefault(key, SettingType::kInt);
  int64_t v = 0;
  std::from_chars(raw.data(), raw.data() + raw.size(), v);
  return v;
}

bool SettingValues::GetBool(std::string_view key) const { return RawOrDefault(key, SettingType::kBool) == "true"; }

std::vector<std::string> SettingValues::GetList(std::string_view key) const {
  return SplitList(RawOrDefault(key, SettingType::kList));
}

Status SettingValues::Set(std::string_view key, const std::string& raw, SettingScope expected_scope) {
  const SettingDef* def = FindSetting(key);
  const std::string k(key);
  if (!def) return Error(ConfigError::kUnknownKey, "unknown setting '" + k + "'" + Suggest(key));
  if (def->scope != expected_scope)
    return Error(ConfigError::kBadValue, "'" + k + "' cannot be set here (it is a " +
                                             (def->scope == SettingScope::kWorker ? "worker" : "connector") + " setting)");
  switch (def->type) {
    case SettingType::kInt: {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
      if (ec != std::errc() || ptr != raw.data() + raw.size())
        return Error(ConfigError::kBadValue, "setting '" + k + "': '" + raw + "' is not an integer");
      if ((def->min && v < *def->min) || (def->max && v > *def->max))
        return Error(ConfigError::kBadValue, "setting '" + k + "': " + raw + " is out of range [" +
                                                 (def->min ? std::to_string(*def->min) : "") + ", " +
                                                 (def->max ? std::to_string(*def->max) : "") + "]");
      values_[k] = std::to_string(v);
      return Status::Ok();
    }
    case SettingType::kBool:
      if (raw != "true" && raw != "false")
        return Error(ConfigError::kBadValue, "setting '" + k + "': '" + raw + "' is not true or false");
      values_[k] = raw;
      return Status::Ok();
    case SettingType::kEnum: {
      for (auto a : def->allowed)
        if (a == raw) {
          values_[k] = raw;
          return Status::Ok();
        }
      std::string allowed;
      for (auto a : def->allowed) allowed += (allowed.empty() ? "" : ", ") + std::string(a);
      return Error(ConfigError::kBadValue, "setting '" + k + "': '" + raw + "' is not one of " + allowed);
    }
    case SettingType::kList: values_[k] = JoinList(SplitList(raw)); return Status::Ok();
    case SettingType::kString: values_[k] = raw; return Status::Ok();
  }
  return Status::Ok();
}

Result<Config> ParseConfig(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Error(ConfigError::kParse, std::string("invalid YAML: ") + e.what());
  }
  if (!root.IsMap()) return Error(ConfigError::kParse, "the configuration must be a YAML map");

  Config config;
  ConnectorConfig top{"default", {}};
  SettingValues defaults;
  YAML::Node connectors_node;
  bool has_connectors = false;
  YAML::Node rest(YAML::NodeType::Map);
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key == "kafka") {
      if (!kv.second.IsMap()) return Error(ConfigError::kBadValue, "'kafka' must be a map of librdkafka properties");
      std::vector<std::pair<std::string, YAML::Node>> flat;
      try {
        for (const auto& p : kv.second) {
          std::vector<std::pair<std::string, YAML::Node>> one;
          if (p.second.IsMap()) {
            YAML::Node wrapper;
            wrapper[p.first.as<std::string>()] = p.second;
            FLOE_RETURN_IF_ERROR(Flatten(wrapper, "", one));
          } else {
            one.emplace_back(p.first.as<std::string>(), p.second);
          }
          for (auto& o : one) {
            if (!o.second.IsScalar())
              return Error(ConfigError::kBadValue, "kafka property '" + o.first + "' must be a scalar");
            config.kafka[o.first] = o.second.Scalar();
          }
        }
      } catch (const YAML::Exception& e) {
        return Error(ConfigError::kParse, std::string("kafka section: ") + e.what());
      }
    } else if (key == "defaults") {
      if (!kv.second.IsMap()) return Error(ConfigError::kBadValue, "'defaults' must be a map");
      SettingValues unused_worker;
      FLOE_RETURN_IF_ERROR(ApplyMap(kv.second, unused_worker, &defaults, false, "defaults: "));
    } else if (key == "connectors") {
      connectors_node = kv.second;
      has_connectors = true;
    } else {
      rest[key] = kv.second;
    }
  }
  try {
    FLOE_RETURN_IF_ERROR(ApplyMap(rest, config.worker, &top.values, true, ""));
  } catch (const YAML::Exception& e) {
    return Error(ConfigError::kParse, e.what());
  }

  // Precedence: connector > defaults > top level.
  auto merged = [&](const SettingValues& own) {
    SettingValues out = top.values;
    for (const auto& [k, v] : defaults.raw()) (void)out.Set(k, v, SettingScope::kConnector);
    for (const auto& [k, v] : own.raw()) (void)out.Set(k, v, SettingScope::kConnector);
    return out;
  };

  if (has_connectors) {
    if (!connectors_node.IsSequence()) return Error(ConfigError::kBadValue, "'connectors' must be a list of maps");
    for (const auto& c : connectors_node) {
      if (!c.IsMap() || !c["name"]) return Error(ConfigError::kMissing, "every connector needs a 'name'");
      ConnectorConfig cc{c["name"].as<std::string>(), {}};
      for (const auto& other : config.connectors)
        if (other.name == cc.name) return Error(ConfigError::kConflict, "two connectors named '" + cc.name + "'");
      SettingValues own;
      SettingValues unused_worker;
      FLOE_RETURN_IF_ERROR(ApplyMap(c, unused_worker, &own, false, "connector '" + cc.name + "': "));
      cc.values = merged(own);
      FLOE_RETURN_IF_ERROR(ValidateConnector(cc));
      config.connectors.push_back(std::move(cc));
    }
  } else {
    top.values = merged(SettingValues());
    FLOE_RETURN_IF_ERROR(ValidateConnector(top));
    config.connectors.push_back(std::move(top));
  }
  if (config.kafka.count("bootstrap.servers") == 0)
    return Error(ConfigError::kMissing, "kafka.bootstrap.servers is not set");
  if (config.kafka.count("group.id") == 0) config.kafka["group.id"] = "floe";
  return config;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(ConfigError::kParse, "cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto result = ParseConfig(ss.str());
  if (!result.ok()) return result.status().WithContext(path);
  return result;
}

std::string RenderEffectiveConfig(const Config& config) {
  auto scalar = [](const std::string& s) {
    YAML::Emitter e;
    e << s;
    return std::string(e.c_str());
  };
  std::ostringstream out;
  out << "kafka:\n";
  for (const auto& [k, v] : config.kafka) {
    out << "  " << k << ": " << (IsSecret(k) ? "\"***\"" : scalar(v)) << "\n";
  }
  auto render = [&](const SettingValues& values, SettingScope scope, const char* indent) {
    for (const auto& def : AllSettings()) {
      if (def.scope != scope) continue;
      out << indent << def.key << ": ";
      if (IsSecret(def.key) && values.IsSet(def.key)) {
        out << "\"***\"\n";
        continue;
      }
      if (def.type == SettingType::kList) {
        out << "[";
        bool first = true;
        for (const auto& item : values.GetList(def.key)) {
          out << (first ? "" : ", ") << scalar(item);
          first = false;
        }
        out << "]";
      } else if (def.type == SettingType::kInt) {
        out << values.GetInt(def.key);
      } else {
        out << scalar(def.type == SettingType::kBool ? (values.GetBool(def.key) ? "true" : "false")
                                                     : values.GetString(def.key));
      }
      out << (values.IsSet(def.key) ? "" : "  # default") << "\n";
    }
  };
  render(config.worker, SettingScope::kWorker, "");
  out << "connectors:\n";
  for (const auto& c : config.connectors) {
    out << "  - name: " << scalar(c.name) << "\n";
    render(c.values, SettingScope::kConnector, "    ");
  }
  return out.str();
}

}  // namespace floe::config

std::string_view floe::ErrorTraits<floe::config::ConfigError>::Name(floe::config::ConfigError e) {
  using E = floe::config::ConfigError;
  switch (e) {
    case E::kParse: return "parse";
    case E::kUnknownKey: return "unknown_key";
    case E::kBadValue: return "bad_value";
    case E::kMissing: return "missing";
    case E::kConflict: return "conflict";
  }
  return "unknown";
}
