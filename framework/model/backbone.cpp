#include "framework/model/backbone.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "framework/core/error.h"

namespace adaptlab {

bool target_matches(const std::string& point, const std::string& target) {
  if (point == target) return true;
  return point.size() > target.size() && point.compare(point.size() - target.size(), target.size(), target) == 0 &&
         point[point.size() - target.size() - 1] == '.';
}

TransformerBlock& Backbone::block(int i) {
  AL_CHECK(i >= 0 && i < num_blocks(), "block {} does not exist; the backbone has {} blocks", i, num_blocks());
  return *blocks_[static_cast<size_t>(i)];
}

void Backbone::add_prompt_tokens(int64_t n) {
  AL_CHECK(n >= 0, "prompt tokens: {} is negative", n);
  prompt_tokens_ += n;
}

void Backbone::set_blocks(std::vector<std::shared_ptr<TransformerBlock>> blocks, std::string prefix) {
  blocks_ = std::move(blocks);
  block_prefix_ = std::move(prefix);
}

void Backbone::run_blocks(TokenState& s) {
  for (size_t i = 0; i < blocks_.size(); ++i) {
    s.block = static_cast<int>(i);
    blocks_[i]->forward(s);
  }
}

std::vector<std::pair<std::string, std::shared_ptr<AttachableLinear>>> Backbone::linear_layers() {
  std::vector<std::pair<std::string, std::shared_ptr<AttachableLinear>>> out;
  for (const auto& item : named_modules("", /*include_self=*/false)) {
    if (auto lin = std::dynamic_pointer_cast<AttachableLinear>(item.value())) out.emplace_back(item.key(), lin);
  }
  return out;
}

std::vector<NamedLinearPoint> Backbone::linear_points(const std::string& target, const std::string& who) {
  const auto& canon = TransformerBlock::canonical_points();
  std::vector<NamedLinearPoint> out;
  // Canonical: "attn.q" (every block) or "blocks.<i>.attn.q" (one block).
  std::string role = target;
  int only = -1;
  if (target.rfind("blocks.", 0) == 0) {
    const auto dot = target.find('.', 7);
    const std::string idx = target.substr(7, dot == std::string::npos ? std::string::npos : dot - 7);
    if (dot != std::string::npos && !idx.empty() && std::all_of(idx.begin(), idx.end(), ::isdigit)) {
      only = std::stoi(idx);
      role = target.substr(dot + 1);
      AL_CHECK(only < num_blocks(), "target '{}': the backbone has {} blocks", target, num_blocks());
    }
  }
  if (std::find(canon.begin(), canon.end(), role) != canon.end()) {
    for (int i = 0; i < num_blocks(); ++i) {
      if (only >= 0 && i != only) continue;
      for (auto& p : block(i).linear(role)) {
        const std::string name = "blocks." + std::to_string(i) + "." + role +
                                 (p.role == role.substr(role.find('.') + 1) ? "" : "." + p.role);
        out.push_back({name, block_prefix(i) + p.layer_name, std::move(p)});
      }
    }
    return out;
  }
  // A checkpoint layer name (suffix match): the whole layer.
  const auto layers = linear_layers();
  for (const auto& [name, lin] : layers)
    if (target_matches(name, target)) out.push_back({name, name, LinearPoint{"", name, lin, OutputRange{}}});
  if (out.empty()) {
    std::vector<std::string> names;
    for (const auto& p : layers) names.push_back(p.first);
    fail("{}target '{}' matches no Linear point; canonical points: {} (or blocks.<i>.<point>); this backbone's "
         "layers: {}",
         who.empty() ? "" : who + " ", target, fmt::join(canon, ", "), fmt::join(names, ", "));
  }
  return out;
}

int Backbone::merge_linear_extensions() {
  int merged = 0;
  for (auto& [name, lin] : linear_layers()) merged += lin->merge_deltas();
  for (auto& [name, lin] : linear_layers()) merged += lin->merge_output_ops();
  return merged;
}

std::vector<std::string> Backbone::parameters_named(const std::string& infix, bool with_head) {
  std::vector<std::string> out;
  const std::string head = head_prefix();
  for (const auto& p : named_parameters()) {
    const std::string& n = p.key();
    if ((!infix.empty() && n.find(infix) != std::string::npos) || (with_head && n.starts_with(head))) out.push_back(n);
  }
  return out;
}

}  // namespace adaptlab
