// Status and Result<T>: how errors travel in floe.
//
// Per-record and per-request errors are values, never exceptions, so hot paths stay predictable. Each
// module declares one error enum and specialises ErrorTraits for it (domain name, a stable name per code,
// and whether the code is retryable by default). The place that raises an error knows best whether a retry
// can help, so it may override the default with Status::Retryable().
//
//   enum class AvroError { kTruncated, kBadMagic };
//   template <> struct floe::ErrorTraits<AvroError> { ...Domain(), Name(e), DefaultRetryable(e) };
//   return floe::Error(AvroError::kTruncated, "string length 12 past end of payload");
//
// A Status prints as "avro.truncated: string length 12 past end of payload".
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace floe {

// Specialise for each module's error enum.
template <typename E>
struct ErrorTraits;

// The type-erased view of an error enum: lets Status hold any module's code without templates.
class ErrorCategory {
 public:
  virtual ~ErrorCategory() = default;
  virtual std::string_view domain() const = 0;
  virtual std::string_view name(int code) const = 0;
  virtual bool default_retryable(int code) const = 0;
};

template <typename E>
class TypedErrorCategory final : public ErrorCategory {
 public:
  static const TypedErrorCategory& instance() {
    static const TypedErrorCategory category;
    return category;
  }
  std::string_view domain() const override { return ErrorTraits<E>::Domain(); }
  std::string_view name(int code) const override { return ErrorTraits<E>::Name(static_cast<E>(code)); }
  bool default_retryable(int code) const override {
    return ErrorTraits<E>::DefaultRetryable(static_cast<E>(code));
  }
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  template <typename E>
  Status(E code, std::string message)
      : state_(std::make_shared<State>(State{&TypedErrorCategory<E>::instance(), static_cast<int>(code),
                                             ErrorTraits<E>::DefaultRetryable(code), std::move(message)})) {}

  static Status Ok() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  explicit operator bool() const { return ok(); }

  // Whether trying the same operation again later may succeed (store down, broker unreachable, ...).
  bool retryable() const { return state_ && state_->retryable; }
  std::string_view domain() const { return state_ ? state_->category->domain() : "ok"; }
  std::string_view code_name() const { return state_ ? state_->category->name(state_->code) : "ok"; }
  const std::string& message() const;

  template <typename E>
  bool Is(E code) const {
    return state_ && state_->category == &TypedErrorCategory<E>::instance() &&
           state_->code == static_cast<int>(code);
  }
  template <typename E>
  std::optional<E> CodeAs() const {
    if (state_ && state_->category == &TypedErrorCategory<E>::instance()) return static_cast<E>(state_->code);
    return std::nullopt;
  }

  // "domain.name" e.g. "avro.truncated": stable, used in metrics labels and dead-letter headers.
  std::string qualified_name() const;
  // "domain.name: message".
  std::string ToString() const;

  // Returns a copy whose retryability is overridden by the raiser.
  Status Retryable(bool retryable) const;
  // Returns a copy with "context: " prepended to the message (e.g. "topic ads partition 3 offset 17").
  Status WithContext(std::string_view context) const;

 private:
  struct State {
    const ErrorCategory* category;
    int code;
    bool retryable;
    std::string message;
  };
  std::shared_ptr<const State> state_;
};

template <typename E>
Status Error(E code, std::string message) {
  return Status(code, std::move(message));
}

// Holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok() && "Result from an OK status"); }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }

  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

// The generic error enum for code that belongs to no particular module (I/O, argument checks).
enum class CommonError { kInvalidArgument, kIo, kNotFound, kAlreadyExists, kInternal, kUnavailable, kCancelled };
template <>
struct ErrorTraits<CommonError> {
  static std::string_view Domain() { return "common"; }
  static std::string_view Name(CommonError e);
  static bool DefaultRetryable(CommonError e) { return e == CommonError::kUnavailable || e == CommonError::kIo; }
};

// Builds a kIo status from errno with the operation and path in the message.
Status ErrnoStatus(std::string_view what, std::string_view path, int err);

}  // namespace floe

#define FLOE_CONCAT_INNER(a, b) a##b
#define FLOE_CONCAT(a, b) FLOE_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when it is not OK.
#define FLOE_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::floe::Status _floe_st = (expr);       \
    if (!_floe_st.ok()) return _floe_st;    \
  } while (0)

// auto x = ...; from a Result<T>, returning its status from the enclosing function on error.
#define FLOE_ASSIGN_OR_RETURN(lhs, expr) FLOE_ASSIGN_OR_RETURN_IMPL(FLOE_CONCAT(_floe_res_, __LINE__), lhs, expr)
#define FLOE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
