// What this binary was built from: git commit, dirty flag, LibTorch version.
#pragma once
#include <string>
#include <vector>

namespace adaptlab {

struct BuildInfo {
  std::string git_sha;    // commit when this binary was built, "unknown" outside a git checkout
  bool git_dirty = false; // uncommitted changes to tracked files when it was built
  std::string torch_version;
  bool torch_cuda = false;  // LibTorch was built with CUDA and the CUDA paths are compiled in
  std::string version;      // adaptlab's version (CMake's project version)
};

// "adaptlab 0.1.0 (commit 1a2b3c4, dirty), LibTorch 2.11.0 (CPU), plugin API 5" — what --version prints.
std::string version_line(int plugin_api);

// Where packaged pretrained models are looked for, in order: $ADAPTLAB_MODELS_DIR; models/ beside the
// executable's folder (<checkout>/models for build/adaptlab, where tools/setup.sh links the pip-installed
// packages; <prefix>/share/adaptlab/models for an installed one); ./models. Nothing is baked in at
// build time, so a moved checkout or an installed binary still finds them.
std::vector<std::string> models_dirs();
// The first of models_dirs() holding `name` (a folder), or "" when none does.
std::string find_model_dir(const std::string& name);

const BuildInfo& build_info();

}  // namespace adaptlab
