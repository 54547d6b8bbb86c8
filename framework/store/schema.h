// The results database schema as its history: version 1, then one migration per version. A new
// database runs them all; an older one runs the ones it lacks (in one transaction).
#pragma once
#include <string>

namespace adaptlab {

inline constexpr int kSchemaVersion = 8;
// Run id scheme (table meta, key id_scheme): 1 = hash of the full resolved config (adaptlab 0.1), 2 =
// stable ids, the hash without default-valued options (framework/run/resolve.h). A database at an
// older scheme is re-keyed once by the sweep driver or `adaptlab results migrate`.
inline constexpr int kIdScheme = 2;
inline constexpr int kApplicationId = 0x41444C42;  // "ADLB"

// CREATE statements of schema version 1.
const char* schema_v1();
// SQL taking version `from` to `from + 1`.
const char* schema_migration(int from);

}  // namespace adaptlab
