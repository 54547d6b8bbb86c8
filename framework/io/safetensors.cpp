#include "framework/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "framework/core/error.h"
#include "framework/core/file_io.h"

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; this reader/writer does not byte-swap");

namespace adaptlab::io {
namespace {

using json = nlohmann::json;

// The Python library's limit (MAX_HEADER_SIZE): larger headers are refused before parsing.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
// A real header nests three deep (root, entry, shape); this bounds hostile input.
constexpr int kMaxDepth = 64;
constexpr std::string_view kMetadataKey = "__metadata__";

struct DtypeRow {
  Dtype dtype;
  std::string_view name;
  std::size_t size;
};
constexpr DtypeRow kDtypes[] = {
    {Dtype::F64, "F64", 8}, {Dtype::F32, "F32", 4}, {Dtype::F16, "F16", 2}, {Dtype::BF16, "BF16", 2},
    {Dtype::I64, "I64", 8}, {Dtype::I32, "I32", 4}, {Dtype::I16, "I16", 2}, {Dtype::I8, "I8", 1},
    {Dtype::U8, "U8", 1},   {Dtype::BOOL, "BOOL", 1},
};

const DtypeRow& row(Dtype d) {
  for (const auto& r : kDtypes)
    if (r.dtype == d) return r;
  fail("safetensors: invalid Dtype value {}", static_cast<int>(d));
}

// A JSON value as it appears in the header, shortened for an error message.
std::string shown(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  constexpr std::size_t kMax = 60;
  if (s.size() <= kMax) return s;
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return s.substr(0, cut) + "...";
}

// A non-negative JSON integer, or nothing (negative, fractional, not a number).
std::optional<std::uint64_t> as_index(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

std::uint64_t read_le64(const std::byte* p) {
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return n;
}

// nlohmann's what() starts with "[json.exception.parse_error.101] "; the rest is the useful part.
std::string json_reason(const json::exception& e) {
  std::string s = e.what();
  if (!s.empty() && s[0] == '[') {
    const auto close = s.find("] ");
    if (close != std::string::npos) s.erase(0, close + 2);
  }
  return s;
}

struct ParsedHeader {
  json value;
  std::vector<std::string> order;  // top-level keys in the order they appear
};

// Parses the header, refusing duplicate keys (nlohmann would keep the last silently) and nesting
// deeper than kMaxDepth, and recording the top-level key order (the map forgets it).
ParsedHeader parse_header(std::string_view text, const std::string& origin) {
  ParsedHeader out;
  std::vector<std::set<std::string>> keys;  // one set per open object
  std::string entry;                        // the top-level key being parsed
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start:
        if (depth >= kMaxDepth) fail("{}: header nests deeper than {} levels", origin, kMaxDepth);
        keys.emplace_back();
        break;
      case json::parse_event_t::array_start:
        if (depth >= kMaxDepth) fail("{}: header nests deeper than {} levels", origin, kMaxDepth);
        break;
      case json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case json::parse_event_t::key: {
        const auto& k = parsed.get_ref<const std::string&>();
        if (!keys.empty() && !keys.back().insert(k).second) {
          if (depth == 1) {
            if (k == kMetadataKey) fail("{}: '__metadata__' appears twice in the header", origin);
            fail("{}: tensor '{}' appears twice in the header", origin, k);
          }
          if (entry == kMetadataKey) fail("{}: '__metadata__': key '{}' appears twice", origin, k);
          fail("{}: tensor '{}': key '{}' appears twice", origin, entry, k);
        }
        if (depth == 1) {
          entry = k;
          out.order.push_back(k);
        }
        break;
      }
      default:
        break;
    }
    return true;
  };
  try {
    out.value = json::parse(text.begin(), text.end(), callback);
  } catch (const json::exception& e) {
    fail("{}: header is not valid JSON: {}", origin, json_reason(e));
  }
  if (!out.value.is_object())
    fail("{}: header must be a JSON object of tensors, found {}", origin, shown(out.value));
  return out;
}

std::map<std::string, std::string> parse_metadata(const json& v, const std::string& origin) {
  if (!v.is_object())
    fail("{}: '__metadata__' must be an object of string values, found {}", origin, shown(v));
  std::map<std::string, std::string> out;
  for (const auto& [k, s] : v.items()) {
    if (!s.is_string()) fail("{}: '__metadata__': key '{}' must have a string value, found {}", origin, k, shown(s));
    out.emplace(k, s.get<std::string>());
  }
  return out;
}

// One header entry, validated against the data section's size; `data` is filled in later.
TensorInfo parse_entry(const std::string& name, const json& v, std::uint64_t data_size, const std::string& origin) {
  if (!v.is_object())
    fail("{}: tensor '{}': expected an object with dtype, shape and data_offsets, found {}", origin, name, shown(v));
  for (const auto& [k, _] : v.items())
    if (k != "dtype" && k != "shape" && k != "data_offsets")
      fail("{}: tensor '{}': unexpected key '{}' (expected dtype, shape, data_offsets)", origin, name, k);
  const auto member = [&](const char* key) -> const json& {
    const auto it = v.find(key);
    if (it == v.end()) fail("{}: tensor '{}': missing '{}'", origin, name, key);
    return *it;
  };

  TensorInfo t;
  t.name = name;
  const json& dtype = member("dtype");
  if (!dtype.is_string())
    fail("{}: tensor '{}': 'dtype' must be a string such as \"F32\", found {}", origin, name, shown(dtype));
  const auto parsed = parse_dtype(dtype.get_ref<const std::string&>());
  if (!parsed)
    fail("{}: tensor '{}': unknown dtype {} (known: {})", origin, name, shown(dtype), known_dtypes());
  t.dtype = *parsed;

  const json& shape = member("shape");
  if (!shape.is_array())
    fail("{}: tensor '{}': 'shape' must be an array of non-negative integers, found {}", origin, name, shown(shape));
  std::uint64_t numel = 1;
  bool overflow = false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const auto d = as_index(shape[i]);
    if (!d) fail("{}: tensor '{}': shape[{}] is {}, expected a non-negative integer", origin, name, i, shown(shape[i]));
    if (*d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail("{}: tensor '{}': shape[{}] is {}, larger than 2^63 - 1", origin, name, i, *d);
    t.shape.push_back(static_cast<std::int64_t>(*d));
    overflow = overflow || __builtin_mul_overflow(numel, *d, &numel);
  }
  const std::size_t elem = dtype_size(t.dtype);
  std::uint64_t nbytes = 0;
  overflow = overflow || __builtin_mul_overflow(numel, static_cast<std::uint64_t>(elem), &nbytes) ||
             numel > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  // A zero extent makes the product 0 whatever the other extents are: that is not an overflow.
  if (std::find(t.shape.begin(), t.shape.end(), 0) != t.shape.end())
    numel = nbytes = 0;
  else if (overflow)
    fail("{}: tensor '{}': {} {} has too many elements: its byte size overflows 64 bits", origin, name,
         dtype_name(t.dtype), t.shape);
  t.numel = static_cast<std::int64_t>(numel);

  const json& offsets = member("data_offsets");
  const auto begin = offsets.is_array() && offsets.size() == 2 ? as_index(offsets[0]) : std::nullopt;
  const auto end = offsets.is_array() && offsets.size() == 2 ? as_index(offsets[1]) : std::nullopt;
  if (!begin || !end)
    fail("{}: tensor '{}': 'data_offsets' must be [begin, end] with two non-negative integers, found {}", origin,
         name, shown(offsets));
  t.begin = *begin;
  t.end = *end;
  if (t.begin > t.end) fail("{}: tensor '{}': data_offsets [{}, {}] have begin > end", origin, name, t.begin, t.end);
  if (t.end - t.begin != nbytes)
    fail("{}: tensor '{}': data_offsets [{}, {}] hold {} bytes but {} {} needs {}", origin, name, t.begin, t.end,
         t.end - t.begin, dtype_name(t.dtype), t.shape, nbytes);
  if (t.end > data_size)
    fail("{}: tensor '{}': data_offsets [{}, {}] reach past the end of the data section ({} bytes after the header)",
         origin, name, t.begin, t.end, data_size);
  return t;
}

int open_or_fail(const std::string& path, const char* verb, int flags, mode_t mode = 0) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) fail("{}: cannot {}: {}", path, verb, std::strerror(errno));
  return fd;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string_view dtype_name(Dtype d) { return row(d).name; }
