#include "framework/data/image_set.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <oneapi/tbb/parallel_for.h>

#include <atomic>
#include <mutex>

#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/data/image.h"

namespace adaptlab {

DecodedImages decode_images(const std::vector<ImageEntry>& entries, const ImageOptions& o) {
  const int64_t n = static_cast<int64_t>(entries.size()), S = o.img_size;
  auto images = at::empty({n, 3, S, S}, at::kByte);
  std::vector<char> ok(static_cast<size_t>(n), 0);
  std::mutex m;
  std::string first_error;
  tbb::parallel_for(int64_t{0}, n, [&](int64_t i) {
    const auto& e = entries[static_cast<size_t>(i)];
    try {
      images[i].copy_(resize_square(decode_image(e.path), S));
      ok[static_cast<size_t>(i)] = 1;
    } catch (const std::exception& ex) {
      std::lock_guard<std::mutex> g(m);
      if (first_error.empty()) first_error = fmt::format("{} (listed at {})", ex.what(), e.origin);
    }
  });
  DecodedImages d;
  std::vector<int64_t> keep, labels;
  for (int64_t i = 0; i < n; ++i)
    if (ok[static_cast<size_t>(i)]) {
      keep.push_back(i);
      labels.push_back(entries[static_cast<size_t>(i)].label);
    }
  d.skipped = n - static_cast<int64_t>(keep.size());
  if (d.skipped > 0) {
    AL_CHECK(o.skip_bad_images, "{}", first_error);
    log::warn("{} image(s) could not be read and were skipped (skip_bad_images); the first: {}", d.skipped, first_error);
  }
  d.images = d.skipped > 0 ? images.index_select(0, at::tensor(keep, at::kLong)) : images;
  d.labels = at::tensor(labels, at::kLong);
  return d;
}

at::Tensor ImageDataset::to_inputs(const at::Tensor& stored) const {
  return stored.scalar_type() == at::kByte ? normalise_images(stored, o_.mean, o_.std) : stored;
}

std::pair<std::vector<size_t>, std::vector<size_t>> seeded_split(size_t total, size_t n, int seed) {
  AL_CHECK(n < total, "a validation slice of {} leaves nothing of {} examples to train on", n, total);
  at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(seed));
  const auto perm = at::randperm(static_cast<int64_t>(total), gen, at::kLong);
  std::vector<char> held(total, 0);
  for (size_t i = 0; i < n; ++i) held[static_cast<size_t>(perm[static_cast<int64_t>(i)].item<int64_t>())] = 1;
  std::vector<size_t> a, b;
  for (size_t i = 0; i < total; ++i) (held[i] ? a : b).push_back(i);
  return {a, b};
}

}  // namespace adaptlab
