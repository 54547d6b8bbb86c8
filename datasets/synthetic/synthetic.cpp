#include "datasets/synthetic/synthetic.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

class Synthetic : public Dataset {
 public:
  explicit Synthetic(const SyntheticOptions& o) : o_(o) {
    at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(o.seed));
    const int64_t K = o.num_classes, C = o.channels, S = o.img_size;
    auto low = at::randn({K, C, o.pattern_res, o.pattern_res}, gen);
    auto patterns = at::upsample_bilinear2d(low, {S, S}, /*align_corners=*/false);
    // Unit std per pattern so `noise` means the same thing at every resolution.
    patterns = (patterns - patterns.mean({1, 2, 3}, true)) / patterns.std({1, 2, 3}, /*unbiased=*/true, /*keepdim=*/true).clamp_min(1e-6);
    make_split(Split::train, o.train_size, patterns, gen);
    make_split(Split::val, o.val_size, patterns, gen);
    make_split(Split::test, o.test_size, patterns, gen);
  }

  DataInfo info() const override { return DataInfo{o_.num_classes, {o_.channels, o_.img_size, o_.img_size}}; }
  const at::Tensor& inputs(Split s) const override { return x_[static_cast<int>(s)]; }
  const at::Tensor& labels(Split s) const override { return y_[static_cast<int>(s)]; }

 private:
  void make_split(Split s, int64_t n, const at::Tensor& patterns, at::Generator& gen) {
    const int64_t K = o_.num_classes;
    auto y = at::arange(n, at::kLong).remainder(K);
    y = y.index_select(0, at::randperm(n, gen, at::kLong));
    auto x = patterns.index_select(0, y);
    auto contrast = at::rand({n, 1, 1, 1}, gen) + 0.5;                  // [0.5, 1.5)
    auto offset = (at::rand({n, 1, 1, 1}, gen) - 0.5) * 0.5;            // [-0.25, 0.25)
    x = x * contrast + offset + at::randn(x.sizes(), gen) * o_.noise;
    x_[static_cast<int>(s)] = x.contiguous();
    y_[static_cast<int>(s)] = y.contiguous();
  }

  SyntheticOptions o_;
  at::Tensor x_[3], y_[3];
};

}  // namespace

std::unique_ptr<Dataset> make_synthetic(const SyntheticOptions& options) { return std::make_unique<Synthetic>(options); }

void register_synthetic(Registries& r) {
  add_entry<SyntheticOptions>(r.datasets, "synthetic", "deterministic synthetic image classification (class patterns + noise)",
                              [](const SyntheticOptions& o) { return make_synthetic(o); });
}

}  // namespace adaptlab
