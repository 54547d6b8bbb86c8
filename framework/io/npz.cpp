#include "framework/io/npz.h"

#include <ATen/ATen.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <new>

#include "framework/core/error.h"

namespace adaptlab::io {
namespace {

constexpr size_t kMaxHeaderBytes = 1 << 20;  // numpy itself refuses headers over 10000 bytes by default
constexpr size_t kMaxRank = 25;              // LibTorch's kernels (TensorIterator, CUDA offsets) take at most 25
constexpr std::uint64_t kMaxElementBytes = static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max());

// At most 200 characters of a header, non-printable bytes escaped: a binary or huge header is never
// echoed whole.
std::string shown(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 200; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  if (s.size() > 200) out += fmt::format("…({} more)", s.size() - 200);
  return out;
}

std::string human_bytes(std::uint64_t n) {
  if (n < 10'000) return fmt::format("{} bytes", n);
  const char* unit[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  double v = static_cast<double>(n) / 1000.0;
  int u = 0;
  while (v >= 1000.0 && u < 5) v /= 1000.0, ++u;
  return fmt::format("{} bytes ({:.1f} {})", n, v, unit[u]);
}

// The value of `key` in the header dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }".
std::string header_value(const std::string& h, const std::string& key, const std::string& what) {
  const auto k = h.find("'" + key + "'");
  AL_CHECK(k != std::string::npos, "{}: the .npy header has no '{}': {}", what, key, shown(h));
  size_t v = k + key.size() + 2;
  while (v < h.size() && h[v] == ' ') ++v;
  AL_CHECK(v < h.size() && h[v] == ':', "{}: malformed .npy header: {}", what, shown(h));
  ++v;
  while (v < h.size() && h[v] == ' ') ++v;
  AL_CHECK(v < h.size(), "{}: malformed .npy header: {}", what, shown(h));
  size_t end = std::string::npos;
  if (h[v] == '\'') {
    end = h.find('\'', v + 1);
    if (end != std::string::npos) ++end;
  } else if (h[v] == '(') {
    end = h.find(')', v);
    if (end != std::string::npos) ++end;
  } else {
    end = h.find_first_of(",}", v);
  }
  AL_CHECK(end != std::string::npos && end > v, "{}: malformed .npy header: {}", what, shown(h));
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
  fail("{}: unsupported array dtype {} (little-endian float16/32/64, int32/64, uint8 or bool)", what, shown(descr));
}

// "(3, 4)" / "(3,)" / "()" (also "(3)"): non-negative decimal integers separated by commas, each below
// 2^63. Anything else ("(1, x, 16)", "(-1,)", "(3,,)") is refused with the shape quoted.
std::vector<int64_t> parse_shape(const std::string& s, const std::string& what) {
  auto bad = [&] { fail("{}: shape '{}' is not a tuple of non-negative integers", what, shown(s)); };
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') bad();
  const size_t end = s.size() - 1;
  size_t i = 1;
  auto spaces = [&] {
    while (i < end && s[i] == ' ') ++i;
  };
  std::vector<int64_t> shape;
  spaces();
  while (i < end) {
    if (s[i] < '0' || s[i] > '9') bad();
    std::uint64_t v = 0;
    for (; i < end && s[i] >= '0' && s[i] <= '9'; ++i) {
      const auto d = static_cast<std::uint64_t>(s[i] - '0');
      AL_CHECK(v <= (kMaxElementBytes - d) / 10, "{}: shape '{}' has a dimension of 2^63 or more", what, shown(s));
      v = v * 10 + d;
    }
    shape.push_back(static_cast<int64_t>(v));
    spaces();
    if (i == end) break;
    if (s[i] != ',') bad();
    ++i;
    spaces();
  }
  AL_CHECK(shape.size() <= kMaxRank, "{}: shape '{}' has {} dimensions; at most {} are supported", what, shown(s),
           shape.size(), kMaxRank);
  return shape;
}

// A .npy file's fixed part: magic, version, header length (what follows is `header_len` bytes of header,
// then the data).
struct NpyPrefix {
  size_t size = 0;        // 10 (version 1) or 12 (versions 2, 3)
  size_t header_len = 0;  // the dict's bytes
};

// `b`: at least the first 10 bytes (12 for versions 2 and 3; `have` says how many are there).
NpyPrefix parse_prefix(const unsigned char* b, size_t have, const std::string& what) {
  AL_CHECK(have >= 10 && std::memcmp(b, "\x93NUMPY", 6) == 0, "{}: not a .npy array (no magic)", what);
  NpyPrefix p;
  const int major = b[6];
  if (major == 1) {
    p.header_len = b[8] | (static_cast<size_t>(b[9]) << 8);
    p.size = 10;
  } else {
    AL_CHECK(major == 2 || major == 3, "{}: unknown .npy format version {}", what, major);
    AL_CHECK(have >= 12, "{}: truncated .npy header", what);
    for (int i = 0; i < 4; ++i) p.header_len |= static_cast<size_t>(b[8 + i]) << (8 * i);
    p.size = 12;
  }
  AL_CHECK(p.header_len <= kMaxHeaderBytes, "{}: a .npy header of {} bytes (more than {}): not an array numpy writes",
           what, p.header_len, kMaxHeaderBytes);
  return p;
}

struct NpyHeader {
  at::ScalarType dtype = at::kFloat;
  size_t item = 0;
  bool fortran = false;
  std::vector<int64_t> shape;
  std::string descr, shape_text;  // as the header writes them ("'<f4'", "(3,)")
  std::uint64_t data_bytes = 0;  // item × ∏ shape (checked below 2^63)
};

NpyHeader parse_header(const std::string& h, const std::string& what) {
  NpyHeader r;
  r.descr = header_value(h, "descr", what);
  r.dtype = dtype_of(r.descr, r.item, what);
  const std::string fo = header_value(h, "fortran_order", what);
  AL_CHECK(fo == "True" || fo == "False", "{}: fortran_order '{}' is neither True nor False", what, shown(fo));
  r.fortran = fo == "True";
  const std::string s = header_value(h, "shape", what);
  r.shape = parse_shape(s, what);
  r.shape_text = shown(s);
  // The product of the non-zero dimensions (an empty array of absurd extent is refused too: LibTorch
  // computes with the whole product).
  std::uint64_t bytes = r.item;
  for (const int64_t d : r.shape) {
    if (d == 0) continue;
    AL_CHECK(!__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(d), &bytes) && bytes <= kMaxElementBytes,
             "{}: shape '{}' of {}-byte items holds 2^63 bytes or more", what, shown(s), r.item);
  }
  r.data_bytes = std::count(r.shape.begin(), r.shape.end(), int64_t{0}) > 0 ? 0 : bytes;
  return r;
}

// An uninitialised tensor of the header's dtype and stored layout (Fortran order: the axes reversed). The
// memory is allocated here, not by LibTorch's CPU allocator: that one aborts the process when an
// allocation fails (its enforce is fatal in this build), where a refused allocation must be an error that
// names the member.
at::Tensor empty_for(const NpyHeader& h, const std::string& what) {
  std::vector<int64_t> stored = h.shape;
  if (h.fortran) std::reverse(stored.begin(), stored.end());
  const auto options = at::TensorOptions().dtype(h.dtype);
  if (h.data_bytes == 0) return at::empty(stored, options);
  void* p = nullptr;
  if (posix_memalign(&p, 64, static_cast<size_t>(h.data_bytes)) != 0 || p == nullptr)
    fail("{}: out of memory for an array of dtype {} and shape {} ({})", what, h.descr, h.shape_text,
         human_bytes(h.data_bytes));
  try {
    return at::from_blob(p, stored, [](void* q) { std::free(q); }, options);
  } catch (...) {
    std::free(p);
    throw;
  }
}

// The tensor in the header's logical order (a Fortran-order array permuted back and made contiguous).
at::Tensor finish(at::Tensor t, const NpyHeader& h) {
  if (h.fortran && h.shape.size() > 1) {
    std::vector<int64_t> perm(h.shape.size());
    for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
    t = t.permute(perm).contiguous();
  }
  return t;
}

std::uint64_t env_limit() {
  const char* v = std::getenv("ADAPTLAB_MAX_NPZ_BYTES");
  if (!v) return 0;
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v, &end, 10);
  AL_CHECK(end != v && *end == '\0' && n > 0 && errno == 0 && v[0] != '-',
           "ADAPTLAB_MAX_NPZ_BYTES='{}': expected a positive byte count", v);
  return n;
}

constexpr std::uint64_t kMaxDefault = std::uint64_t{16} << 30;  // 16 GiB
constexpr std::uint64_t kRatio = 100, kSlack = std::uint64_t{64} << 20;

// Reads exactly `n` bytes unless the member ends first; the count read. A read error names the member.
std::uint64_t read_some(zip_file_t* f, void* dst, std::uint64_t n, const std::string& what) {
  auto* p = static_cast<unsigned char*>(dst);
  std::uint64_t got = 0;
  while (got < n) {
    const std::uint64_t chunk = std::min<std::uint64_t>(n - got, std::uint64_t{1} << 24);  // 16 MiB a call
    const zip_int64_t r = zip_fread(f, p + got, chunk);
    AL_CHECK(r >= 0, "{}: corrupt member: {}", what, zip_file_strerror(f));
    if (r == 0) break;
    got += static_cast<std::uint64_t>(r);
  }
  return got;
}

}  // namespace

