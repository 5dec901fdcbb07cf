// BusinessTimeExtractor: finds when an event happened in the real world.
//
// The first present candidate field wins (dotted paths reach into nested objects). Numbers are epoch
// seconds/millis/micros/nanos (declared, or detected by magnitude); strings are RFC 3339 / ISO 8601 with or
// without offsets (numeric strings are read as epoch numbers). Everything is UTC. A value outside the
// plausibility window around now counts as missing, so one producer's bug (year 1970, year 2999) does not
// scatter files across the calendar. When no candidate yields a plausible time, the Kafka timestamp is used
// and the fallback is reported to the caller, which counts it.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/time_util.h"

namespace floe::archive {

struct BusinessTimeOptions {
  std::vector<std::string> candidate_fields;
  EpochUnit unit = EpochUnit::kAuto;
  int64_t plausible_past_ms = 0;    // 0 = no lower bound
  int64_t plausible_future_ms = 0;  // 0 = no upper bound
};

enum class TimeSource { kField, kKafkaTimestamp };

struct BusinessTime {
  int64_t micros = 0;
  TimeSource source = TimeSource::kKafkaTimestamp;
  int candidate = -1;  // index into candidate_fields when source == kField
};

class BusinessTimeExtractor {
 public:
  BusinessTimeExtractor(BusinessTimeOptions options, const Clock& clock);

  // From a parsed JSON object; falls back to kafka_timestamp_ms.
  BusinessTime FromJson(const simdjson::dom::element& object, int64_t kafka_timestamp_ms) const;

  // Interprets one candidate value; nullopt when it is not a plausible time.
  std::optional<int64_t> FromNumber(int64_t value) const;
  std::optional<int64_t> FromDouble(double value) const;
  std::optional<int64_t> FromString(std::string_view text) const;
  // An instant already in microseconds (e.g. an Avro timestamp logical type), checked for plausibility.
  std::optional<int64_t> FromMicros(int64_t micros) const { return Plausible(micros); }

  const BusinessTimeOptions& options() const { return options_; }

 private:
  std::optional<int64_t> Plausible(std::optional<int64_t> micros) const;

  BusinessTimeOptions options_;
  std::vector<std::vector<std::string>> paths_;
  const Clock& clock_;
};

}  // namespace floe::archive
