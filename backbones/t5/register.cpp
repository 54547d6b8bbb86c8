// The T5 backbones: `t5` (random init, any size) and `pretrained_t5` (a Hugging Face T5 folder).
#include <ATen/ATen.h>

#include "backbones/t5/t5.h"
#include "framework/core/error.h"
#include "framework/data/dataset.h"
#include "framework/registry/registries.h"

namespace adaptlab {

namespace {
void check_text(const DataInfo& info, const char* name) {
  AL_CHECK(info.input_shape.size() == 1 || (info.input_shape.size() == 2 && info.input_shape[0] == 2),
           "backbone '{}' needs token-id inputs [L] (or ids and token types [2, L])", name);
  AL_CHECK(info.num_classes >= 2, "backbone '{}' classifies with a verbalizer; a regression task ({} output) is not "
           "supported", name, info.num_classes);
}
}  // namespace

void register_t5(Registries& r) {
  EntryMeta tiny;
  tiny.example_options = "{vocab_size: 60, d_model: 16, d_kv: 4, d_ff: 24, num_layers: 2, num_decoder_layers: 1, "
                         "num_heads: 4, relative_attention_num_buckets: 8, relative_attention_max_distance: 16, "
                         "dropout: 0.0, feed_forward: relu, tie_word_embeddings: false, scale_decoder_outputs: false, label_ids: [5, 6, 7], "
                         "decoder_input: [0, 59]}";
  tiny.example_data = std::make_shared<DataInfo>(DataInfo{3, {10}});
  tiny.inputs = {{"model", InputPath::folder, true}};  // checked at plan time
  tiny.example_inputs = [] {
    auto ids = at::randint(3, 60, {4, 10}, at::kLong);
    ids.narrow(1, 7, 3)[1].fill_(0);
    return ids;
  };
  add_entry<T5Options>(
      r.backbones, "t5", "T5 encoder-decoder (v1.0 / v1.1; a Hugging Face folder or random init) classifying by a verbalizer",
      [](const T5Options& o, const DataInfo& info) {
        check_text(info, "t5");
        return make_t5(o, info.num_classes, info.input_shape.back());
      },
      tiny);
}

}  // namespace adaptlab
