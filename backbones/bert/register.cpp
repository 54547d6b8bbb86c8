// The text encoder backbones: `bert` (random init, any size) and `pretrained_text` (a Hugging Face model
// folder, by default the packaged all-MiniLM-L6-v2).
#include <ATen/ATen.h>

#include "backbones/bert/encoder.h"
#include "backbones/bert/pretrained_text.h"
#include "framework/core/error.h"
#include "framework/data/dataset.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {
// Ten token ids per example with padding in one sequence: what the contract test feeds text backbones.
at::Tensor example_ids(int64_t vocab) {
  auto ids = at::randint(1, vocab, {4, 10}, at::kLong);
  ids.narrow(1, 7, 3)[1].fill_(0);
  return ids;
}
}  // namespace

void register_bert(Registries& r) {
  EntryMeta tiny;
  tiny.example_options = "{vocab_size: 50, hidden_size: 16, num_layers: 2, num_heads: 2, intermediate_size: 32, "
                         "max_position: 32, dropout: 0.0}";
  tiny.example_data = std::make_shared<DataInfo>(DataInfo{3, {10}});
  tiny.example_inputs = [] { return example_ids(50); };
  add_entry<EncoderOptions>(
      r.backbones, "bert", "BERT-style text encoder with Hugging Face names (random init)",
      [](const EncoderOptions& o, const DataInfo& info) {
        AL_CHECK(info.input_shape.size() == 1 || (info.input_shape.size() == 2 && info.input_shape[0] == 2),
                 "backbone 'bert' needs token-id inputs [L] (or ids and token types [2, L])");
        return make_encoder(o, info.num_classes, info.input_shape.back());
      },
      tiny);
  EntryMeta minilm;  // the real packaged weights (22.7M parameters)
  minilm.example_options = "{dropout: 0.0}";
  minilm.example_data = std::make_shared<DataInfo>(DataInfo{3, {10}});
  minilm.example_inputs = [] { return example_ids(1000); };
  minilm.inputs = {{"model", InputPath::folder, true}};  // checked at plan time
  add_entry<PretrainedTextOptions>(
      r.backbones, "pretrained_text",
      "pretrained BERT/RoBERTa-style encoder from a model folder (default: the packaged all-MiniLM-L6-v2)",
      [](const PretrainedTextOptions& o, const DataInfo& info) {
        AL_CHECK(info.input_shape.size() == 1 || (info.input_shape.size() == 2 && info.input_shape[0] == 2),
                 "backbone 'pretrained_text' needs token-id inputs [L] (or ids and token types [2, L])");
        return make_pretrained_text(o, info.num_classes, info.input_shape.back());
      },
      minilm);
}

}  // namespace adaptlab
