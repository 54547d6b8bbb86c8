// Folding shard databases (one per Slurm array task) into a study database. Idempotent: a run is
// copied only when the target lacks it, or has it unfinished while the shard has it done or more
// recently finished; merging the same shard twice changes nothing.
#pragma once
#include <string>

namespace adaptlab {

class Store;

struct MergeReport {
  int runs_copied = 0;
  int runs_kept = 0;  // already in the target, same or better
};

MergeReport merge_shard(Store& target, const std::string& shard_path);

}  // namespace adaptlab
