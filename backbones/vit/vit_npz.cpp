#include "backbones/vit/vit_npz.h"

#include <ATen/ATen.h>

#include <set>

#include "framework/core/error.h"
#include "framework/core/log.h"

namespace adaptlab {

std::map<std::string, at::Tensor> timm_from_google_npz(const std::map<std::string, at::Tensor>& npz, int depth,
                                                       const std::string& origin) {
  std::string prefix;
  if (npz.count("opt/target/embedding/kernel")) prefix = "opt/target/";
  AL_CHECK(npz.count(prefix + "embedding/kernel"), "{}: not a Google ViT checkpoint (no embedding/kernel)", origin);
  std::set<std::string> used;
  auto get = [&](const std::string& name) -> at::Tensor {
    const auto it = npz.find(prefix + name);
    AL_CHECK(it != npz.end(), "{}: the checkpoint has no array '{}'", origin, prefix + name);
    used.insert(prefix + name);
    return it->second.to(at::kFloat);
  };
  std::map<std::string, at::Tensor> out;
  out["patch_embed.proj.weight"] = get("embedding/kernel").permute({3, 2, 0, 1}).contiguous();
  out["patch_embed.proj.bias"] = get("embedding/bias");
  out["cls_token"] = get("cls");
  out["pos_embed"] = get("Transformer/posembed_input/pos_embedding");
  out["norm.weight"] = get("Transformer/encoder_norm/scale");
  out["norm.bias"] = get("Transformer/encoder_norm/bias");
  if (npz.count(prefix + "head/kernel")) {
    out["head.weight"] = get("head/kernel").t().contiguous();
    out["head.bias"] = get("head/bias");
  }
  for (int i = 0; i < depth; ++i) {
    const std::string b = "Transformer/encoderblock_" + std::to_string(i) + "/";
    const std::string t = "blocks." + std::to_string(i) + ".";
    const std::string att = b + "MultiHeadDotProductAttention_1/";
    out[t + "norm1.weight"] = get(b + "LayerNorm_0/scale");
    out[t + "norm1.bias"] = get(b + "LayerNorm_0/bias");
    std::vector<at::Tensor> w, bias;
    for (const char* p : {"query", "key", "value"}) {
      const auto k = get(att + p + "/kernel");  // [C, H, D]
      w.push_back(k.reshape({k.size(0), -1}).t());
      bias.push_back(get(att + p + "/bias").reshape({-1}));
    }
    out[t + "attn.qkv.weight"] = at::cat(w, 0).contiguous();
    out[t + "attn.qkv.bias"] = at::cat(bias, 0);
    const auto o = get(att + "out/kernel");  // [H, D, C]
    out[t + "attn.proj.weight"] = o.reshape({-1, o.size(-1)}).t().contiguous();
    out[t + "attn.proj.bias"] = get(att + "out/bias");
    out[t + "norm2.weight"] = get(b + "LayerNorm_2/scale");
    out[t + "norm2.bias"] = get(b + "LayerNorm_2/bias");
    out[t + "mlp.fc1.weight"] = get(b + "MlpBlock_3/Dense_0/kernel").t().contiguous();
    out[t + "mlp.fc1.bias"] = get(b + "MlpBlock_3/Dense_0/bias");
    out[t + "mlp.fc2.weight"] = get(b + "MlpBlock_3/Dense_1/kernel").t().contiguous();
    out[t + "mlp.fc2.bias"] = get(b + "MlpBlock_3/Dense_1/bias");
  }
  std::vector<std::string> left, rep;
  for (const auto& [k, v] : npz) {
    if (used.count(k)) continue;
    (k.find("pre_logits/") != std::string::npos ? rep : left).push_back(k);
  }
  if (!rep.empty()) log::info("{}: the representation layer (pre_logits) is not part of this model; left out", origin);
  AL_CHECK(left.empty(), "{}: {} array(s) of the checkpoint have no place in a ViT of depth {}: {}", origin, left.size(),
           depth, fmt::join(left, ", "));
  return out;
}

}  // namespace adaptlab
