#include "framework/model/vit.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/version.h>

#include <cmath>
#include <cstdio>

#include "framework/core/error.h"

namespace adaptlab {
namespace {

void trunc_normal_(torch::Tensor t, double std) {
  torch::NoGradGuard g;
  t.normal_(0.0, std).clamp_(-2.0 * std, 2.0 * std);
}

struct Attention : torch::nn::Module {
  Attention(int64_t dim, int64_t heads, bool qkv_bias) : num_heads(heads), head_dim(dim / heads) {
    qkv = register_module("qkv", std::make_shared<AttachableLinear>(dim, 3 * dim, qkv_bias));
    proj = register_module("proj", std::make_shared<AttachableLinear>(dim, dim, true));
  }
  // x [B, N, C]; size [B, N, 1] or undefined (proportional attention adds log(size) to logits).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& size, torch::Tensor* keys_out) {
    const auto B = x.size(0), N = x.size(1), C = x.size(2);
    auto qkv_ = qkv->forward(x).reshape({B, N, 3, num_heads, head_dim}).permute({2, 0, 3, 1, 4});
    auto q = qkv_[0], k = qkv_[1], v = qkv_[2];  // [B, H, N, D]
    if (keys_out) *keys_out = k.mean(1);         // [B, N, D]: ToMe's matching metric
    torch::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
    // Proportional attention is an additive bias log(size) on every query's logits for key j: SDPA's
    // float mask computes exactly softmax(q·kᵀ·scale + bias)·v, with the fused kernels.
    const auto bias = size.defined() ? std::optional<at::Tensor>(size.log().reshape({B, 1, 1, N}).to(q.scalar_type()))
                                     : std::nullopt;
    out = at::scaled_dot_product_attention(q, k, v, bias);
#else
    const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
    auto attn = at::matmul(q, k.transpose(-2, -1)) * scale;
    if (size.defined()) attn = attn + size.log().reshape({B, 1, 1, N});
    out = at::matmul(attn.softmax(-1), v);
#endif
    return proj->forward(out.transpose(1, 2).reshape({B, N, C}));
  }
  int64_t num_heads, head_dim;
  std::shared_ptr<AttachableLinear> qkv, proj;
};

struct Mlp : torch::nn::Module {
  Mlp(int64_t dim, int64_t hidden) {
    fc1 = register_module("fc1", std::make_shared<AttachableLinear>(dim, hidden, true));
    fc2 = register_module("fc2", std::make_shared<AttachableLinear>(hidden, dim, true));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2->forward(at::gelu(fc1->forward(x))); }
  std::shared_ptr<AttachableLinear> fc1, fc2;
};

// Stochastic depth: zero the whole residual branch for a sample with probability p (training only).
torch::Tensor drop_path(const torch::Tensor& x, double p, bool training) {
  if (p <= 0.0 || !training) return x;
  const double keep = 1.0 - p;
  auto mask = at::empty({x.size(0), 1, 1}, x.options()).bernoulli_(keep);
  return x * mask / keep;
}

struct Block : torch::nn::Module {
  Block(const ViTOptions& o, double dpr) : drop_prob(dpr) {
    const int64_t C = o.embed_dim;
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({C}).eps(1e-6)));
    attn = register_module("attn", std::make_shared<Attention>(C, o.num_heads, o.qkv_bias));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({C}).eps(1e-6)));
    mlp = register_module("mlp", std::make_shared<Mlp>(C, static_cast<int64_t>(C * o.mlp_ratio)));
  }
  void forward(TokenState& s) {
    for (auto& op : before_block) op->apply(s);
    const bool want_keys = !after_attn.empty();
    torch::Tensor keys;
    const torch::Tensor no_size;
    auto a = attn->forward(norm1->forward(s.x), s.prop_attn ? s.size : no_size, want_keys ? &keys : nullptr);
    s.x = s.x + drop_path(apply_sequential(attn_out, a), drop_prob, is_training());
    if (want_keys) {
      s.keys = keys;
      for (auto& op : after_attn) op->apply(s);
      s.keys = torch::Tensor();
    }
    const auto u = s.x;
    auto h = ffn_wrap ? ffn_wrap->forward(norm2->forward(u), s.mask,
                                          [this](const at::Tensor& t) { return mlp->forward(t); })
                      : mlp->forward(norm2->forward(u));
    s.x = s.x + drop_path(apply_sequential(mlp_out, h), drop_prob, is_training());
    for (auto& op : mlp_parallel) s.x = s.x + op->forward(u);
  }
  double drop_prob;
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  std::shared_ptr<Attention> attn;
  std::shared_ptr<Mlp> mlp;
  std::vector<std::shared_ptr<TokenOp>> before_block, after_attn;
  std::vector<std::shared_ptr<BranchOp>> attn_out, mlp_out, mlp_parallel;
  std::shared_ptr<FfnWrap> ffn_wrap;
};

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
  ViT(const ViTOptions& o, int64_t num_classes) : opts_(o) {
    const int64_t C = o.embed_dim;
    const int64_t grid = o.img_size / o.patch_size;
    patch_embed_ = register_module("patch_embed", std::make_shared<PatchEmbed>(o));
    cls_token_ = register_parameter("cls_token", at::zeros({1, 1, C}));
    pos_embed_ = register_parameter("pos_embed", at::zeros({1, grid * grid + 1, C}));
    blocks_ = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < o.depth; ++i) {
      const double dpr = o.depth > 1 ? o.drop_path * i / (o.depth - 1) : o.drop_path;
      auto b = std::make_shared<Block>(o, dpr);
      blocks_->push_back(b);
      block_ptrs_.push_back(b);
    }
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({C}).eps(1e-6)));
    head_ = register_module("head", torch::nn::Linear(C, num_classes));
    init_weights();
  }

  torch::Tensor forward(const torch::Tensor& images) override {
    TokenState s;
    s.protected_prefix = 1;  // the class token; prompt ops add theirs when they insert them
    auto x = patch_embed_->forward(images);
    x = at::cat({cls_token_.expand({x.size(0), -1, -1}), x}, 1) + pos_embed_;
    s.x = x;
    for (size_t i = 0; i < block_ptrs_.size(); ++i) {
      s.block = static_cast<int>(i);
      block_ptrs_[i]->forward(s);
    }
    auto feats = norm_->forward(s.x);
    return head_->forward(feats.select(1, 0));
  }

  int num_blocks() const override { return static_cast<int>(block_ptrs_.size()); }
  std::vector<std::shared_ptr<TokenOp>>& after_attn(int i) override { return block_ptrs_.at(i)->after_attn; }
  void add_after_attn(int i, const std::string& name, std::shared_ptr<TokenOp> op) override {
    auto& b = block_ptrs_.at(i);
    b->register_module(name, op);
    b->after_attn.push_back(std::move(op));
  }
  int64_t num_input_tokens() const override {
    const int64_t grid = opts_.img_size / opts_.patch_size;
    return grid * grid + 1 + prompt_tokens;
  }
  void add_before_block(int i, const std::string& name, std::shared_ptr<TokenOp> op) override {
    auto& b = block_ptrs_.at(i);
    b->register_module(name, op);
    b->before_block.push_back(std::move(op));
  }
  void add_branch(int i, BranchPoint point, const std::string& name, std::shared_ptr<BranchOp> op) override {
    auto& b = block_ptrs_.at(i);
    b->register_module(name, op);
    (point == BranchPoint::attn_out ? b->attn_out : point == BranchPoint::mlp_out ? b->mlp_out : b->mlp_parallel)
        .push_back(std::move(op));
  }
  int64_t width() const override { return opts_.embed_dim; }
  void set_ffn_wrap(int i, const std::string& name, std::shared_ptr<FfnWrap> wrap) override {
    auto& b = block_ptrs_.at(i);
    AL_CHECK(!b->ffn_wrap, "block {} already has an FFN wrap; '{}' cannot add another", i, name);
    b->register_module(name, wrap);
    b->ffn_wrap = std::move(wrap);
  }

 private:
  void init_weights() {
    torch::NoGradGuard g;
    trunc_normal_(pos_embed_, opts_.init_std);
    cls_token_.normal_(0.0, 1e-6);
    for (auto& [name, lin] : linear_points()) {
      trunc_normal_(lin->weight, opts_.init_std);
      if (lin->bias.defined()) lin->bias.zero_();
    }
    trunc_normal_(head_->weight, opts_.init_std);
    head_->bias.zero_();
  }

  ViTOptions opts_;
  std::shared_ptr<PatchEmbed> patch_embed_;
  torch::Tensor cls_token_, pos_embed_;
  torch::nn::ModuleList blocks_{nullptr};
  std::vector<std::shared_ptr<Block>> block_ptrs_;
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
