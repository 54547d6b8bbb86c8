#include "framework/core/hash.h"

#include <fmt/format.h>
#include <xxhash.h>

namespace adaptlab {

std::string hash_hex128(std::string_view data) {
  const XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

}  // namespace adaptlab