std::uint64_t default_npz_limit(std::uint64_t archive_bytes) {
  if (const auto e = env_limit()) return e;
  std::uint64_t scaled = 0;
  if (__builtin_mul_overflow(archive_bytes, kRatio, &scaled) || __builtin_add_overflow(scaled, kSlack, &scaled))
    return kMaxDefault;
  return std::min(scaled, kMaxDefault);
}

at::Tensor parse_npy(const std::string& b, const std::string& what) {
  const auto* u = reinterpret_cast<const unsigned char*>(b.data());
  const NpyPrefix p = parse_prefix(u, b.size(), what);
  AL_CHECK(p.size + p.header_len <= b.size(), "{}: truncated .npy header", what);
  const NpyHeader h = parse_header(b.substr(p.size, p.header_len), what);
  const size_t start = p.size + p.header_len;
  AL_CHECK(b.size() - start == h.data_bytes, "{}: {} data bytes for shape ({}) of {}-byte items, expected {}", what,
           b.size() - start, fmt::join(h.shape, ", "), h.item, h.data_bytes);
  auto t = empty_for(h, what);
  if (h.data_bytes > 0) std::memcpy(t.data_ptr(), b.data() + start, h.data_bytes);
  return finish(std::move(t), h);
}

std::map<std::string, at::Tensor> load_npz(const std::string& path, std::uint64_t max_bytes) {
  int err = 0;
  std::unique_ptr<zip_t, decltype(&zip_close)> z(zip_open(path.c_str(), ZIP_RDONLY, &err), &zip_close);
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    const std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    fail("{}: cannot open the .npz archive: {}", path, why);
  }
  std::error_code ec;
  const std::uint64_t file_bytes = std::filesystem::file_size(path, ec);
  AL_CHECK(!ec, "{}: cannot read the archive's size: {}", path, ec.message());
  const std::string env = std::getenv("ADAPTLAB_MAX_NPZ_BYTES") ? std::getenv("ADAPTLAB_MAX_NPZ_BYTES") : "";
  const std::uint64_t limit = max_bytes > 0 ? max_bytes : default_npz_limit(file_bytes);
  const std::string limit_why =
      max_bytes > 0 ? "the caller's limit"
      : !env.empty() ? "ADAPTLAB_MAX_NPZ_BYTES"
                     : fmt::format("100 × the archive's {} + 64 MiB, at most 16 GiB; set ADAPTLAB_MAX_NPZ_BYTES to "
                                   "allow more", human_bytes(file_bytes));

  std::map<std::string, at::Tensor> out;
  std::map<std::string, zip_int64_t> entry_of;  // member name → its entry, for duplicates
  std::uint64_t total = 0;
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    AL_CHECK(zip_stat_index(z.get(), static_cast<zip_uint64_t>(i), 0, &st) == 0, "{}: cannot read entry {}", path, i);
    AL_CHECK((st.valid & ZIP_STAT_NAME) && st.name != nullptr, "{}: entry {} has no name", path, i);
    const std::string member = st.name;
    if (!member.ends_with(".npy")) continue;
    const std::string what = fmt::format("{}: member '{}'", path, member);
    // A name twice: numpy's NpzFile (a dict of zipfile's names) silently reads the last one, this reader
    // used to take the first. Neither is safe: two arrays of one name mean a broken or tampered writer,
    // and which one a model gets must not depend on the reader. Refused.
    if (const auto [it, fresh] = entry_of.emplace(member, i); !fresh)
      fail("{} appears twice in the archive (entries {} and {}): refused, a duplicate means a broken writer "
           "(numpy would silently read the last one)",
           what, it->second, i);
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> f(zip_fopen_index(z.get(), static_cast<zip_uint64_t>(i), 0),
                                                         &zip_fclose);
    AL_CHECK(f != nullptr, "{}: cannot open it: {}", what, zip_strerror(z.get()));
    // The .npy header first: it fixes the member's size before any memory is spent on it.
    unsigned char fixed[12];
    const std::uint64_t first = read_some(f.get(), fixed, 10, what);
    AL_CHECK(first == 10, "{}: not a .npy array ({} bytes)", what, first);
    std::uint64_t have = 10;
    if (fixed[6] >= 2 && std::memcmp(fixed, "\x93NUMPY", 6) == 0) have += read_some(f.get(), fixed + 10, 2, what);
    const NpyPrefix p = parse_prefix(fixed, have, what);
    std::string header(p.header_len, '\0');
    AL_CHECK(read_some(f.get(), header.data(), p.header_len, what) == p.header_len, "{}: truncated .npy header", what);
    const NpyHeader h = parse_header(header, what);
    const std::uint64_t member_bytes = p.size + p.header_len + h.data_bytes;
    AL_CHECK(!(st.valid & ZIP_STAT_SIZE) || st.size == member_bytes,
             "{}: the archive's directory declares {} uncompressed, but the .npy header (dtype {}, shape {}) "
             "implies {}",
             what, human_bytes(st.size), h.descr, h.shape_text, human_bytes(member_bytes));
    if (h.data_bytes > limit || total > limit - h.data_bytes)
      fail("{}: an array of dtype {} and shape {} takes {}{}, more than the limit of {} ({})", what, h.descr,
           h.shape_text, human_bytes(h.data_bytes),
           total > 0 ? fmt::format(" (with the arrays before it {})", human_bytes(total + h.data_bytes)) : "",
           human_bytes(limit), limit_why);
    total += h.data_bytes;
    // Streamed into the tensor's own memory (libzip inflates chunk by chunk): no copy of the member.
    at::Tensor t = empty_for(h, what);
    const std::uint64_t got = h.data_bytes > 0 ? read_some(f.get(), t.data_ptr(), h.data_bytes, what) : 0;
    AL_CHECK(got == h.data_bytes, "{}: {} data bytes for shape {} of {}-byte items, expected {} (truncated)", what,
             got, h.shape_text, h.item, h.data_bytes);
    unsigned char extra = 0;
    AL_CHECK(read_some(f.get(), &extra, 1, what) == 0,
             "{}: more data than its .npy header (shape {} of {}-byte items: {}) implies", what, h.shape_text, h.item,
             human_bytes(h.data_bytes));
    out.emplace(member.substr(0, member.size() - 4), finish(std::move(t), h));
  }
  AL_CHECK(!out.empty(), "{}: the archive holds no .npy arrays", path);
  return out;
}

}  // namespace adaptlab::io
