#include <fmt/format.h>

#include <memory>

#include "framework/cli/commands.h"
#include "framework/report/status.h"
#include "framework/store/store.h"

namespace adaptlab::cli {
namespace {

struct StatusArgs {
  std::string db, study;
};

int cmd_status(const StatusArgs& a) {
  Store store(db_path_of(a.db, a.study), /*read_only=*/true);
  fmt::print("{}", status_report(store, study_of(store, a.study)));
  return 0;
}

}  // namespace

void add_status(Command& root, const GlobalArgs&) {
  auto a = std::make_shared<StatusArgs>();
  Command& c = root.sub("status",
                        "show a study's runs and, while a sweep runs (from another terminal, or another machine "
                        "sharing the folder), its driver, counts, ETA and each running run's epoch, step rate, loss "
                        "and last validation metric; reads the database only (never blocks the sweep)");
  c.option("--db", a->db, "results database (default: results/<study>.sqlite)");
  c.option("--study", a->study, "study name (default: the only study in the database)");
  c.on_run([a] { return cmd_status(*a); });
}

}  // namespace adaptlab::cli
