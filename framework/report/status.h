// `adaptlab status`: a study's runs and, while a sweep runs, its driver and the running runs'
// progress, read from the database (read-only: the writer is never blocked).
#pragma once
#include <string>

namespace adaptlab {

class Store;

// How long a driver may be silent before status calls it gone (it beats every 2 s).
inline constexpr double kDriverSilentS = 30.0;

std::string status_report(Store& store, const std::string& study);

}  // namespace adaptlab
