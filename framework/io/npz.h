// NumPy archives (.npz: a zip of .npy files, stored or deflated, as numpy.savez / savez_compressed write
// them) read into tensors by array name (the member's name without ".npy"). The zip is read with
// libzip (Debian libzip-dev); the .npy headers here (format versions 1–3, little-endian float16/32/64,
// int32/64, uint8, bool; C or Fortran order). Errors name the archive and the member
// ("x.npz: member 'a/b.npy': ...").
//
// Hostile or broken archives are refused before memory is spent on them: each member's .npy header is
// read first and fixes its size (dtype × shape); the size the zip's directory declares must equal it,
// all arrays together must fit the byte limit (below), and the member is then read in chunks straight
// into its tensor, which must end exactly where the header says (a zip bomb stops at its header; a
// directory claiming 4 GB for a small member is a mismatch, not an allocation). A member name that
// appears twice is refused (numpy would read the last one, silently).
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>

namespace adaptlab::io {

// The most bytes the arrays of one archive may take together, when the caller gives no limit:
// $ADAPTLAB_MAX_NPZ_BYTES when set (a byte count: the user raises or lowers it), else the smaller of
// 16 GiB and 100 × the archive's file size + 64 MiB (real weights compress by far less than 100:1;
// a zip bomb by about 1000:1).
std::uint64_t default_npz_limit(std::uint64_t archive_bytes);

// `max_bytes`: the limit on all arrays together (0: default_npz_limit of the file's size).
std::map<std::string, at::Tensor> load_npz(const std::string& path, std::uint64_t max_bytes = 0);

// One .npy file's bytes → a tensor (`what` names it in errors).
at::Tensor parse_npy(const std::string& bytes, const std::string& what);

}  // namespace adaptlab::io
