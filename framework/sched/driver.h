// Runs a sweep's runs one after another in this process and records them in the store.
// (The multi-slot, child-process scheduler replaces this loop; the store calls stay the same.)
#pragma once
#include <functional>
#include <string>

namespace adaptlab {

class Store;
struct Sweep;

struct DriverOptions {
  std::string device = "auto";  // see execute_run
  bool retry_failed = false;    // re-run runs whose status is failed
};

struct DriverReport {
  int done = 0, skipped = 0, failed = 0;
};

DriverReport run_sweep(const Sweep& sweep, Store& store, const DriverOptions& options);

}  // namespace adaptlab