std::size_t dtype_size(Dtype d) { return row(d).size; }

std::optional<Dtype> parse_dtype(std::string_view name) {
  for (const auto& r : kDtypes)
    if (r.name == name) return r.dtype;
  return std::nullopt;
}

std::string known_dtypes() {
  std::string s;
  for (const auto& r : kDtypes) {
    if (!s.empty()) s += ", ";
    s += r.name;
  }
  return s;
}

// ---- reading ----------------------------------------------------------------------------------------

struct SafetensorsFile::Storage {
  const std::byte* data = nullptr;
  std::size_t size = 0;
  std::string owned;       // from_bytes
  void* map = nullptr;     // the file's mapping
  std::size_t map_size = 0;
  ~Storage() {
    if (map != nullptr) ::munmap(map, map_size);
  }
};

SafetensorsFile::SafetensorsFile(std::unique_ptr<Storage> storage, std::string origin)
    : storage_(std::move(storage)), origin_(std::move(origin)) {
  parse();
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : SafetensorsFile(
          [&] {
            // Checked before open(): opening a FIFO would block until a writer came.
            struct stat pre {};
            if (::stat(path.c_str(), &pre) == 0 && !S_ISREG(pre.st_mode)) fail("{}: not a regular file", path);
            Fd f{open_or_fail(path, "open", O_RDONLY | O_NONBLOCK)};
            struct stat st {};
            if (::fstat(f.fd, &st) != 0) fail("{}: cannot stat: {}", path, std::strerror(errno));
            if (!S_ISREG(st.st_mode)) fail("{}: not a regular file", path);
            auto s = std::make_unique<Storage>();
            s->size = static_cast<std::size_t>(st.st_size);
            if (s->size >= 8) {  // smaller files are refused by parse(); mmap cannot map 0 bytes
              void* m = ::mmap(nullptr, s->size, PROT_READ, MAP_PRIVATE, f.fd, 0);
              if (m == MAP_FAILED) fail("{}: cannot map {} bytes: {}", path, s->size, std::strerror(errno));
              s->map = m;
              s->map_size = s->size;
              s->data = static_cast<const std::byte*>(m);
            }
            return s;
          }(),
          path) {}

SafetensorsFile SafetensorsFile::from_bytes(std::string bytes, std::string origin) {
  auto s = std::make_unique<Storage>();
  s->owned = std::move(bytes);
  s->data = reinterpret_cast<const std::byte*>(s->owned.data());
  s->size = s->owned.size();
  return SafetensorsFile(std::move(s), std::move(origin));
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&&) noexcept = default;
SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&&) noexcept = default;
SafetensorsFile::~SafetensorsFile() = default;

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

