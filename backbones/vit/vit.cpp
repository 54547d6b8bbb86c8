#include "backbones/vit/vit.h"
#include "backbones/vit/vit_npz.h"
#include "framework/io/npz.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cstdio>

#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/data/dataset.h"
#include "framework/io/safetensors_torch.h"
#include "framework/io/torch_pickle.h"
#include "framework/model/checkpoint.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

void trunc_normal_(torch::Tensor t, double std) {
  torch::NoGradGuard g;
  t.normal_(0.0, std).clamp_(-2.0 * std, 2.0 * std);
}

struct PatchEmbed : torch::nn::Module {
  PatchEmbed(const ViTOptions& o) {
    proj = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(o.in_chans, o.embed_dim, o.patch_size)
                                                         .stride(o.patch_size)));
  }
  torch::Tensor forward(const torch::Tensor& x) { return proj->forward(x).flatten(2).transpose(1, 2); }
  torch::nn::Conv2d proj{nullptr};
};

class ViT : public Backbone {
 public:
  ViT(const ViTOptions& o, int64_t num_classes)
      : Backbone(o.embed_dim, (o.img_size / o.patch_size) * (o.img_size / o.patch_size) + 1), opts_(o) {
    const int64_t C = o.embed_dim;
    const int64_t grid = o.img_size / o.patch_size;
    patch_embed_ = register_module("patch_embed", std::make_shared<PatchEmbed>(o));
    cls_token_ = register_parameter("cls_token", at::zeros({1, 1, C}));
    pos_embed_ = register_parameter("pos_embed", at::zeros({1, grid * grid + 1, C}));
    auto list = register_module("blocks", torch::nn::ModuleList());
    std::vector<std::shared_ptr<TransformerBlock>> blocks;
    for (int i = 0; i < o.depth; ++i) {
      BlockSpec b;
      b.width = C;
      b.num_heads = o.num_heads;
      b.head_dim = C / o.num_heads;
      b.ffn_dim = static_cast<int64_t>(C * o.mlp_ratio);
      b.pre_norm = true;
      b.qkv_bias = o.qkv_bias;
      b.norm_eps = 1e-6;
      b.drop_path = o.depth > 1 ? o.drop_path * i / (o.depth - 1) : o.drop_path;
      b.names.norm_attn = "norm1";
      b.names.qkv = "attn.qkv";
      b.names.proj = "attn.proj";
      b.names.norm_ffn = "norm2";
      b.names.fc1 = "mlp.fc1";
      b.names.fc2 = "mlp.fc2";
      blocks.push_back(std::make_shared<TransformerBlock>(b));
      list->push_back(blocks.back());
    }
    set_blocks(std::move(blocks), "blocks.");
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({C}).eps(1e-6)));
    head_ = register_module("head", torch::nn::Linear(C, num_classes));
    init_weights();
  }

  torch::Tensor forward(const torch::Tensor& images) override {
    TokenState s;
    s.protected_prefix = 1;  // the class token; prompt ops add theirs when they insert them
    auto x = patch_embed_->forward(images);
    s.x = at::cat({cls_token_.expand({x.size(0), -1, -1}), x}, 1) + pos_embed_;
    run_blocks(s);
    auto feats = final_hidden_is(norm_->forward(s.x));
    return head_->forward(feats.select(1, 0));
  }

 private:
  void init_weights() {
    torch::NoGradGuard g;
    trunc_normal_(pos_embed_, opts_.init_std);
    cls_token_.normal_(0.0, 1e-6);
    for (auto& [name, lin] : linear_layers()) {
      trunc_normal_(lin->weight, opts_.init_std);
      if (lin->bias.defined()) lin->bias.zero_();
    }
    trunc_normal_(head_->weight, opts_.init_std);
    head_->bias.zero_();
  }

  ViTOptions opts_;
  std::shared_ptr<PatchEmbed> patch_embed_;
  torch::Tensor cls_token_, pos_embed_;
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear head_{nullptr};
};

}  // namespace

