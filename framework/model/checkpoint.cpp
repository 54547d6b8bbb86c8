#include "framework/model/checkpoint.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "framework/core/error.h"
#include "framework/model/backbone.h"

namespace adaptlab {
namespace {

std::string shape(const at::Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes(), ", ")); }

// Checkpoint name -> our name ("" = drop silently: buffers that are not parameters).
std::string map_name(const std::string& name) {
  if (name.ends_with("position_ids")) return "";
  for (const char* prefix : {"bert.", "roberta.", "model.", "0.auto_model."})
    if (name.rfind(prefix, 0) == 0) return name.substr(std::string(prefix).size());
  if (name.rfind("classifier.", 0) == 0) return "head." + name.substr(11);
  return name;
}

}  // namespace

std::string CheckpointReport::summary() const {
  std::string s = fmt::format("{} tensors loaded", loaded.size());
  if (!resized.empty()) s += fmt::format("; resized: {}", fmt::join(resized, ", "));
  if (!skipped.empty()) s += fmt::format("; not loaded (new task): {}", fmt::join(skipped, ", "));
  return s;
}

at::Tensor resample_pos_embed(const at::Tensor& pos, int64_t new_grid, int64_t prefix) {
  const int64_t n = pos.size(1) - prefix, c = pos.size(2);
  AL_CHECK(n >= 1, "pos_embed: the checkpoint's pos_embed {} has no patch positions (only {} prefix tokens)", shape(pos),
           prefix);
  const auto old_grid = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
  AL_CHECK(old_grid * old_grid == n, "pos_embed: {} patch positions are not a square grid", n);
  if (old_grid == new_grid) return pos;
  const auto head = pos.narrow(1, 0, prefix);
  auto grid = pos.narrow(1, prefix, n).reshape({1, old_grid, old_grid, c}).permute({0, 3, 1, 2});
  // As timm: interpolate in float32, bicubic, antialiased, align_corners false; back to the dtype.
  const auto dtype = grid.scalar_type();
  grid = at::_upsample_bicubic2d_aa(grid.to(at::kFloat), {new_grid, new_grid}, /*align_corners=*/false,
                                    std::nullopt, std::nullopt);
  grid = grid.permute({0, 2, 3, 1}).reshape({1, new_grid * new_grid, c}).to(dtype);
  return at::cat({head, grid}, 1);
}

CheckpointReport load_checkpoint(Backbone& b, std::map<std::string, at::Tensor> tensors, const std::string& origin) {
  CheckpointReport rep;
  auto params = b.named_parameters(/*recurse=*/true);
  std::map<std::string, at::Tensor> mapped;
  for (auto& [name, t] : tensors) {
    const std::string ours = map_name(name);
    if (!ours.empty()) mapped[ours] = t;
  }
  std::vector<std::string> problems;
  at::NoGradGuard g;
  for (auto& p : params) {
    const std::string& n = p.key();
    auto it = mapped.find(n);
    const bool is_head = n.rfind(b.head_prefix(), 0) == 0;
    if (it == mapped.end()) {
      // Method tensors (LoRA, adapters, ...) are not in a pretrained checkpoint; heads may be absent.
      if (is_head) rep.skipped.push_back(n);
      else rep.missing.push_back(n);
      continue;
    }
    at::Tensor src = it->second;
    mapped.erase(it);
    // An integer or bool tensor where the model holds floats is a wrong file or a wrong name mapping,
    // never something to cast.
    if (p.value().is_floating_point() && !src.is_floating_point()) {
      rep.mismatched.push_back(fmt::format("{} (checkpoint dtype {}, model {})", n, c10::toString(src.scalar_type()),
                                           c10::toString(p.value().scalar_type())));
      continue;
    }
    if (src.sizes() != p.value().sizes()) {
      if (n == "pos_embed" && src.dim() == 3 && p.value().dim() == 3 && src.size(2) == p.value().size(2)) {
        const auto grid = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(p.value().size(1) - 1))));
        const std::string from = shape(src);
        try {
          src = resample_pos_embed(src.to(p.value().scalar_type()), grid);
        } catch (const Error& e) {
          fail("{}: {}", origin, e.what());
        }
        rep.resized.push_back(fmt::format("pos_embed {} -> {}", from, shape(src)));
      } else if (is_head) {
        rep.skipped.push_back(fmt::format("{} (checkpoint {}, model {})", n, shape(src), shape(p.value())));
        continue;
      } else {
        rep.mismatched.push_back(fmt::format("{} (checkpoint {}, model {})", n, shape(src), shape(p.value())));
        continue;
      }
    }
    p.value().copy_(src.to(p.value().scalar_type()));
    rep.loaded.push_back(n);
  }
  for (auto& [n, t] : mapped) rep.unexpected.push_back(fmt::format("{} {}", n, shape(t)));
  // Checkpoints load before methods attach, so every backbone parameter but the head must be there.
  if (!rep.missing.empty())
    problems.push_back(fmt::format("{} missing: {}", rep.missing.size(), fmt::join(rep.missing, ", ")));
  if (!rep.unexpected.empty())
    problems.push_back(fmt::format("{} unexpected: {}", rep.unexpected.size(), fmt::join(rep.unexpected, ", ")));
  if (!rep.mismatched.empty())
    problems.push_back(fmt::format("{} with a different shape or dtype: {}", rep.mismatched.size(), fmt::join(rep.mismatched, ", ")));
  AL_CHECK(problems.empty(), "{}: checkpoint does not fit the model: {}", origin, fmt::join(problems, "; "));
  return rep;
}

}  // namespace adaptlab
