// ToMe speed on ViT-B/16 at 224 (random weights, float32, inference): images/s without merging and with
// the PYRA study's `b16-low` and `b16-high` schedules, medians of several timed runs, plus the FLOPs
// each configuration needs (multiply-adds × 2, from the token counts). Compare with
// tools/bench/tome_reference.py (the same algorithm in Python on timm's model) run in the same job:
//   ninja -C build adaptlab_bench_tome && bash tools/bench/tome_speed.sh
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "framework/config/node.h"
#include "framework/core/threads.h"
#include "framework/model/method.h"
#include "backbones/vit/vit.h"
#include "framework/registry/registries.h"
#include "methods/tome/schedule.h"

using namespace adaptlab;

namespace {

// Multiply-adds × 2 per image: patch embedding, then per block qkv, q·kᵀ, attn·v and proj on the tokens
// entering it, and the MLP on the tokens left after its merge.
double gflops(const std::vector<int64_t>& before, const std::vector<int64_t>& after, int64_t c) {
  double f = 196.0 * (3 * 16 * 16) * c;
  for (size_t i = 0; i < before.size(); ++i) {
    const double n = static_cast<double>(before[i]), m = static_cast<double>(after[i]);
    f += n * c * 3 * c + 2 * n * n * c + n * c * c + 2 * m * c * 4 * c;
  }
  return 2 * f / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const int batch = argc > 1 ? std::atoi(argv[1]) : 8;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
  configure_threads(threads);
  at::NoGradGuard g;
  const auto images = at::randn({batch, 3, 224, 224});
  for (const std::string sched : {"none", "b16-low", "b16-high"}) {
    at::manual_seed(0);
    ViTOptions o;
    o.preset = "vit_base_patch16_224";
    auto b = make_vit(resolve_vit_preset(o), 100);
    std::vector<int64_t> r(12, 0);
    if (sched != "none") {
      auto m = registries().methods.create("tome", cfg::parse_string("r: " + sched + "\n", "bench"));
      m->attach(*b);
      r = tome::named_schedule(sched);
    }
    b->eval();
    const auto after = tome::token_counts(197, 1, r);
    std::vector<int64_t> before = {197};
    before.insert(before.end(), after.begin(), after.end() - 1);
    for (int w = 0; w < 2; ++w) b->forward(images);
    std::vector<double> ips;
    for (int i = 0; i < reps; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      b->forward(images);
      ips.push_back(batch / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ips.begin(), ips.end());
    fmt::print("adaptlab {:9s} tokens at the head {:3d}  {:6.2f} GFLOPs/img  median {:7.2f} img/s (min {:.2f}, max {:.2f})\n",
               sched, after.back(), gflops(before, after, 768), ips[ips.size() / 2], ips.front(), ips.back());
  }
  return 0;
}
