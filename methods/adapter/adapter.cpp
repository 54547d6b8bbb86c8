#include "methods/adapter/adapter.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/linear.h>

#include <cmath>

#include "framework/model/backbone.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

class AdapterBranch : public BranchOp {
 public:
  AdapterBranch(int64_t c, const AdapterOptions& o, bool residual) : o_(o), residual_(residual) {
    down = register_module("down", torch::nn::Linear(c, o.bottleneck));
    up = register_module("up", torch::nn::Linear(o.bottleneck, c));
    at::NoGradGuard g;
    if (o.init == "xavier") {
      for (auto* l : {&down, &up}) {
        torch::nn::init::xavier_uniform_((*l)->weight);
        (*l)->bias.normal_(0.0, 1e-6);
      }
    } else {  // nn.Linear's Kaiming-uniform down-projection, zero up-projection: exactly the identity
      up->weight.zero_();
      up->bias.zero_();
      down->bias.zero_();
    }
  }
  at::Tensor forward(const at::Tensor& h) override {
    auto z = at::linear(h, down->weight, down->bias);  // one addmm (nn::Linear's forward: matmul + add)
    if (o_.activation == "gelu") z = at::gelu(z);
    else if (o_.activation == "quick_gelu") z = z * at::sigmoid(1.702 * z);
    else if (o_.activation == "relu") z = at::relu(z);
    else z = at::tanh(z);
    z = at::dropout(z, o_.dropout, is_training());
    const auto out = at::linear(z, up->weight, up->bias) * o_.scale;
    return residual_ ? h + out : out;
  }
  torch::nn::Linear down{nullptr}, up{nullptr};

 private:
  AdapterOptions o_;
  bool residual_;
};

class Adapter : public Method {
 public:
  explicit Adapter(AdapterOptions o) : o_(std::move(o)) {}

  void attach(Backbone& b) override {
    for (int i = 0; i < b.num_blocks(); ++i) {
      auto& blk = b.block(i);
      if (o_.placement == "parallel") {
        blk.add_branch(BranchPoint::mlp_parallel, "adapter_mlp", std::make_shared<AdapterBranch>(b.width(), o_, false));
        continue;
      }
      for (const auto& pos : o_.positions)
        blk.add_branch(pos == "attn" ? BranchPoint::attn_out : BranchPoint::mlp_out, "adapter_" + pos,
                       std::make_shared<AdapterBranch>(b.width(), o_, true));
    }
  }

  std::vector<std::string> trainable(Backbone& b) override { return b.parameters_named(".adapter_", o_.train_head); }

 private:
  AdapterOptions o_;
};

}  // namespace

std::unique_ptr<Method> make_adapter(const AdapterOptions& o) { return std::make_unique<Adapter>(o); }

void register_adapter(Registries& r) {
  EntryMeta meta;  // options for the method contract test
  meta.example_options = "{positions: [attn, mlp], init: xavier}";
  // two adapters per block (after attention, after the MLP), each down and up with weight and bias; the head
  meta.example_trains = R"(.*\.adapter_.*|{head}.*)";
  meta.example_trains_per_block = 8;
  add_entry<AdapterOptions>(r.methods, "adapter", "bottleneck adapters, sequential (Houlsby) or parallel (AdaptFormer)",
                 [](const AdapterOptions& o) { return make_adapter(o); }, meta);
}

}  // namespace adaptlab
