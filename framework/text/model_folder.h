// Model folders (Hugging Face layout: config.json, model.safetensors, a tokenizer's files) found by name
// under models_dirs() (framework/core/build_info.h: the checkout's models/, $ADAPTLAB_MODELS_DIR, ./models)
// or by path; a service backbones and datasets share (a text dataset tokenizes with its model's tokenizer).
#pragma once
#include <memory>
#include <string>

#include "framework/text/tokenizer.h"

namespace adaptlab {

// The model folder `model` names: a path (with a '/'), or a folder name under models_dirs() (an error
// listing where it looked when absent).
std::string pretrained_dir(const std::string& model);
// A dataset's tokenizer option: a tokenizer file (a path to a vocab.txt or .model), or a model folder (a
// path, or a name under models/) — text::load_tokenizer picks the kind by the files.
std::unique_ptr<text::Tokenizer> load_model_tokenizer(const std::string& vocab, bool lower_case);

}  // namespace adaptlab
