#include "framework/model/block.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/normalization.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "framework/core/error.h"
#include "framework/model/hook_facets.h"
#include "framework/model/masking.h"
#include "framework/model/rms_norm.h"

namespace adaptlab {
namespace {

torch::Tensor drop_path(const torch::Tensor& x, double p, bool training) {
  if (p <= 0.0 || !training) return x;
  const double keep = 1.0 - p;
  auto mask = at::empty({x.size(0), 1, 1}, x.options()).bernoulli_(keep);
  return x * mask / keep;
}

torch::Tensor maybe_dropout(const torch::Tensor& x, double p, bool training) {
  return p > 0.0 && training ? at::dropout(x, p, true) : x;
}

void check_keep(const std::vector<int64_t>& keep, int64_t n, const char* what) {
  for (size_t i = 0; i < keep.size(); ++i) {
    AL_CHECK(keep[i] >= 0 && keep[i] < n, "prune: {} index {} is outside [0, {})", what, keep[i], n);
    AL_CHECK(i == 0 || keep[i] > keep[i - 1], "prune: the {} indices to keep must be sorted and unique", what);
  }
}

}  // namespace

std::shared_ptr<torch::nn::Module> TransformerBlock::container(const std::string& path) {
  std::shared_ptr<torch::nn::Module> cur;  // null = this block
  size_t start = 0;
  while (start < path.size()) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    torch::nn::Module& parent = cur ? *cur : static_cast<torch::nn::Module&>(*this);
    auto children = parent.named_children();
    if (auto* found = children.find(part)) {
      cur = *found;
    } else {
      cur = parent.register_module(part, std::make_shared<torch::nn::Module>());
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

template <class M>
std::shared_ptr<M> TransformerBlock::register_at(const std::string& path, std::shared_ptr<M> m) {
  AL_CHECK(!path.empty(), "transformer block: a layer has no name");
  const auto dot = path.rfind('.');
  if (dot == std::string::npos) return register_module(path, std::move(m));
  return container(path.substr(0, dot))->register_module(path.substr(dot + 1), std::move(m));
}

TransformerBlock::TransformerBlock(const BlockSpec& o) : spec_(o) {
  AL_CHECK(o.width > 0 && o.num_heads >= 0 && o.head_dim > 0 && o.ffn_dim >= 0,
           "transformer block: width {} heads {} head_dim {} ffn_dim {} are not a valid shape", o.width, o.num_heads,
           o.head_dim, o.ffn_dim);
  const bool fused = !o.names.qkv.empty();
  AL_CHECK(fused == (o.names.q.empty() && o.names.k.empty() && o.names.v.empty()),
           "transformer block: name either a fused qkv layer or separate q, k and v layers");
  AL_CHECK(o.norm == "layer" || o.norm == "rms", "transformer block: norm '{}' (layer or rms)", o.norm);
  AL_CHECK(o.ffn_act == "gelu" || o.ffn_act == "gelu_tanh" || o.ffn_act == "relu",
           "transformer block: ffn_act '{}' (gelu, gelu_tanh or relu)", o.ffn_act);
  const int64_t C = o.width, HD = o.num_heads * o.head_dim, F = o.ffn_dim;
  auto norm = [&]() -> std::shared_ptr<torch::nn::Module> {
    if (o.norm == "rms") return std::make_shared<RMSNorm>(C, o.norm_eps);
    return std::make_shared<torch::nn::LayerNormImpl>(torch::nn::LayerNormOptions({C}).eps(o.norm_eps));
  };
  // Registration order = the checkpoints' order (state dicts, initialisation).
  if (o.pre_norm) norm_attn_ = register_at(o.names.norm_attn, norm());
  if (fused) {
    qkv_ = register_at(o.names.qkv, std::make_shared<AttachableLinear>(C, 3 * HD, o.qkv_bias));
  } else {
    q_ = register_at(o.names.q, std::make_shared<AttachableLinear>(C, HD, o.qkv_bias));
    k_ = register_at(o.names.k, std::make_shared<AttachableLinear>(C, HD, o.qkv_bias));
    v_ = register_at(o.names.v, std::make_shared<AttachableLinear>(C, HD, o.qkv_bias));
  }
  proj_ = register_at(o.names.proj, std::make_shared<AttachableLinear>(HD, C, o.linear_bias));
  if (!o.pre_norm) norm_attn_ = register_at(o.names.norm_attn, norm());
  if (o.pre_norm) norm_ffn_ = register_at(o.names.norm_ffn, norm());
  fc1_ = register_at(o.names.fc1, std::make_shared<AttachableLinear>(C, F, o.linear_bias));
  if (!o.names.fc1_gate.empty())
    fc1_gate_ = register_at(o.names.fc1_gate, std::make_shared<AttachableLinear>(C, F, o.linear_bias));
  fc2_ = register_at(o.names.fc2, std::make_shared<AttachableLinear>(F, C, o.linear_bias));
  if (!o.pre_norm) norm_ffn_ = register_at(o.names.norm_ffn, norm());
}

at::Tensor TransformerBlock::layer_norm(const at::Tensor& x, const std::shared_ptr<torch::nn::Module>& norm) const {
  if (spec_.norm == "rms") return static_cast<RMSNorm&>(*norm).forward(x);
  return static_cast<torch::nn::LayerNormImpl&>(*norm).forward(x);
}

void TransformerBlock::register_layer(const std::string& path, std::shared_ptr<torch::nn::Module> m) {
  register_at(path, std::move(m));
}

at::Tensor TransformerBlock::attention(const at::Tensor& h, const TokenState& s, at::Tensor* keys_out) {
  const int64_t B = h.size(0), N = h.size(1), H = spec_.num_heads, D = spec_.head_dim;
  if (H == 0) {  // every head pruned: the sub-layer is its projection's bias
    AL_CHECK(keys_out == nullptr, "block {}: no attention heads left, so there are no keys to merge tokens by", s.block);
    return proj_->forward(at::zeros({B, N, 0}, h.options()), s.mask);
  }
  at::Tensor q, k, v;  // [B, H, N, D]
  if (qkv_) {
    auto t = qkv_->forward(h, s.mask).reshape({B, N, 3, H, D}).permute({2, 0, 3, 1, 4});
    q = t[0], k = t[1], v = t[2];
  } else {
    auto split = [&](const at::Tensor& t) { return t.reshape({B, N, H, D}).transpose(1, 2); };
    q = split(q_->forward(h, s.mask)), k = split(k_->forward(h, s.mask)), v = split(v_->forward(h, s.mask));
  }
  if (keys_out) *keys_out = k.mean(1);  // [B, N, D]: ToMe's matching metric
  // Additive bias on every query's logits for key j: padding (finfo.min, as Hugging Face's extended
  // mask) and proportional attention log(size_j) once tokens were merged.
  at::Tensor bias;
  if (s.mask.defined()) {
    const double big = mask_fill_value(q.scalar_type());
    bias = (1.0 - s.mask.to(q.scalar_type())).mul(big).reshape({B, 1, 1, N});
  }
  if (s.size.defined() && s.prop_attn) {
    const auto l = s.size.log().reshape({B, 1, 1, N}).to(q.scalar_type());
    bias = bias.defined() ? bias + l : l;
  }
  if (s.attn_bias.defined()) {  // T5's relative position bias, [1 or B, H0, N, N]
    auto pb = s.attn_bias.to(q.scalar_type());
    if (!kept_heads_.empty()) pb = pb.index_select(1, at::tensor(kept_heads_, pb.options().dtype(at::kLong)));
    AL_CHECK(pb.size(-1) == N && pb.size(-2) == N && pb.size(1) == H,
             "block {}: the position bias is for {} tokens and {} heads, the block sees {} and {}", s.block,
             pb.size(-1), pb.size(1), N, H);
    bias = bias.defined() ? bias + pb : pb;
  }
  [[maybe_unused]] const double scale = spec_.scale_attn ? 1.0 / std::sqrt(static_cast<double>(D)) : 1.0;
  const bool train = is_training();
  const bool explicit_probs = !attn_probs_.empty() || (train && spec_.attn_dropout > 0);
  // The fused kernel only where it is faster. Measured on this project's CPU machine (LibTorch 2.11, 2
  // threads, B = 32, H = 12, float32): SDPA takes 2x the time of matmul + softmax at N = 24 and 1.2x at
  // N = 64, breaks even at 128 and is 2.6-3x faster at 197 (ViT-B/16); on CUDA the fused kernels win.
  const bool fused = !explicit_probs && (q.is_cuda() || N > 128);
  at::Tensor out;
#if TORCH_VERSION_MAJOR >= 2
  if (fused) {
    // SDPA with a float mask computes exactly softmax(q·kᵀ·scale + bias)·v, with the fused kernels.
    out = at::scaled_dot_product_attention(q, k, v, bias.defined() ? std::optional<at::Tensor>(bias) : std::nullopt,
                                           0.0, false, scale);
  }
#endif
  if (!out.defined()) {
    auto logits = at::matmul(q, k.transpose(-2, -1));
    if (spec_.scale_attn) logits = logits / std::sqrt(static_cast<double>(D));
    if (bias.defined()) logits = logits + bias;
    auto probs = logits.softmax(-1);
    for (const auto& op : attn_probs_) probs = op.value->apply(probs);
    out = at::matmul(maybe_dropout(probs, spec_.attn_dropout, train), v);
  }
  return proj_->forward(out.transpose(1, 2).reshape({B, N, H * D}), s.mask);
}

at::Tensor TransformerBlock::ffn(const at::Tensor& u, const at::Tensor& mask) {
  auto h = fc1_->forward(u, mask);
  h = spec_.ffn_act == "relu" ? at::relu(h) : spec_.ffn_act == "gelu_tanh" ? at::gelu(h, "tanh") : at::gelu(h);
  if (fc1_gate_) h = h * fc1_gate_->forward(u, mask);
  for (const auto& op : ffn_act_) h = op.value->apply(h);
  return fc2_->forward(maybe_dropout(h, spec_.ffn_dropout, is_training()), mask);
}

namespace {
template <class Op>
at::Tensor apply_branches(const NamedList<std::shared_ptr<Op>>& ops, at::Tensor h) {
  for (const auto& op : ops) h = op.value->forward(h);
  return h;
}
}  // namespace

void TransformerBlock::forward(TokenState& s) {
  for (const auto& op : before_block_) op.value->apply(s);
  const bool train = is_training();
  at::Tensor keys;
  auto a = attention(spec_.pre_norm ? layer_norm(s.x, norm_attn_) : s.x, s, after_attn_.empty() ? nullptr : &keys);
  a = apply_branches(attn_out_, maybe_dropout(a, spec_.hidden_dropout, train));
  s.x = spec_.pre_norm ? s.x + drop_path(a, spec_.drop_path, train) : layer_norm(a + s.x, norm_attn_);
  if (!after_attn_.empty()) {
    s.keys = keys;
    for (const auto& op : after_attn_) op.value->apply(s);
    s.keys = at::Tensor();
  }
  const auto u = s.x;
  const auto f_in = spec_.pre_norm ? layer_norm(u, norm_ffn_) : u;
  // A wrap runs the FFN on vectors of its own (compressed groups): they have no padding mask. One that
  // places the output dropout itself (hook_facets.h) gets an FFN with it, and none follows the wrap.
  const auto* places = dynamic_cast<const FfnWrapPlacesDropout*>(ffn_wrap_.get());
  const bool wrap_drops = places && places->places_output_dropout();
  auto h = ffn_wrap_ ? ffn_wrap_->forward(f_in, s.mask,
                                          [this, wrap_drops, train](const at::Tensor& t) {
                                            const auto y = ffn(t, at::Tensor());
                                            return wrap_drops ? maybe_dropout(y, spec_.hidden_dropout, train) : y;
                                          })
                     : ffn(f_in, s.mask);
  h = apply_branches(mlp_out_, wrap_drops ? h : maybe_dropout(h, spec_.hidden_dropout, train));
  if (spec_.pre_norm) {
    s.x = u + drop_path(h, spec_.drop_path, train);
    for (const auto& op : mlp_parallel_) s.x = s.x + op.value->forward(u);
  } else {
    for (const auto& op : mlp_parallel_) h = h + op.value->forward(u);
    s.x = layer_norm(h + u, norm_ffn_);
  }
}

// ---- hook points ------------------------------------------------------------------------------------

namespace {
void check_new_name(const std::vector<std::string>& names, const std::string& name) {
  AL_CHECK(!name.empty(), "a hook module needs a name");
  AL_CHECK(std::find(names.begin(), names.end(), name) == names.end(),
           "this block already has a module named '{}'; give the new one another name", name);
}
}  // namespace

void TransformerBlock::add_token_op(TokenPoint where, const std::string& name, std::shared_ptr<TokenOp> op) {
  AL_CHECK(!spec_.relative_bias,
           "'{}' changes the token sequence, which this backbone does not allow: its relative position bias is "
           "computed for the input's tokens (T5)",
           name);
  check_new_name(op_names_, name);
  register_module(name, op);
  op_names_.push_back(name);
  (where == TokenPoint::before_block ? before_block_ : after_attn_).add(name, std::move(op));
}

std::vector<std::shared_ptr<TokenOp>> TransformerBlock::token_ops(TokenPoint where) const {
  return (where == TokenPoint::before_block ? before_block_ : after_attn_).values();
}

void TransformerBlock::add_branch(BranchPoint point, const std::string& name, std::shared_ptr<BranchOp> op) {
  check_new_name(op_names_, name);
  register_module(name, op);
  op_names_.push_back(name);
  (point == BranchPoint::attn_out ? attn_out_ : point == BranchPoint::mlp_out ? mlp_out_ : mlp_parallel_)
      .add(name, std::move(op));
}

void TransformerBlock::set_ffn_wrap(const std::string& name, std::shared_ptr<FfnWrap> wrap) {
  AL_CHECK(!ffn_wrap_, "this block already has an FFN wrap; '{}' cannot add another", name);
  check_new_name(op_names_, name);
  register_module(name, wrap);
  op_names_.push_back(name);
  ffn_wrap_ = std::move(wrap);
  ffn_wrap_name_ = name;
}

void TransformerBlock::add_attn_probs_op(const std::string& name, std::shared_ptr<AttnProbsOp> op) {
  check_new_name(op_names_, name);
  register_module(name, op);
  op_names_.push_back(name);
  attn_probs_.add(name, std::move(op));
}

void TransformerBlock::add_ffn_act_op(const std::string& name, std::shared_ptr<FfnActOp> op) {
  check_new_name(op_names_, name);
  register_module(name, op);
  op_names_.push_back(name);
  ffn_act_.add(name, std::move(op));
}

void TransformerBlock::remove_op(const std::string& name) {
  const auto it = std::find(op_names_.begin(), op_names_.end(), name);
  AL_CHECK(it != op_names_.end(), "this block has no hook module named '{}'", name);
  // Each hook list by name (op_names_ holds every name once, so at most one list has it).
  const bool found = before_block_.remove(name) || after_attn_.remove(name) || attn_out_.remove(name) ||
                     mlp_out_.remove(name) || mlp_parallel_.remove(name) || attn_probs_.remove(name) ||
                     ffn_act_.remove(name);
  if (!found && name == ffn_wrap_name_) {
    ffn_wrap_.reset();
    ffn_wrap_name_.clear();
  }
  unregister_module(name);
  op_names_.erase(it);
}

const std::vector<std::string>& TransformerBlock::canonical_points() {
  static const std::vector<std::string> names = {"attn.q",    "attn.k",  "attn.v", "attn.qkv",
                                                 "attn.proj", "mlp.fc1", "mlp.fc2"};
  return names;
}

std::vector<LinearPoint> TransformerBlock::linear(const std::string& canonical) {
  const auto& n = spec_.names;
  const int64_t HD = spec_.num_heads * spec_.head_dim;
  auto whole = [](const char* role, const std::string& name, const std::shared_ptr<AttachableLinear>& l) {
    return LinearPoint{role, name, l, OutputRange{}};
  };
  if (canonical == "attn.qkv") {
    if (qkv_) return {whole("qkv", n.qkv, qkv_)};
    return {whole("q", n.q, q_), whole("k", n.k, k_), whole("v", n.v, v_)};
  }
  const char* roles[] = {"q", "k", "v"};
  for (int64_t i = 0; i < 3; ++i) {
    if (canonical != std::string("attn.") + roles[i]) continue;
    if (qkv_) return {LinearPoint{roles[i], n.qkv, qkv_, OutputRange{i * HD, HD}}};
    return {whole(roles[i], i == 0 ? n.q : i == 1 ? n.k : n.v, i == 0 ? q_ : i == 1 ? k_ : v_)};
  }
  if (canonical == "attn.proj") return {whole("proj", n.proj, proj_)};
  if (canonical == "mlp.fc1") {
    if (fc1_gate_) return {whole("fc1", n.fc1, fc1_), whole("fc1", n.fc1_gate, fc1_gate_)};
    return {whole("fc1", n.fc1, fc1_)};
  }
  if (canonical == "mlp.fc2") return {whole("fc2", n.fc2, fc2_)};
  fail("unknown Linear point '{}'; the canonical points are attn.q, attn.k, attn.v, attn.qkv, attn.proj, mlp.fc1, "
       "mlp.fc2",
       canonical);
}

// ---- structured pruning --------------------------------------------------------------------------------

void TransformerBlock::prune_heads(const std::vector<int64_t>& keep) {
  const int64_t H = spec_.num_heads, D = spec_.head_dim;
  check_keep(keep, H, "head");
  AL_CHECK(attn_probs_.empty(), "prune_heads: remove the attention-probability ops first (they are per head)");
  std::vector<int64_t> rows;  // within one of q, k, v
  for (int64_t h : keep)
    for (int64_t d = 0; d < D; ++d) rows.push_back(h * D + d);
  if (qkv_) {
    std::vector<int64_t> all;
    for (int64_t part = 0; part < 3; ++part)
      for (int64_t r : rows) all.push_back(part * H * D + r);
    qkv_->keep_outputs(all);
  } else {
    for (auto* l : {&q_, &k_, &v_}) (*l)->keep_outputs(rows);
  }
  proj_->keep_inputs(rows);
  if (spec_.relative_bias) {
    std::vector<int64_t> heads;
    for (int64_t h : keep) heads.push_back(kept_heads_.empty() ? h : kept_heads_[h]);
    kept_heads_ = heads;
  }
  spec_.num_heads = static_cast<int64_t>(keep.size());
}

void TransformerBlock::prune_ffn(const std::vector<int64_t>& keep) {
  check_keep(keep, spec_.ffn_dim, "FFN unit");
  AL_CHECK(ffn_act_.empty(), "prune_ffn: remove the FFN activation ops first (they are per unit)");
  fc1_->keep_outputs(keep);
  if (fc1_gate_) fc1_gate_->keep_outputs(keep);
  fc2_->keep_inputs(keep);
  spec_.ffn_dim = static_cast<int64_t>(keep.size());
}

}  // namespace adaptlab
