// Errors of the archive pipeline (decoding, time extraction, file writing, commits).
#pragma once

#include <string_view>

#include "common/status.h"

namespace floe::archive {

enum class ArchiveError {
  kMalformedPayload,  // the value is not what the connector's input.format says (not JSON, not an object)
  kTombstone,         // a null value under behavior.on.null.values=fail
  kMissingTime,       // no usable business time under timestamp.fallback=fail
  kSpool,             // the local spool failed (disk full, permissions): retryable
  kUpload,            // the object store refused a file
  kCommit,            // offsets could not be committed
  kConfig,
  kFenced,            // another owner claimed the partition: this process must not publish for it
  kState,             // the partition's commit-protocol state object is unreadable
};

}  // namespace floe::archive

template <>
struct floe::ErrorTraits<floe::archive::ArchiveError> {
  static std::string_view Domain() { return "archive"; }
  static std::string_view Name(floe::archive::ArchiveError e) {
    using E = floe::archive::ArchiveError;
    switch (e) {
      case E::kMalformedPayload: return "malformed_payload";
      case E::kTombstone: return "tombstone";
      case E::kMissingTime: return "missing_time";
      case E::kSpool: return "spool";
      case E::kUpload: return "upload";
      case E::kCommit: return "commit";
      case E::kConfig: return "config";
      case E::kFenced: return "fenced";
      case E::kState: return "state";
    }
    return "unknown";
  }
  static bool DefaultRetryable(floe::archive::ArchiveError e) {
    using E = floe::archive::ArchiveError;
    return e == E::kSpool || e == E::kUpload || e == E::kCommit;
  }
};
