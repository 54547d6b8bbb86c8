// PyTorch checkpoints saved with torch.save (zip format, the default since PyTorch 1.6): a state dict
// of tensors at the top level or under "state_dict" / "model" / "module" (as DeiT's and many training
// scripts' .pth files nest it), read through LibTorch's pickle_load.
#pragma once
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace adaptlab::io {

std::map<std::string, at::Tensor> load_torch_state_dict(const std::string& path);

// By extension: .safetensors → safetensors reader; .pt / .pth / .bin → load_torch_state_dict.
std::map<std::string, at::Tensor> load_weights(const std::string& path);

}  // namespace adaptlab::io
