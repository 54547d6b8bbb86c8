#include "framework/measure/memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "framework/core/error.h"
#ifdef ADAPTLAB_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace adaptlab {
namespace {

int64_t status_kb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size()));  // "VmHWM:   123456 kB"
  fail("/proc/self/status has no {} line", field);
}

}  // namespace

int64_t resident_bytes() { return status_kb("VmRSS") * 1024; }
int64_t resident_peak_bytes() { return status_kb("VmHWM") * 1024; }

PeakMemory::PeakMemory(c10::Device device) : device_(device) {
  if (device.is_cuda()) {
#ifdef ADAPTLAB_CUDA
    c10::cuda::CUDACachingAllocator::resetPeakStats(device.index() < 0 ? 0 : device.index());
    reset_ = true;
#else
    fail("peak memory on {}: this build has no CUDA", device.str());
#endif
    return;
  }
  // "5" resets the peak resident set size to the current one (Linux >= 4.0, proc(5)).
  const int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    reset_ = ::write(fd, "5", 1) == 1;
    ::close(fd);
  }
}

int64_t PeakMemory::peak_bytes() const {
  if (device_.is_cuda()) {
#ifdef ADAPTLAB_CUDA
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device_.index() < 0 ? 0 : device_.index());
    return stats.allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)].peak;
#endif
  }
  return resident_peak_bytes();
}

}  // namespace adaptlab
