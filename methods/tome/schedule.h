// How many tokens ToMe removes in each block: a constant, an explicit list, or a named schedule.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "framework/config/node.h"

namespace adaptlab::tome {

// Named schedules of the PYRA study (THU-MIG/PYRA, per backbone and budget):
//   b16-low  = [16 × 11, 10]                 b16-high = [40, 34, 30, 24, 18, 14, 10, 8, 4, 4, 3, 3]
//   l16-low  = [8 × 23, 6]                   l16-high = [20, 19, 18, 17, 15, 13, 13, 12, 10, 9, 8, 6, 6,
//                                                        4, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1]
const std::vector<std::string>& schedule_names();
std::vector<int64_t> named_schedule(const std::string& name);

// `r`: an integer (every block), a list (one per block, exactly `depth` entries) or a schedule name.
// Errors name the file, line and what was expected.
std::vector<int64_t> parse_r(const cfg::Node& r, int depth);

// Tokens after each block when `r[i]` are removed in block i from `tokens` tokens of which the first
// `protected_prefix` never merge. Throws when a block asks for more than half of its mergeable tokens.
std::vector<int64_t> token_counts(int64_t tokens, int64_t protected_prefix, const std::vector<int64_t>& r);

}  // namespace adaptlab::tome
