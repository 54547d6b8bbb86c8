// Errors carry context (file, line, key, expected vs got) as one readable message.
#pragma once
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>
#include <string>

namespace adaptlab {

// Every user-facing failure is an Error; its what() is the full message shown to the user.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace adaptlab

// AL_CHECK(cond, "format {}", args...): throws adaptlab::Error with the message when cond is false.
#define AL_CHECK(cond, ...)                 \
  do {                                      \
    if (!(cond)) ::adaptlab::fail(__VA_ARGS__); \
  } while (0)
