// The image input pipeline against the model it feeds (issue 13), on the CPUs of this machine:
//   adaptlab_bench_pipeline DIR CACHE(0|1) [BATCH [REPS [EPOCH_IMAGES]]]   → one JSON line
// DIR is an image_folder (tools/bench/pipeline.sh writes one of photo-sized JPEGs). Reports: the time to
// load the data set (cache 1: every image decoded and resized to 224; cache 0: every file checked), the
// bytes the split keeps, decode + resize + normalise images/s for a batch (median of REPS), ViT-B/16
// forward images/s on batches of the same size, one pass over EPOCH_IMAGES training images feeding the
// forward with prefetch 0 and 2, and the process's peak resident memory (VmHWM).
#include <ATen/ATen.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

#include "framework/config/node.h"
#include "framework/core/threads.h"
#include "framework/data/batch_stream.h"
#include "framework/measure/timing.h"
#include "framework/model/backbone.h"
#include "framework/registry/registries.h"

using namespace adaptlab;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int64_t peak_rss_bytes() {  // VmHWM from /proc/self/status
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  return -1;
}

}  // namespace

int main(int argc, char** argv) try {
  AL_CHECK(argc >= 3, "usage: adaptlab_bench_pipeline DIR CACHE(0|1) [BATCH [REPS [EPOCH_IMAGES]]]");
  const std::string dir = argv[1];
  const bool cache = std::string(argv[2]) == "1";
  const int batch = argc > 3 ? std::stoi(argv[3]) : 16;
  const int reps = argc > 4 ? std::stoi(argv[4]) : 5;
  const int64_t epoch_images = argc > 5 ? std::stoll(argv[5]) : 64;
  configure_allocator();
  const int threads = configure_threads(0);
  auto t0 = std::chrono::steady_clock::now();
  auto data = registries().datasets.create(
      "image_folder", cfg::parse_string(fmt::format("{{dir: '{}', img_size: 224, cache: {}}}", dir, cache), "bench"));
  const double load_s = seconds_since(t0);
  const int64_t n = data->size(Split::train);
  const int64_t kept = cache ? data->inputs(Split::train).nbytes() : 0;
  at::manual_seed(0);
  const auto idx = at::randperm(n, at::kLong).narrow(0, 0, std::min<int64_t>(batch, n));
  const auto decode = time_stats(time_calls([&] { data->to_inputs(data->gather(Split::train, idx)); }, 1, reps, at::kCPU, "decode"));
  auto b = registries().backbones.create("vit", cfg::parse_string("{preset: vit_base_patch16_224}", "bench"),
                                         data->info());
  b->eval();
  at::NoGradGuard g;
  const auto x = data->to_inputs(data->gather(Split::train, idx));
  const auto fwd = time_stats(time_calls([&] { b->forward(x); }, 1, reps, at::kCPU, "forward"));
  nlohmann::json j = {{"cache", cache},
                      {"threads", threads},
                      {"images", n},
                      {"batch", idx.size(0)},
                      {"load_s", load_s},
                      {"kept_bytes", kept},
                      {"decode_img_per_s", static_cast<double>(idx.size(0)) / decode.median},
                      {"forward_img_per_s", static_cast<double>(idx.size(0)) / fwd.median}};
  const auto order = at::randperm(n, at::kLong).narrow(0, 0, std::min(epoch_images, n));
  for (int depth : {0, 2}) {
    const auto t = std::chrono::steady_clock::now();
    BatchStream s(*data, Split::train, order, batch, at::kCPU, depth);
    for (Batch bt; s.next(bt);) b->forward(bt.x);
    j[fmt::format("epoch_img_per_s_prefetch{}", depth)] = static_cast<double>(order.size(0)) / seconds_since(t);
  }
  j["peak_rss_bytes"] = peak_rss_bytes();
  std::cout << j.dump() << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "adaptlab_bench_pipeline: " << e.what() << "\n";
  return 1;
}
