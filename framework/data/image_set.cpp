#include "framework/data/image_set.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <oneapi/tbb/parallel_for.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/data/image.h"

namespace adaptlab {

namespace {

// `work(entry, k)` for k in [0, n) in parallel (oneTBB) on entries[index(k)]: which succeeded, and the
// first failure in list order (whichever thread saw it first) as "<what> (listed at <list line>)".
struct Attempts {
  std::vector<char> ok;
  std::string first_error;
  int64_t first_k = -1;
};

template <class Index, class Work>
Attempts attempt_all(const std::vector<ImageEntry>& entries, int64_t n, Index index, Work work) {
  Attempts a{std::vector<char>(static_cast<size_t>(n), 0), {}};
  std::mutex m;
  tbb::parallel_for(int64_t{0}, n, [&](int64_t k) {
    const auto& e = entries[static_cast<size_t>(index(k))];
    try {
      work(e, k);
      a.ok[static_cast<size_t>(k)] = 1;
    } catch (const std::exception& ex) {
      std::lock_guard<std::mutex> g(m);
      if (a.first_k < 0 || k < a.first_k) {
        a.first_k = k;
        a.first_error = fmt::format("{} (listed at {})", ex.what(), e.origin);
      }
    }
  });
  return a;
}

// The entries that succeeded (their labels and the skipped count into `d`); a failure is an error unless
// skip_bad_images, then a warning.
std::vector<int64_t> keep_readable(const std::vector<ImageEntry>& entries, const Attempts& a, const ImageOptions& o,
                                   DecodedImages& d) {
  std::vector<int64_t> keep, labels;
  for (size_t i = 0; i < entries.size(); ++i)
    if (a.ok[i]) {
      keep.push_back(static_cast<int64_t>(i));
      labels.push_back(entries[i].label);
    }
  d.skipped = static_cast<int64_t>(entries.size() - keep.size());
  if (d.skipped > 0) {
    AL_CHECK(o.skip_bad_images, "{}", a.first_error);
    log::warn("{} image(s) could not be read and were skipped (skip_bad_images); the first: {}", d.skipped,
              a.first_error);
  }
  d.labels = at::tensor(labels, at::kLong);
  return keep;
}

}  // namespace

DecodedImages decode_images(const std::vector<ImageEntry>& entries, const ImageOptions& o) {
  const int64_t n = static_cast<int64_t>(entries.size()), S = o.img_size;
  auto images = at::empty({n, 3, S, S}, at::kByte);
  const Attempts a = attempt_all(entries, n, [](int64_t k) { return k; },
                                 [&](const ImageEntry& e, int64_t k) {
                                   load_image_into(e.path, S, o.max_pixels, images[k].data_ptr<uint8_t>());
                                 });
  DecodedImages d;
  const auto keep = keep_readable(entries, a, o, d);
  d.images = d.skipped > 0 ? images.index_select(0, at::tensor(keep, at::kLong)) : images;
  return d;
}

std::vector<ImageEntry> read_image_list(const std::string& list, const std::string& root, int64_t classes, int limit) {
  std::ifstream in(list);
  AL_CHECK(in.good(), "{}: cannot read the list file", list);
  std::vector<ImageEntry> out;
  std::string line;
  constexpr const char* blank = " \t\r\n\v\f";  // what str.split() splits at (ASCII)
  for (size_t n = 1; std::getline(in, line); ++n) {
    const auto b = line.find_first_not_of(blank);
    if (b == std::string::npos) continue;
    const std::string t = line.substr(b, line.find_last_not_of(blank) + 1 - b);
    const auto sp = t.find_last_of(blank);
    AL_CHECK(sp != std::string::npos, "{}:{}: expected 'relative/path label', got '{}'", list, n, line);
    const std::string path = t.substr(0, t.find_last_not_of(blank, sp) + 1), lab = t.substr(sp + 1);
    char* end = nullptr;
    const long long l = std::strtoll(lab.c_str(), &end, 10);
    AL_CHECK(!lab.empty() && *end == '\0' && l >= 0 && l < classes, "{}:{}: label '{}' is not a class of 0..{}", list,
             n, lab, classes - 1);
    out.push_back({(std::filesystem::path(root) / path).string(), l, fmt::format("{}:{}", list, n)});
    if (limit > 0 && static_cast<int>(out.size()) == limit) break;
  }
  AL_CHECK(!out.empty(), "{}: lists no images", list);
  return out;
}

DecodedImages load_images(const std::vector<ImageEntry>& entries, const ImageOptions& o) {
  if (o.cache) return decode_images(entries, o);
  const Attempts a = attempt_all(entries, static_cast<int64_t>(entries.size()), [](int64_t k) { return k; },
                                 [&](const ImageEntry& e, int64_t) { check_image_file(e.path, o.max_pixels); });
  DecodedImages d;
  for (int64_t i : keep_readable(entries, a, o, d)) d.entries.push_back(entries[static_cast<size_t>(i)]);
  return d;
}

at::Tensor decode_batch(const std::vector<ImageEntry>& entries, const at::Tensor& index, int64_t size,
                        int64_t max_pixels) {
  const auto idx = index.to(at::kLong).contiguous();
  const int64_t b = idx.numel();
  const int64_t* ip = idx.data_ptr<int64_t>();
  for (int64_t k = 0; k < b; ++k)
    AL_CHECK(ip[k] >= 0 && ip[k] < static_cast<int64_t>(entries.size()), "image index {} out of range [0, {})", ip[k],
             entries.size());
  auto images = at::empty({b, 3, size, size}, at::kByte);
  const Attempts a = attempt_all(entries, b, [ip](int64_t k) { return ip[k]; }, [&](const ImageEntry& e, int64_t k) {
    load_image_into(e.path, size, max_pixels, images[k].data_ptr<uint8_t>());
  });
  AL_CHECK(a.first_error.empty(), "{}", a.first_error);
  return images;
}

const at::Tensor& ImageDataset::inputs(Split s) const {
  const auto& d = split_[static_cast<int>(s)];
  AL_CHECK(d.images.defined(), "the {} split is decoded per batch (cache: false): it has no whole-split tensor; "
           "read it with gather()", split_name(s));
  return d.images;
}

at::Tensor ImageDataset::gather(Split s, const at::Tensor& index) const {
  const auto& d = split_[static_cast<int>(s)];
  if (d.images.defined()) return d.images.index_select(0, index);
  return decode_batch(d.entries, index, o_.img_size, o_.max_pixels);
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
