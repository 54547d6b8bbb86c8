// Replays the safetensors fuzzer's corpus (valid and hostile seeds, plus every input that once made
// the fuzzer fail): each file must either parse or be refused with an adaptlab::Error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"

#ifndef ADAPTLAB_SOURCE_DIR
#define ADAPTLAB_SOURCE_DIR ADAPTLAB_TESTS_DIR "/.."
#endif

namespace fs = std::filesystem;

TEST_CASE("safetensors: every fuzz corpus file parses or is refused with an Error", "[io]") {
  const fs::path dir = ADAPTLAB_SOURCE_DIR "/tools/fuzz/corpus/safetensors";
  REQUIRE(fs::is_directory(dir));
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 10);

  int parsed = 0, refused = 0;
  for (const auto& path : files) {
    INFO("corpus file " << path.string());
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    try {
      const auto file = adaptlab::io::SafetensorsFile::from_bytes(ss.str(), path.filename().string());
      unsigned sum = 0;
      for (const auto& t : file.tensors())
        for (const std::byte b : t.data) sum += static_cast<unsigned>(b);
      (void)sum;
      ++parsed;
      // Seeds are named for what they are.
      CHECK(path.filename().string().rfind("bad_", 0) != 0);
    } catch (const adaptlab::Error& e) {
      ++refused;
      // The message always starts with the origin it was given.
      CHECK(std::string(e.what()).rfind(path.filename().string() + ": ", 0) == 0);
      CHECK(path.filename().string().rfind("valid_", 0) != 0);
    } catch (const std::exception& e) {
      FAIL("not an adaptlab::Error: " << e.what());
    }
  }
  CHECK(parsed > 0);
  CHECK(refused > 0);
}
