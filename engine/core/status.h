// Errors as values at the library boundary. Every reader, writer and codec returns a
// Status or a Result<T>; only the command line turns them into a message and an exit code.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace scenezip {

enum class ErrorCode {
  kOk = 0,
  kInvalidInput,  // the input is malformed, truncated or absurd: exit code 2
  kIo,            // a file could not be opened, read or written: exit code 2
  kUnsupported,   // a valid input the program cannot handle (format, feature): exit code 2
  kInternal,      // a bug or a failure of the machine (Vulkan, memory): exit code 1
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Exit code the command line uses for this status.
  int exit_code() const { return ok() ? 0 : (code_ == ErrorCode::kInternal ? 1 : 2); }

  // Prefixes the message with context, e.g. the file name: "scene.ply: truncated ...".
  Status with_context(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status invalid_input(std::string message) { return {ErrorCode::kInvalidInput, std::move(message)}; }
inline Status io_error(std::string message) { return {ErrorCode::kIo, std::move(message)}; }
inline Status unsupported(std::string message) { return {ErrorCode::kUnsupported, std::move(message)}; }
inline Status internal_error(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}    // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace scenezip

#define SCZ_CONCAT_INNER(a, b) a##b
#define SCZ_CONCAT(a, b) SCZ_CONCAT_INNER(a, b)

// Returns early from the enclosing function when a Status is not ok.
#define SCZ_RETURN_IF_ERROR(expr)                 \
  do {                                            \
    ::scenezip::Status scz_status_ = (expr);      \
    if (!scz_status_.ok()) return scz_status_;    \
  } while (0)

// Declares `lhs` from a Result, or returns its Status from the enclosing function.
#define SCZ_ASSIGN_OR_RETURN(lhs, expr) SCZ_ASSIGN_OR_RETURN_IMPL(SCZ_CONCAT(scz_result_, __LINE__), lhs, expr)
#define SCZ_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
