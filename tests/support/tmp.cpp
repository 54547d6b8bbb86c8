#include "support/tmp.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace adaptlab::test {
namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  static std::atomic<int> counter{0};
  const char* env = std::getenv("ADAPTLAB_TEST_TMP");
  const fs::path root = env ? fs::path(env) : fs::temp_directory_path() / "adaptlab-tests";
  const fs::path dir = root / (name + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  const fs::path p = fs::path(dir) / name;
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace adaptlab::test
