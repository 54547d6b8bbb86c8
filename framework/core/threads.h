// Intra-op / inter-op thread set-up, explicit rather than library defaults.
#pragma once

namespace adaptlab {

// CPUs this process may run on (sched_getaffinity), at least 1.
int available_cpus();

// Sets LibTorch's intra-op threads to `threads` (0 = available_cpus()) and inter-op threads to 1.
// Returns the number of intra-op threads in effect.
int configure_threads(int threads);

}  // namespace adaptlab
