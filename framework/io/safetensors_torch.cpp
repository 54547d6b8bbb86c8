#include "framework/io/safetensors_torch.h"

#include <ATen/ATen.h>

#include <cstring>
#include <optional>
#include <vector>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"

namespace adaptlab::io {
namespace {

at::ScalarType to_torch(Dtype d) {
  switch (d) {
    case Dtype::F64: return at::kDouble;
    case Dtype::F32: return at::kFloat;
    case Dtype::F16: return at::kHalf;
    case Dtype::BF16: return at::kBFloat16;
    case Dtype::I64: return at::kLong;
    case Dtype::I32: return at::kInt;
    case Dtype::I16: return at::kShort;
    case Dtype::I8: return at::kChar;
    case Dtype::U8: return at::kByte;
    case Dtype::BOOL: return at::kBool;
  }
  fail("safetensors: invalid Dtype value {}", static_cast<int>(d));
}

std::optional<Dtype> from_torch(at::ScalarType t) {
  switch (t) {
    case at::kDouble: return Dtype::F64;
    case at::kFloat: return Dtype::F32;
    case at::kHalf: return Dtype::F16;
    case at::kBFloat16: return Dtype::BF16;
    case at::kLong: return Dtype::I64;
    case at::kInt: return Dtype::I32;
    case at::kShort: return Dtype::I16;
    case at::kChar: return Dtype::I8;
    case at::kByte: return Dtype::U8;
    case at::kBool: return Dtype::BOOL;
    default: return std::nullopt;
  }
}

}  // namespace

std::map<std::string, at::Tensor> load_safetensors(const std::string& path,
                                                   std::map<std::string, std::string>& metadata) {
  const SafetensorsFile file(path);
  std::map<std::string, at::Tensor> out;
  for (const TensorInfo& t : file.tensors()) {
    // BOOL goes through bytes: a stored value other than 0 or 1 must still read as a valid bool.
    const auto storage_type = t.dtype == Dtype::BOOL ? at::kByte : to_torch(t.dtype);
    at::Tensor x = at::empty(at::IntArrayRef(t.shape), at::TensorOptions().dtype(storage_type));
    AL_CHECK(static_cast<std::size_t>(x.nbytes()) == t.data.size(),
             "{}: tensor '{}': {} bytes in the file but the tensor holds {}", path, t.name, t.data.size(), x.nbytes());
    if (!t.data.empty()) std::memcpy(x.data_ptr(), t.data.data(), t.data.size());  // data may be unaligned
    if (t.dtype == Dtype::BOOL) x = x.ne(0);
    out.emplace(t.name, std::move(x));
  }
  metadata = file.metadata();
  return out;
}

std::map<std::string, at::Tensor> load_safetensors(const std::string& path) {
  std::map<std::string, std::string> metadata;
  return load_safetensors(path, metadata);
}

void save_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<at::Tensor> keep;  // the CPU copies the views point into
  std::vector<TensorView> views;
  keep.reserve(tensors.size());
  views.reserve(tensors.size());
  for (const auto& [name, t] : tensors) {
    AL_CHECK(t.defined(), "{}: tensor '{}' is undefined", path, name);
    AL_CHECK(t.layout() == at::kStrided, "{}: tensor '{}' is not dense (layout {}); only strided tensors can be saved",
             path, name, c10::str(t.layout()));
    AL_CHECK(!t.is_meta(), "{}: tensor '{}' is a meta tensor and has no data to save", path, name);
    const auto dtype = from_torch(t.scalar_type());
    AL_CHECK(dtype.has_value(), "{}: tensor '{}' has dtype {}; safetensors files here hold {}", path, name,
             c10::toString(t.scalar_type()), known_dtypes());
    at::Tensor c = t.detach().to(at::kCPU).resolve_conj().resolve_neg().contiguous();
    keep.push_back(c);
    views.push_back({name, *dtype, c.sizes().vec(), c.data_ptr(), static_cast<std::size_t>(c.nbytes())});
  }
  write_safetensors(path, views, metadata);
}

}  // namespace adaptlab::io
