#include <fmt/format.h>

#include <filesystem>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/store/schema.h"
#include "framework/store/store.h"

namespace adaptlab::cli {

int cmd_migrate(const MigrateArgs& a) {
  AL_CHECK(std::filesystem::exists(a.db), "{}: no such results database", a.db);
  Store store(a.db);  // opening for writing migrates an older schema in one transaction
  fmt::print("{}: schema version {}\n", a.db, kSchemaVersion);
  return 0;
}

}  // namespace adaptlab::cli