ViTOptions resolve_vit_preset(ViTOptions o) {
  if (o.preset.empty()) return o;
  const ViTOptions d;
  AL_CHECK(o.embed_dim == d.embed_dim && o.depth == d.depth && o.num_heads == d.num_heads &&
               o.patch_size == d.patch_size && o.img_size == d.img_size && o.mlp_ratio == d.mlp_ratio,
           "vit: preset '{}' sets embed_dim, depth, num_heads, patch_size, img_size and mlp_ratio; give none of them "
           "with it", o.preset);
  // name = family_size_patchP_S
  const std::string& n = o.preset;
  struct Size {
    const char* name;
    int dim, depth, heads;
  };
  static const Size sizes[] = {{"tiny", 192, 12, 3}, {"small", 384, 12, 6}, {"base", 768, 12, 12},
                               {"large", 1024, 24, 16}, {"huge", 1280, 32, 16}};
  int patch = 0, img = 0;
  const Size* size = nullptr;
  for (const auto& s : sizes) {
    for (const char* family : {"vit_", "deit_"}) {
      const std::string prefix = std::string(family) + s.name + "_patch";
      if (n.rfind(prefix, 0) != 0) continue;
      if (std::sscanf(n.c_str() + prefix.size(), "%d_%d", &patch, &img) == 2) size = &s;
    }
  }
  AL_CHECK(size != nullptr && patch > 0 && img > 0 && img % patch == 0,
           "vit: unknown preset '{}'; expected vit_<tiny|small|base|large|huge>_patch<P>_<S> or "
           "deit_<tiny|small|base>_patch16_<S>, e.g. vit_base_patch16_224", n);
  o.embed_dim = size->dim;
  o.depth = size->depth;
  o.num_heads = size->heads;
  o.patch_size = patch;
  o.img_size = img;
  o.mlp_ratio = 4.0;
  return o;
}

std::shared_ptr<Backbone> make_vit(const ViTOptions& options, int64_t num_classes) {
  return std::make_shared<ViT>(options, num_classes);
}

}  // namespace adaptlab

// ---- registration ---------------------------------------------------------------------------------------

namespace adaptlab {

void register_vit(Registries& r) {
  EntryMeta meta;  // a tiny instance for the method contract test: 16 patches + class token, 2 blocks
  meta.example_options = "{img_size: 8, patch_size: 2, embed_dim: 16, num_heads: 2, depth: 2}";
  meta.example_data = std::make_shared<DataInfo>(DataInfo{3, {3, 8, 8}});
  meta.example_inputs = [] { return at::randn({4, 3, 8, 8}, at::kDouble); };
  meta.inputs = {{"checkpoint", InputPath::file}};  // checked at plan time
  add_entry<ViTOptions>(
      r.backbones, "vit", "Vision Transformer with timm parameter names (random init, or a timm checkpoint)",
      [](const ViTOptions& given, const DataInfo& info) {
        const ViTOptions o = resolve_vit_preset(given);
        AL_CHECK(info.input_shape.size() == 3, "backbone 'vit' needs image inputs [C, H, W]");
        AL_CHECK(info.input_shape[0] == o.in_chans && info.input_shape[1] == o.img_size &&
                     info.input_shape[2] == o.img_size,
                 "backbone 'vit' expects inputs [{}, {}, {}] but the dataset gives [{}, {}, {}]", o.in_chans,
                 o.img_size, o.img_size, info.input_shape[0], info.input_shape[1], info.input_shape[2]);
        auto b = make_vit(o, info.num_classes);
        if (!o.checkpoint.empty()) {
          auto tensors = o.checkpoint.ends_with(".npz")
                             ? timm_from_google_npz(io::load_npz(o.checkpoint), o.depth, o.checkpoint)
                             : io::load_weights(o.checkpoint);
          const auto rep = load_checkpoint(*b, std::move(tensors), o.checkpoint);
          log::info("{}: {}", o.checkpoint, rep.summary());
        }
        return b;
      },
      meta);
}

}  // namespace adaptlab
