#include "framework/data/dataset.h"
#include "framework/model/vit.h"
#include "framework/registry/registries.h"

namespace adaptlab {

void register_backbones(Registries& r) {
  add_entry<ViTOptions>(r.backbones, "vit", "Vision Transformer with timm parameter names (random init)",
                        [](const ViTOptions& o, const DataInfo& info) {
                          AL_CHECK(info.input_shape.size() == 3, "backbone 'vit' needs image inputs [C, H, W]");
                          AL_CHECK(info.input_shape[0] == o.in_chans && info.input_shape[1] == o.img_size &&
                                       info.input_shape[2] == o.img_size,
                                   "backbone 'vit' expects inputs [{}, {}, {}] but the dataset gives [{}, {}, {}]",
                                   o.in_chans, o.img_size, o.img_size, info.input_shape[0], info.input_shape[1],
                                   info.input_shape[2]);
                          return make_vit(o, info.num_classes);
                        });
}

}  // namespace adaptlab
