// LibTorch adapter over the torch-free safetensors reader/writer (framework/io/safetensors.h).
#pragma once
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace adaptlab::io {

// Reads every tensor of a safetensors file into a fresh CPU tensor of the matching dtype
// (F64 kDouble, F32 kFloat, F16 kHalf, BF16 kBFloat16, I64 kLong, I32 kInt, I16 kShort, I8 kChar,
// U8 kByte, BOOL kBool). The tensors own their data (the file is unmapped on return). Throws
// adaptlab::Error naming the file and tensor when the file is malformed.
std::map<std::string, at::Tensor> load_safetensors(const std::string& path);
// The same, also returning the file's "__metadata__".
std::map<std::string, at::Tensor> load_safetensors(const std::string& path,
                                                   std::map<std::string, std::string>& metadata);

// Writes the tensors (contiguous CPU copies of them, whatever their device or strides) in the
// Python library's layout, atomically (path + ".tmp", then rename). Throws adaptlab::Error for an
// undefined or non-strided tensor or a dtype safetensors cannot hold here (complex, quantized, …).
void save_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace adaptlab::io
