// The one fill value for masked attention logits / scores: the lowest finite value of the tensor's
// dtype (torch.finfo(dtype).min, as Hugging Face's extended attention masks), so that it fits every
// dtype a run computes in (fp16 holds no -1e9 nor float's lowest: LibTorch refuses the conversion).
#pragma once
#include <c10/core/ScalarType.h>

namespace adaptlab {

double mask_fill_value(c10::ScalarType dtype);

}  // namespace adaptlab
