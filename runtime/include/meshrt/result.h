// Result<T>: the error-as-value type used at every meshrt API boundary.
// Nothing is thrown across the public API; a failure carries one line of text that
// names the file or field at fault and the reason ("pack.json: models[0].path: file not found").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace meshrt {

struct Error {
  std::string message;  // one line, no trailing newline
};

// Builds an Error; `context` names the file, field or call, `reason` says what is wrong.
inline Error makeError(std::string_view context, std::string_view reason) {
  std::string text;
  text.reserve(context.size() + reason.size() + 2);
  text.append(context);
  if (!context.empty() && !reason.empty()) text.append(": ");
  text.append(reason);
  return Error{std::move(text)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : mState(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : mState(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return mState.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(mState); }
  const T& value() const& { return std::get<0>(mState); }
  T&& value() && { return std::get<0>(std::move(mState)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const Error& error() const { return std::get<1>(mState); }

 private:
  std::variant<T, Error> mState;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : mError(std::move(error)), mOk(false) {}

  bool ok() const { return mOk; }
  explicit operator bool() const { return mOk; }
  const Error& error() const { return mError; }

 private:
  Error mError;
  bool mOk = true;
};

}  // namespace meshrt

// Propagates a failed Result<void>/Result<T> from the enclosing function.
#define MESHRT_TRY(expr)                                   \
  do {                                                     \
    auto&& meshrtTryResult_ = (expr);                      \
    if (!meshrtTryResult_.ok()) return meshrtTryResult_.error(); \
  } while (0)
