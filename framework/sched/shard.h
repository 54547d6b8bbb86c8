// Sharding a sweep's run list: shard i of K keeps the runs whose index modulo K is i, so every shard
// (e.g. Slurm array task) computes the same expanded list and takes its own part.
#pragma once
#include <string>
#include <utility>

namespace adaptlab {

struct Sweep;

// "i/K" → (i, K); an error unless 0 <= i < K.
std::pair<int, int> parse_shard(const std::string& spec);
// Keeps shard i of K of sweep.runs.
void keep_shard(Sweep& sweep, int i, int k);

}  // namespace adaptlab
