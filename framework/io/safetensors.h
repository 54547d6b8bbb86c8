// safetensors files (https://huggingface.co/docs/safetensors) without LibTorch: a validating,
// memory-mapped reader and an atomic writer. The LibTorch adapter is framework/io/safetensors_torch.h.
//
// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the first byte after the
// header) plus an optional "__metadata__" object of strings, then the raw little-endian, C-contiguous
// tensor data.
//
// Reading validates everything before any tensor is handed out; every problem is an adaptlab::Error
// whose message names the file, the tensor and what was expected vs found. Untrusted input never
// crashes the reader (tools/fuzz/fuzz_safetensors.cpp; its corpus is replayed by the tests).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace adaptlab::io {

// Element types. The enumerator order is the safetensors library's alignment order (its Rust Dtype
// enum): the writer stores larger ranks first, as the Python `save_file` does.
enum class Dtype : std::uint8_t { BOOL, U8, I8, I16, F16, BF16, I32, F32, F64, I64 };

std::string_view dtype_name(Dtype d);  // "F32", …
std::size_t dtype_size(Dtype d);       // bytes per element
std::optional<Dtype> parse_dtype(std::string_view name);
// "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL", for error messages.
std::string known_dtypes();

// One tensor of an opened file. `data` points into the file's mapping (or owned buffer), lives as
// long as the SafetensorsFile, and may be unaligned (files from other writers need not pad their
// header): copy it out with memcpy rather than casting the pointer.
struct TensorInfo {
  std::string name;
  Dtype dtype = Dtype::F32;
  std::vector<std::int64_t> shape;  // [] for a 0-d tensor; entries may be 0 (empty tensor)
  std::int64_t numel = 1;           // product of shape (1 for a 0-d tensor)
  std::uint64_t begin = 0, end = 0;  // data_offsets as stored in the header
  std::span<const std::byte> data;   // end - begin bytes
};

class SafetensorsFile {
 public:
  // Maps `path` read-only and validates it; throws adaptlab::Error ("<path>: …") when it cannot be
  // opened or is not a well-formed safetensors file.
  explicit SafetensorsFile(const std::string& path);
  // The same over an owned buffer; `origin` names it in error messages.
  static SafetensorsFile from_bytes(std::string bytes, std::string origin);

  SafetensorsFile(SafetensorsFile&&) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

  // In file order: by data offset (for files written by the safetensors library this is also the
  // header's order); tensors at the same offset (empty ones) keep the header's order.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  // nullptr when there is no tensor of that name.
  const TensorInfo* find(std::string_view name) const;
  // The "__metadata__" object; empty when the file has none.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  const std::string& origin() const { return origin_; }
  std::uint64_t header_size() const { return header_size_; }  // N, the JSON header's length
  std::uint64_t data_size() const { return data_size_; }      // bytes after the header
  // Data-section bytes no tensor covers. Allowed (the reader does not need them), but the Python
  // library refuses such files, so tools may want to warn.
  std::uint64_t unused_data_bytes() const { return unused_data_bytes_; }

 private:
  struct Storage;  // the mapping or the owned buffer
  SafetensorsFile(std::unique_ptr<Storage> storage, std::string origin);
  void parse();

  std::unique_ptr<Storage> storage_;
  std::string origin_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, std::size_t, std::less<>> index_;  // name -> position in tensors_
  std::map<std::string, std::string> metadata_;
  std::uint64_t header_size_ = 0, data_size_ = 0, unused_data_bytes_ = 0;
};

// A tensor to write: `nbytes` little-endian, C-contiguous bytes at `data` (may be null when 0).
struct TensorView {
  std::string name;
  Dtype dtype = Dtype::F32;
  std::vector<std::int64_t> shape;
  const void* data = nullptr;
  std::size_t nbytes = 0;
};

// Writes a safetensors file the way the Python library's `save_file` does: tensors ordered by
// descending dtype alignment (the Dtype order above) then by name, stored back to back with no gaps;
// a compact JSON header ("__metadata__" first when not empty, then the tensors in data order) padded
// with spaces to a multiple of 8 bytes, so every tensor's data is aligned to its element size.
// Writes path + ".tmp" and renames it over `path`, so readers never see a half-written file.
// Throws adaptlab::Error on a bad view (duplicate or reserved name, size vs shape mismatch, …) or an
// I/O failure.
void write_safetensors(const std::string& path, const std::vector<TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// The bytes write_safetensors would write (for tests and in-memory use).
std::string serialize_safetensors(const std::vector<TensorView>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});

}  // namespace adaptlab::io
