#include <fmt/format.h>

#include <filesystem>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/registry/registries.h"
#include "framework/sched/plan.h"
#include "framework/store/schema.h"
#include "framework/store/store.h"

namespace adaptlab::cli {

int cmd_migrate(const MigrateArgs& a) {
  AL_CHECK(std::filesystem::exists(a.db), "{}: no such results database", a.db);
  Store store(a.db);  // opening for writing migrates an older schema in one transaction
  const int rekeyed = migrate_run_ids(store, registries());  // needs the plugins of plugin runs (--plugin)
  fmt::print("{}: schema version {}, run id scheme {} ({} run ids changed)\n", a.db, kSchemaVersion, kIdScheme,
             rekeyed);
  return 0;
}

}  // namespace adaptlab::cli
