// Errors of the Kafka seam (librdkafka wrappers).
#pragma once

#include <string_view>

#include "common/status.h"

namespace floe::kafka {

enum class KafkaError {
  kConfig,       // a property librdkafka rejected
  kTransport,    // brokers unreachable, timeouts: retryable
  kCommit,       // an offset commit failed
  kFenced,       // this member lost the partition (rebalance, fencing): do not retry the same commit
  kProduce,      // a produced message was not delivered
  kInternal,
};

}  // namespace floe::kafka

template <>
struct floe::ErrorTraits<floe::kafka::KafkaError> {
  static std::string_view Domain() { return "kafka"; }
  static std::string_view Name(floe::kafka::KafkaError e) {
    using E = floe::kafka::KafkaError;
    switch (e) {
      case E::kConfig: return "config";
      case E::kTransport: return "transport";
      case E::kCommit: return "commit";
      case E::kFenced: return "fenced";
      case E::kProduce: return "produce";
      case E::kInternal: return "internal";
    }
    return "unknown";
  }
  static bool DefaultRetryable(floe::kafka::KafkaError e) {
    return e == floe::kafka::KafkaError::kTransport || e == floe::kafka::KafkaError::kCommit ||
           e == floe::kafka::KafkaError::kProduce;
  }
};
