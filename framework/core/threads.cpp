#include "framework/core/threads.h"

#include <ATen/Parallel.h>
#include <malloc.h>
#include <sched.h>

#include <cstdlib>

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

void configure_allocator() {
  const int limit = 1 << 30;
  if (!std::getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, limit);
  if (!std::getenv("MALLOC_TRIM_THRESHOLD_")) mallopt(M_TRIM_THRESHOLD, limit);
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
