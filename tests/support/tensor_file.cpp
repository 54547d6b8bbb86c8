#include "support/tensor_file.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "framework/core/error.h"

namespace adaptlab::test {
namespace {

std::string dtype_name(at::ScalarType t) {
  switch (t) {
    case at::kDouble: return "F64";
    case at::kFloat: return "F32";
    case at::kLong: return "I64";
    default: fail("save_tensors: unsupported dtype {}", c10::toString(t));
  }
}

at::ScalarType dtype_of(const std::string& n) {
  if (n == "F64") return at::kDouble;
  if (n == "F32") return at::kFloat;
  if (n == "I64") return at::kLong;
  fail("load_tensors: unsupported dtype {}", n);
}

}  // namespace

void save_tensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& [name, t0] : tensors) {
    const auto t = t0.detach().cpu().contiguous();
    const size_t begin = data.size(), bytes = t.numel() * t.element_size();
    data.append(static_cast<const char*>(t.data_ptr()), bytes);
    header[name] = {{"dtype", dtype_name(t.scalar_type())}, {"shape", t.sizes().vec()}, {"data_offsets", {begin, begin + bytes}}};
  }
  std::string h = header.dump();
  while (h.size() % 8) h += ' ';
  const uint64_t n = h.size();
  std::ofstream f(path, std::ios::binary);
  AL_CHECK(f.good(), "{}: cannot write", path);
  for (int i = 0; i < 8; ++i) f.put(static_cast<char>((n >> (8 * i)) & 0xff));
  f << h << data;
}

std::map<std::string, at::Tensor> load_tensors(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  AL_CHECK(f.good(), "{}: cannot read", path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string all = ss.str();
  AL_CHECK(all.size() >= 8, "{}: too short", path);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(all[i])) << (8 * i);
  AL_CHECK(8 + n <= all.size(), "{}: header length {} beyond the file", path, n);
  const auto header = nlohmann::json::parse(all.substr(8, n));
  std::map<std::string, at::Tensor> out;
  for (const auto& [name, e] : header.items()) {
    if (name == "__metadata__") continue;
    const auto dt = dtype_of(e.at("dtype").get<std::string>());
    const auto shape = e.at("shape").get<std::vector<int64_t>>();
    const auto off = e.at("data_offsets").get<std::vector<uint64_t>>();
    auto t = at::empty(shape, at::TensorOptions().dtype(dt));
    AL_CHECK(off.size() == 2 && off[1] - off[0] == static_cast<uint64_t>(t.numel() * t.element_size()) && 8 + n + off[1] <= all.size(),
             "{}: tensor '{}' has bad offsets", path, name);
    std::memcpy(t.data_ptr(), all.data() + 8 + n + off[0], off[1] - off[0]);
    out.emplace(name, t);
  }
  return out;
}

void run_python(const std::string& script, const std::string& args) {
  const std::string cmd = fmt::format("'{}' '{}' {} 2>&1", ADAPTLAB_PYTHON_EXE, script, args);
  FILE* p = popen(cmd.c_str(), "r");
  AL_CHECK(p != nullptr, "cannot run: {}", cmd);
  std::string out;
  char buf[4096];
  while (size_t k = fread(buf, 1, sizeof buf, p)) out.append(buf, k);
  const int rc = pclose(p);
  AL_CHECK(rc == 0, "python reference failed ({}): {}\n{}", rc, cmd, out);
}

}  // namespace adaptlab::test
