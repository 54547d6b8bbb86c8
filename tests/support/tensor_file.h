// Named tensors in the safetensors layout (8-byte little-endian header length, JSON header, raw
// data), for exchanging test inputs and reference outputs with the Python side. Test support only:
// F64, F32 and I64, contiguous, little-endian.
#pragma once
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace adaptlab::test {

void save_tensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors);
std::map<std::string, at::Tensor> load_tensors(const std::string& path);

// Runs `python3 script args…` with the project's Python (the one whose torch we link); throws with
// the command's output when it fails.
void run_python(const std::string& script, const std::string& args);

}  // namespace adaptlab::test
