#include "archive/business_time.h"

#include <charconv>

namespace floe::archive {

BusinessTimeExtractor::BusinessTimeExtractor(BusinessTimeOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  for (const auto& field : options_.candidate_fields) {
    std::vector<std::string> path;
    size_t start = 0;
    while (true) {
      const size_t dot = field.find('.', start);
      path.push_back(field.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    paths_.push_back(std::move(path));
  }
}

std::optional<int64_t> BusinessTimeExtractor::Plausible(std::optional<int64_t> micros) const {
  if (!micros) return std::nullopt;
  const int64_t now = clock_.NowMicros();
  if (options_.plausible_past_ms > 0 && *micros < now - options_.plausible_past_ms * 1000) return std::nullopt;
  if (options_.plausible_future_ms > 0 && *micros > now + options_.plausible_future_ms * 1000) return std::nullopt;
  return micros;
}

std::optional<int64_t> BusinessTimeExtractor::FromNumber(int64_t value) const {
  return Plausible(EpochToMicros(value, options_.unit));
}

std::optional<int64_t> BusinessTimeExtractor::FromDouble(double value) const {
  return Plausible(EpochToMicros(value, options_.unit));
}

std::optional<int64_t> BusinessTimeExtractor::FromString(std::string_view text) const {
  if (auto t = ParseIso8601Micros(text)) return Plausible(t);
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && ptr == text.data() + text.size() && !text.empty()) return FromNumber(n);
  return std::nullopt;
}

BusinessTime BusinessTimeExtractor::FromJson(const simdjson::dom::element& object, int64_t kafka_timestamp_ms) const {
  for (size_t c = 0; c < paths_.size(); ++c) {
    simdjson::dom::element node = object;
    bool found = true;
    for (const auto& component : paths_[c]) {
      simdjson::dom::object obj;
      if (node.get_object().get(obj) != simdjson::SUCCESS || obj[component].get(node) != simdjson::SUCCESS) {
        found = false;
        break;
      }
    }
    if (!found) continue;
    std::optional<int64_t> micros;
    switch (node.type()) {
      case simdjson::dom::element_type::INT64: micros = FromNumber(node.get_int64().value_unsafe()); break;
      case simdjson::dom::element_type::UINT64: break;  // beyond int64: not a time
      case simdjson::dom::element_type::DOUBLE: micros = FromDouble(node.get_double().value_unsafe()); break;
      case simdjson::dom::element_type::STRING: micros = FromString(node.get_string().value_unsafe()); break;
      default: break;
    }
    if (micros) return BusinessTime{*micros, TimeSource::kField, static_cast<int>(c)};
  }
  return BusinessTime{kafka_timestamp_ms * 1000, TimeSource::kKafkaTimestamp, -1};
}

}  // namespace floe::archive
