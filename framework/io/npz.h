// NumPy archives (.npz: a zip of .npy files, stored or deflated, as numpy.savez / savez_compressed write
// them) read into tensors by array name (the member's name without ".npy"). The zip is read with
// libzip (Debian libzip-dev); the .npy headers here (format versions 1–3, little-endian float16/32/64,
// int32/64, uint8, bool; C or Fortran order). Errors name the archive and the array.
#pragma once
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace adaptlab::io {

std::map<std::string, at::Tensor> load_npz(const std::string& path);

// One .npy file's bytes → a tensor (`what` names it in errors).
at::Tensor parse_npy(const std::string& bytes, const std::string& what);

}  // namespace adaptlab::io
