// Loading pretrained weights into a backbone by parameter name, with every problem listed by name.
//
// Names: our backbones use the checkpoints' own names (timm for ViT, Hugging Face for the encoder),
// so mapping is limited to stripping a model prefix ("bert.", "roberta.", "model.") and dropping
// known non-parameter entries (position_ids buffers). The classifier head is loaded only when its
// shape matches (a new task has a new head). A ViT pos_embed whose grid differs from the model's is
// resized (bicubic, as timm's resample_abs_pos_embed with antialias).
#pragma once
#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace adaptlab {

class Backbone;

struct CheckpointReport {
  std::vector<std::string> loaded, missing, unexpected, mismatched, skipped, resized;
  std::string summary() const;
};

// Throws (listing every missing, unexpected and mismatched tensor by name, with shapes) unless the
// only differences are a skipped head. `origin` names the file in messages.
CheckpointReport load_checkpoint(Backbone& backbone, std::map<std::string, at::Tensor> tensors,
                                 const std::string& origin);

// timm's resample of an absolute position embedding [1, prefix + H·W, C] to a new grid (bicubic,
// antialiased), keeping the `prefix` (class) tokens.
at::Tensor resample_pos_embed(const at::Tensor& pos, int64_t new_grid, int64_t prefix = 1);

}  // namespace adaptlab
