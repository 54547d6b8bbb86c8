// Intra-op / inter-op thread set-up, explicit rather than library defaults.
#pragma once

namespace adaptlab {

// CPUs this process may run on (sched_getaffinity), at least 1.
int available_cpus();

// Keeps large freed buffers in the process (glibc malloc: mmap threshold and trim threshold at 1 GiB)
// instead of returning them to the OS and faulting them back in on the next forward pass: measured on
// ViT-B/16 (batch 8, 2 threads) +7 % images/s, with 10 % of the time spent in page faults before.
// Leaves glibc alone when MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ are set in the environment.
void configure_allocator();

// Sets LibTorch's intra-op threads to `threads` (0 = available_cpus()) and inter-op threads to 1.
// Returns the number of intra-op threads in effect.
int configure_threads(int threads);

}  // namespace adaptlab
