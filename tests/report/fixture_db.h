// A fixed small results database for report tests: 3 methods × 3 datasets × 3 seeds, one seed
// missing (failed), with test.acc, params.trainable and throughput.eval summaries and a training
// curve per run.
#pragma once
#include <string>

namespace adaptlab::test {

// Creates the database at `path` (study "mini") and returns the path.
std::string make_report_db(const std::string& path);

}  // namespace adaptlab::test
