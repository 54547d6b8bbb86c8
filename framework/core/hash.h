// Stable content hashes (xxHash XXH3-128) used for run ids.
#pragma once
#include <string>
#include <string_view>

namespace adaptlab {

// 32 lowercase hex characters of XXH3-128 over the bytes of `data`.
std::string hash_hex128(std::string_view data);

}  // namespace adaptlab
