// Peak memory of a phase: on CUDA the caching allocator's peak of allocated bytes on the device
// (torch.cuda.max_memory_allocated); on CPU the process's resident-set high-water mark (VmHWM),
// reset at the start of the phase through /proc/self/clear_refs.
#pragma once
#include <c10/core/Device.h>

#include <cstdint>

namespace adaptlab {

class PeakMemory {
 public:
  // Starts a phase: resets the peak.
  explicit PeakMemory(c10::Device device);
  // The peak so far in bytes.
  int64_t peak_bytes() const;
  // Whether the peak could be reset at the start (CPU: clear_refs writable); when not, the peak is the
  // process's since it began.
  bool was_reset() const { return reset_; }

 private:
  c10::Device device_;
  bool reset_ = false;
};

// The process's current resident set (VmRSS) and high-water mark (VmHWM) in bytes.
int64_t resident_bytes();
int64_t resident_peak_bytes();

}  // namespace adaptlab
