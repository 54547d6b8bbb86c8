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
  // `rank`: the dimensions the release's array has there (checked before the re-layout, so a broken
  // array is named instead of failing inside LibTorch's permute or reshape).
  auto get = [&](const std::string& name, int64_t rank) -> at::Tensor {
    const auto it = npz.find(prefix + name);
    AL_CHECK(it != npz.end(), "{}: the checkpoint has no array '{}'", origin, prefix + name);
    AL_CHECK(it->second.dim() == rank, "{}: member '{}.npy': shape ({}) is {}-D; a Google ViT checkpoint has a {}-D "
             "array there", origin, prefix + name, fmt::join(it->second.sizes(), ", "), it->second.dim(), rank);
    used.insert(prefix + name);
    return it->second.to(at::kFloat);
  };
  std::map<std::string, at::Tensor> out;
  out["patch_embed.proj.weight"] = get("embedding/kernel", 4).permute({3, 2, 0, 1}).contiguous();
  out["patch_embed.proj.bias"] = get("embedding/bias", 1);
  out["cls_token"] = get("cls", 3);
  out["pos_embed"] = get("Transformer/posembed_input/pos_embedding", 3);
  out["norm.weight"] = get("Transformer/encoder_norm/scale", 1);
  out["norm.bias"] = get("Transformer/encoder_norm/bias", 1);
  if (npz.count(prefix + "head/kernel")) {
    out["head.weight"] = get("head/kernel", 2).t().contiguous();
    out["head.bias"] = get("head/bias", 1);
  }
  for (int i = 0; i < depth; ++i) {
    const std::string b = "Transformer/encoderblock_" + std::to_string(i) + "/";
    const std::string t = "blocks." + std::to_string(i) + ".";
    const std::string att = b + "MultiHeadDotProductAttention_1/";
    out[t + "norm1.weight"] = get(b + "LayerNorm_0/scale", 1);
    out[t + "norm1.bias"] = get(b + "LayerNorm_0/bias", 1);
    std::vector<at::Tensor> w, bias;
    for (const char* p : {"query", "key", "value"}) {
      const auto k = get(att + p + "/kernel", 3);  // [C, H, D]
      w.push_back(k.reshape({k.size(0), -1}).t());
      bias.push_back(get(att + p + "/bias", 2).reshape({-1}));
    }
    AL_CHECK(w[0].sizes() == w[1].sizes() && w[0].sizes() == w[2].sizes(),
             "{}: {}{{query,key,value}}/kernel.npy differ in shape (as [C, H*D]: ({}), ({}), ({}))", origin, prefix + att,
             fmt::join(w[0].t().sizes(), ", "), fmt::join(w[1].t().sizes(), ", "), fmt::join(w[2].t().sizes(), ", "));
    out[t + "attn.qkv.weight"] = at::cat(w, 0).contiguous();
    out[t + "attn.qkv.bias"] = at::cat(bias, 0);
    const auto o = get(att + "out/kernel", 3);  // [H, D, C]
    out[t + "attn.proj.weight"] = o.reshape({-1, o.size(-1)}).t().contiguous();
    out[t + "attn.proj.bias"] = get(att + "out/bias", 1);
    out[t + "norm2.weight"] = get(b + "LayerNorm_2/scale", 1);
    out[t + "norm2.bias"] = get(b + "LayerNorm_2/bias", 1);
    out[t + "mlp.fc1.weight"] = get(b + "MlpBlock_3/Dense_0/kernel", 2).t().contiguous();
    out[t + "mlp.fc1.bias"] = get(b + "MlpBlock_3/Dense_0/bias", 1);
    out[t + "mlp.fc2.weight"] = get(b + "MlpBlock_3/Dense_1/kernel", 2).t().contiguous();
    out[t + "mlp.fc2.bias"] = get(b + "MlpBlock_3/Dense_1/bias", 1);
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
