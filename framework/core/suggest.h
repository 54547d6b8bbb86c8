// "Did you mean": the known name nearest to a mistyped one, for error messages.
#pragma once
#include <string>
#include <vector>

namespace adaptlab {

// Levenshtein distance (insertions, deletions, substitutions; a swap of neighbours counts 1).
int edit_distance(const std::string& a, const std::string& b);

// The known names nearest to `name` that are close enough to be a typo of it (distance at most
// max(1, length / 3), or `name` a case-insensitive match / prefix of one), nearest first; at most 3.
// Names shorter than 3 characters get none.
std::vector<std::string> nearest_names(const std::string& name, const std::vector<std::string>& known);

// " (did you mean 'lora'?)", " (did you mean 'a' or 'b'?)", or "" when nothing is close.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& known);

// The message for an unknown registry name: "unknown method 'lorra' (did you mean 'lora'?); known methods: a,
// b, c; components of a plugin need --plugin FILE.so". `kind`: backbone | method | dataset.
std::string unknown_component_message(const std::string& kind, const std::string& name,
                                      const std::vector<std::string>& known);

}  // namespace adaptlab
