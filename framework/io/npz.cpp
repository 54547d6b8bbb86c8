#include "framework/io/npz.h"

#include <ATen/ATen.h>
#include <zip.h>

#include <cstring>
#include <memory>

#include "framework/core/error.h"

namespace adaptlab::io {
namespace {

// The value of `key` in the header dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }".
std::string header_value(const std::string& h, const std::string& key, const std::string& what) {
  const auto k = h.find("'" + key + "'");
  AL_CHECK(k != std::string::npos, "{}: the .npy header has no '{}': {}", what, key, h);
  auto v = h.find(':', k);
  AL_CHECK(v != std::string::npos, "{}: malformed .npy header: {}", what, h);
  ++v;
  while (v < h.size() && h[v] == ' ') ++v;
  size_t end = v;
  if (h[v] == '\'') end = h.find('\'', v + 1) + 1;
  else if (h[v] == '(') end = h.find(')', v) + 1;
  else end = h.find_first_of(",}", v);
  AL_CHECK(end != std::string::npos && end > v, "{}: malformed .npy header: {}", what, h);
  return h.substr(v, end - v);
}

at::ScalarType dtype_of(const std::string& descr, size_t& item, const std::string& what) {
  struct D {
    const char* d;
    at::ScalarType t;
    size_t n;
  };
  static const D known[] = {{"'<f4'", at::kFloat, 4}, {"'<f8'", at::kDouble, 8}, {"'<f2'", at::kHalf, 2},
                            {"'<i8'", at::kLong, 8},  {"'<i4'", at::kInt, 4},    {"'|u1'", at::kByte, 1},
                            {"'|b1'", at::kBool, 1}};
  for (const auto& k : known)
    if (descr == k.d) {
      item = k.n;
      return k.t;
    }
  fail("{}: unsupported array dtype {} (little-endian float16/32/64, int32/64, uint8 or bool)", what, descr);
}

}  // namespace

at::Tensor parse_npy(const std::string& b, const std::string& what) {
  AL_CHECK(b.size() >= 10 && std::memcmp(b.data(), "\x93NUMPY", 6) == 0, "{}: not a .npy array (no magic)", what);
  const int major = static_cast<unsigned char>(b[6]);
  size_t len = 0, start = 0;
  if (major == 1) {
    len = static_cast<unsigned char>(b[8]) | (static_cast<size_t>(static_cast<unsigned char>(b[9])) << 8);
    start = 10;
  } else {
    AL_CHECK(major == 2 || major == 3, "{}: unknown .npy format version {}", what, major);
    AL_CHECK(b.size() >= 12, "{}: truncated .npy header", what);
    for (int i = 0; i < 4; ++i) len |= static_cast<size_t>(static_cast<unsigned char>(b[8 + i])) << (8 * i);
    start = 12;
  }
  AL_CHECK(start + len <= b.size(), "{}: truncated .npy header", what);
  const std::string h = b.substr(start, len);
  size_t item = 0;
  const auto dtype = dtype_of(header_value(h, "descr", what), item, what);
  const bool fortran = header_value(h, "fortran_order", what) == "True";
  std::vector<int64_t> shape;
  const std::string s = header_value(h, "shape", what);
  for (size_t i = 1; i < s.size();) {  // "(3, 4)" / "(3,)" / "()"
    const size_t j = s.find_first_of(",)", i);
    const std::string num = s.substr(i, j - i);
    if (num.find_first_not_of(' ') != std::string::npos) shape.push_back(std::stoll(num));
    i = j + 1;
  }
  int64_t n = 1;
  for (auto d : shape) n *= d;
  const size_t bytes = static_cast<size_t>(n) * item;
  AL_CHECK(b.size() - start - len == bytes, "{}: {} data bytes for shape ({}) of {}-byte items, expected {}", what,
           b.size() - start - len, fmt::join(shape, ", "), item, bytes);
  std::vector<int64_t> stored = shape;
  if (fortran) std::reverse(stored.begin(), stored.end());
  auto t = at::empty(stored, at::TensorOptions().dtype(dtype));
  std::memcpy(t.data_ptr(), b.data() + start + len, bytes);
  if (fortran && shape.size() > 1) {  // the stored axes are reversed: permute back, make contiguous
    std::vector<int64_t> perm(shape.size());
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
    t = t.permute(perm).contiguous();
  }
  return t;
}

std::map<std::string, at::Tensor> load_npz(const std::string& path) {
  int err = 0;
  std::unique_ptr<zip_t, decltype(&zip_close)> z(zip_open(path.c_str(), ZIP_RDONLY, &err), &zip_close);
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    const std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    fail("{}: cannot open the .npz archive: {}", path, why);
  }
  std::map<std::string, at::Tensor> out;
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    AL_CHECK(zip_stat_index(z.get(), static_cast<zip_uint64_t>(i), 0, &st) == 0, "{}: cannot read entry {}", path, i);
    std::string name = st.name;
    if (!name.ends_with(".npy")) continue;
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> f(zip_fopen_index(z.get(), static_cast<zip_uint64_t>(i), 0),
                                                         &zip_fclose);
    AL_CHECK(f != nullptr, "{}: cannot open member {}: {}", path, name, zip_strerror(z.get()));
    std::string bytes(static_cast<size_t>(st.size), '\0');
    const zip_int64_t got = zip_fread(f.get(), bytes.data(), st.size);
    AL_CHECK(got == static_cast<zip_int64_t>(st.size), "{}: member {} is truncated or corrupt", path, name);
    name.resize(name.size() - 4);
    out.emplace(name, parse_npy(bytes, path + ":" + name));
  }
  AL_CHECK(!out.empty(), "{}: the archive holds no .npy arrays", path);
  return out;
}

}  // namespace adaptlab::io
