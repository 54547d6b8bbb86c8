#include "framework/core/log.h"

#include <atomic>
#include <cstdio>

namespace adaptlab::log {
namespace {
std::atomic<Level> g_level{Level::info};
}

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }

void write(Level l, std::string_view message) {
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error", ""};
  std::fprintf(stderr, "[adaptlab %s] %.*s\n", kNames[static_cast<int>(l)], static_cast<int>(message.size()),
               message.data());
}

}  // namespace adaptlab::log
