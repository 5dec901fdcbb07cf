#include "common/status.h"

#include <cstring>

namespace floe {

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::qualified_name() const {
  if (ok()) return "ok";
  std::string out(domain());
  out += '.';
  out += code_name();
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return qualified_name() + ": " + state_->message;
}

Status Status::Retryable(bool retryable) const {
  if (ok()) return *this;
  Status copy;
  copy.state_ = std::make_shared<State>(State{state_->category, state_->code, retryable, state_->message});
  return copy;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status copy;
  std::string message(context);
  message += ": ";
  message += state_->message;
  copy.state_ = std::make_shared<State>(State{state_->category, state_->code, state_->retryable, std::move(message)});
  return copy;
}

std::string_view ErrorTraits<CommonError>::Name(CommonError e) {
  switch (e) {
    case CommonError::kInvalidArgument: return "invalid_argument";
    case CommonError::kIo: return "io";
    case CommonError::kNotFound: return "not_found";
    case CommonError::kAlreadyExists: return "already_exists";
    case CommonError::kInternal: return "internal";
    case CommonError::kUnavailable: return "unavailable";
    case CommonError::kCancelled: return "cancelled";
  }
  return "unknown";
}

Status ErrnoStatus(std::string_view what, std::string_view path, int err) {
  std::string message(what);
  message += " ";
  message += path;
  message += ": ";
  message += std::strerror(err);
  CommonError code = err == ENOENT ? CommonError::kNotFound : CommonError::kIo;
  // A full disk or quota is not fixed by an immediate retry but may be by an operator; callers that pause
  // and retry treat kIo as retryable, which is what we want for ENOSPC as well.
  return Error(code, std::move(message));
}

}  // namespace floe