void SafetensorsFile::parse() {
  const std::byte* p = storage_->data;
  const std::size_t size = storage_->size;
  if (size < 8) fail("{}: file is {} bytes, shorter than the 8-byte header length", origin_, size);
  const std::uint64_t n = read_le64(p);
  if (n > kMaxHeaderBytes)
    fail("{}: header length {} exceeds the limit of {} bytes (file is {} bytes)", origin_, n, kMaxHeaderBytes, size);
  if (n > size - 8)
    fail("{}: header length {} but only {} bytes follow the 8-byte length", origin_, n, size - 8);
  header_size_ = n;
  data_size_ = size - 8 - n;

  const ParsedHeader header =
      parse_header(std::string_view(reinterpret_cast<const char*>(p + 8), static_cast<std::size_t>(n)), origin_);
  for (const auto& key : header.order) {
    const json& v = header.value.at(key);
    if (key == kMetadataKey)
      metadata_ = parse_metadata(v, origin_);
    else
      tensors_.push_back(parse_entry(key, v, data_size_, origin_));
  }

  // File order; (begin, end) puts an empty tensor before a non-empty one at the same offset.
  std::stable_sort(tensors_.begin(), tensors_.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  // Non-empty tensors must not share a byte; sorted by begin, each must start after the previous ends.
  const TensorInfo* last = nullptr;
  std::uint64_t used = 0;
  for (const auto& t : tensors_) {
    if (t.begin == t.end) continue;
    if (last != nullptr && t.begin < last->end)
      fail("{}: tensors '{}' (data_offsets [{}, {}]) and '{}' (data_offsets [{}, {}]) overlap", origin_, last->name,
           last->begin, last->end, t.name, t.begin, t.end);
    last = &t;
    used += t.end - t.begin;
  }
  unused_data_bytes_ = data_size_ - used;

  const std::byte* data = p + 8 + n;
  for (std::size_t i = 0; i < tensors_.size(); ++i) {
    auto& t = tensors_[i];
    t.data = std::span<const std::byte>(data + t.begin, static_cast<std::size_t>(t.end - t.begin));
    index_.emplace(t.name, i);
  }
}

// ---- writing ----------------------------------------------------------------------------------------

namespace {

struct Prepared {
  std::string prefix_and_header;            // 8-byte length + padded JSON
  std::vector<const TensorView*> order;     // data order
};

// A JSON string literal; throws (naming `what`) when `s` is not valid UTF-8.
std::string quoted(const std::string& s, const std::string& where, const std::string& what) {
  try {
    return json(s).dump();
  } catch (const json::exception& e) {
    fail("{}: {} is not valid UTF-8: {}", where, what, json_reason(e));
  }
}

Prepared prepare(const std::vector<TensorView>& tensors, const std::map<std::string, std::string>& metadata,
                 const std::string& where) {
  Prepared out;
  std::set<std::string_view> names;
  for (const auto& t : tensors) {
    if (t.name == kMetadataKey) fail("{}: '__metadata__' is reserved and cannot name a tensor", where);
    if (!names.insert(t.name).second) fail("{}: tensor '{}' is given twice", where, t.name);
    std::uint64_t numel = 1;
    bool overflow = false;
    for (std::size_t i = 0; i < t.shape.size(); ++i) {
      if (t.shape[i] < 0) fail("{}: tensor '{}': shape {} has a negative extent", where, t.name, t.shape);
      overflow = overflow || __builtin_mul_overflow(numel, static_cast<std::uint64_t>(t.shape[i]), &numel);
    }
    std::uint64_t nbytes = 0;
    overflow = overflow || __builtin_mul_overflow(numel, static_cast<std::uint64_t>(dtype_size(t.dtype)), &nbytes);
    if (std::find(t.shape.begin(), t.shape.end(), 0) != t.shape.end())
      nbytes = 0;
    else if (overflow)
      fail("{}: tensor '{}': {} {} has too many elements: its byte size overflows 64 bits", where, t.name,
           dtype_name(t.dtype), t.shape);
    if (t.nbytes != nbytes)
      fail("{}: tensor '{}': {} bytes given but {} {} needs {}", where, t.name, t.nbytes, dtype_name(t.dtype), t.shape,
           nbytes);
    if (t.nbytes > 0 && t.data == nullptr) fail("{}: tensor '{}': data is null", where, t.name);
    out.order.push_back(&t);
  }
  // The Python library's order: descending dtype alignment, then name (byte-wise).
  std::sort(out.order.begin(), out.order.end(), [](const TensorView* a, const TensorView* b) {
    if (a->dtype != b->dtype) return a->dtype > b->dtype;
    return a->name < b->name;
  });

  std::string h = "{";
  if (!metadata.empty()) {
    h += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      if (!first) h += ',';
      first = false;
      h += quoted(k, where, fmt::format("metadata key '{}'", k));
      h += ':';
      h += quoted(v, where, fmt::format("metadata value of '{}'", k));
    }
    h += '}';
  }
  std::uint64_t offset = 0;
  for (const TensorView* t : out.order) {
    if (h.size() > 1) h += ',';
    h += quoted(t->name, where, fmt::format("tensor name '{}'", t->name));
    h += fmt::format(R"(:{{"dtype":"{}","shape":[{}],"data_offsets":[{},{}]}})", dtype_name(t->dtype),
                     fmt::join(t->shape, ","), offset, offset + t->nbytes);
    offset += t->nbytes;
  }
  h += '}';
  h.append((8 - h.size() % 8) % 8, ' ');

  const std::uint64_t n = h.size();
  out.prefix_and_header.resize(8);
  for (int i = 0; i < 8; ++i) out.prefix_and_header[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out.prefix_and_header += h;
  return out;
}

}  // namespace

std::string serialize_safetensors(const std::vector<TensorView>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  const Prepared prep = prepare(tensors, metadata, "serialize_safetensors");
  std::string out = prep.prefix_and_header;
  for (const TensorView* t : prep.order)
    if (t->nbytes > 0) out.append(static_cast<const char*>(t->data), t->nbytes);
  return out;
}

void write_safetensors(const std::string& path, const std::vector<TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  const Prepared prep = prepare(tensors, metadata, path);
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a left-over temporary (or a link of that name: removed, never followed)
  try {
    Fd f{open_or_fail(tmp, "create", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644)};
    write_all(f.fd, prep.prefix_and_header.data(), prep.prefix_and_header.size(), tmp);
    for (const TensorView* t : prep.order)
      if (t->nbytes > 0) write_all(f.fd, t->data, t->nbytes, tmp);
    if (::fsync(f.fd) != 0) fail("{}: cannot sync: {}", tmp, std::strerror(errno));
    const int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0) fail("{}: cannot close: {}", tmp, std::strerror(errno));
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail("{}: cannot rename {} to it: {}", path, tmp, std::strerror(e));
  }
}

}  // namespace adaptlab::io
