#include <fmt/format.h>
#include <fmt/ranges.h>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/report/table.h"
#include "framework/store/store.h"

namespace adaptlab::cli {

int cmd_table(const TableArgs& a) {
  AL_CHECK(!a.db.empty() || !a.study.empty(), "table: give --db or --study");
  Store store(a.db.empty() ? default_db_path(a.study) : a.db, /*read_only=*/true);
  TableSpec spec;
  spec.study = a.study;
  if (spec.study.empty()) {
    const auto studies = store.studies();
    AL_CHECK(studies.size() == 1, "{}: holds {} studies ({}); choose one with --study", store.path(), studies.size(),
             fmt::join(studies, ", "));
    spec.study = studies.front();
  }
  spec.metric = a.metric;
  spec.scale = a.scale;
  spec.precision = a.precision;
  fmt::print("{}", markdown_table(store, spec));
  return 0;
}

}  // namespace adaptlab::cli
