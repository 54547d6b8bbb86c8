#include "framework/core/threads.h"

#include <ATen/Parallel.h>
#include <sched.h>

#include <thread>

namespace adaptlab {

int available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? static_cast<int>(hc) : 1;
}

int configure_threads(int threads) {
  const int n = threads > 0 ? threads : available_cpus();
  static bool interop_set = false;
  if (!interop_set) {
    // Inter-op parallelism can only be set once, before any inter-op work; runs use intra-op only.
    at::set_num_interop_threads(1);
    interop_set = true;
  }
  at::set_num_threads(n);
  return at::get_num_threads();
}

}  // namespace adaptlab
