#include "framework/core/log.h"
#include "framework/data/dataset.h"
#include "framework/io/safetensors_torch.h"
#include "framework/io/torch_pickle.h"
#include "framework/model/checkpoint.h"
#include "framework/model/encoder.h"
#include "framework/model/pretrained_text.h"
#include "framework/model/vit.h"
#include "framework/registry/registries.h"

namespace adaptlab {

void register_backbones(Registries& r) {
  add_entry<ViTOptions>(r.backbones, "vit",
                        "Vision Transformer with timm parameter names (random init, or a timm checkpoint)",
                        [](const ViTOptions& given, const DataInfo& info) {
                          const ViTOptions o = resolve_vit_preset(given);
                          AL_CHECK(info.input_shape.size() == 3, "backbone 'vit' needs image inputs [C, H, W]");
                          AL_CHECK(info.input_shape[0] == o.in_chans && info.input_shape[1] == o.img_size &&
                                       info.input_shape[2] == o.img_size,
                                   "backbone 'vit' expects inputs [{}, {}, {}] but the dataset gives [{}, {}, {}]",
                                   o.in_chans, o.img_size, o.img_size, info.input_shape[0], info.input_shape[1],
                                   info.input_shape[2]);
                          auto b = make_vit(o, info.num_classes);
                          if (!o.checkpoint.empty()) {
                            const auto rep = load_checkpoint(*b, io::load_weights(o.checkpoint), o.checkpoint);
                            log::info("{}: {}", o.checkpoint, rep.summary());
                          }
                          return b;
                        });
  add_entry<EncoderOptions>(r.backbones, "bert", "BERT-style text encoder with Hugging Face names (random init)",
                            [](const EncoderOptions& o, const DataInfo& info) {
                              AL_CHECK(info.input_shape.size() == 1, "backbone 'bert' needs token-id inputs [L]");
                              return make_encoder(o, info.num_classes, info.input_shape[0]);
                            });
  add_entry<PretrainedTextOptions>(
      r.backbones, "pretrained_text",
      "pretrained BERT/RoBERTa-style encoder from a model folder (default: the packaged all-MiniLM-L6-v2)",
      [](const PretrainedTextOptions& o, const DataInfo& info) {
        AL_CHECK(info.input_shape.size() == 1, "backbone 'pretrained_text' needs token-id inputs [L]");
        return make_pretrained_text(o, info.num_classes, info.input_shape[0]);
      });
}

}  // namespace adaptlab
