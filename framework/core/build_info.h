// What this binary was built from: git commit, dirty flag, LibTorch version.
#pragma once
#include <string>

namespace adaptlab {

struct BuildInfo {
  std::string git_sha;    // commit at configure time, "unknown" outside a git checkout
  bool git_dirty = false; // uncommitted changes at configure time
  std::string torch_version;
  bool torch_cuda = false;  // LibTorch was built with CUDA and the CUDA paths are compiled in
  std::string source_dir;   // the checkout this binary was configured from
};

// Where packaged pretrained models are found: $ADAPTLAB_MODELS_DIR, else <source_dir>/models (tools/setup.sh
// links the pip-installed packages there).
std::string models_dir();

const BuildInfo& build_info();

}  // namespace adaptlab
