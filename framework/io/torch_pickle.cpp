#include "framework/io/torch_pickle.h"

#include <torch/serialize.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "framework/core/error.h"
#include "framework/io/safetensors_torch.h"

namespace adaptlab::io {
namespace {
// A checkpoint is a regular file: a device (/dev/zero) would be read forever, and a FIFO blocks on open.
void check_regular(const std::string& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  AL_CHECK(std::filesystem::exists(st), "{}: no such checkpoint file", path);
  AL_CHECK(std::filesystem::is_regular_file(st), "{}: not a regular file (a checkpoint must be a file, not a device, "
           "FIFO or folder)", path);
}
}  // namespace

std::map<std::string, at::Tensor> load_torch_state_dict(const std::string& path) {
  check_regular(path);
  std::ifstream f(path, std::ios::binary);
  AL_CHECK(f.good(), "{}: cannot read", path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  AL_CHECK(bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K',
           "{}: not a zip-format torch.save file (the legacy format before PyTorch 1.6 is not read; re-save it "
           "with a recent torch, or convert it to safetensors)", path);
  c10::IValue v;
  try {
    v = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    fail("{}: LibTorch cannot unpickle it (only tensors, dicts, lists and plain values can be read, not pickled "
         "Python objects): {}", path, std::string(e.what()).substr(0, 300));
  }
  for (int depth = 0; depth < 2 && v.isGenericDict(); ++depth) {  // unwrap {"model": {...}} and the like
    bool unwrapped = false;
    for (const char* key : {"state_dict", "model", "module"}) {
      auto d = v.toGenericDict();
      auto it = d.find(c10::IValue(std::string(key)));
      if (it != d.end() && it->value().isGenericDict()) {
        v = it->value();
        unwrapped = true;
        break;
      }
    }
    if (!unwrapped) break;
  }
  AL_CHECK(v.isGenericDict(), "{}: expected a dict of tensors (a state dict), found {}", path, v.tagKind());
  std::map<std::string, at::Tensor> out;
  for (const auto& e : v.toGenericDict()) {
    AL_CHECK(e.key().isString(), "{}: a state-dict key is not a string ({})", path, e.key().tagKind());
    if (!e.value().isTensor()) continue;  // e.g. "epoch" or optimiser state next to the weights
    out.emplace(e.key().toStringRef(), e.value().toTensor());
  }
  AL_CHECK(!out.empty(), "{}: holds no tensors", path);
  return out;
}

std::map<std::string, at::Tensor> load_weights(const std::string& path) {
  check_regular(path);
  if (path.ends_with(".safetensors")) return load_safetensors(path);
  if (path.ends_with(".pt") || path.ends_with(".pth") || path.ends_with(".bin")) return load_torch_state_dict(path);
  fail("{}: unknown checkpoint format; expected .safetensors, .pt, .pth or .bin", path);
}

}  // namespace adaptlab::io
