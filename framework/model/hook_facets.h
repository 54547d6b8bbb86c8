// Optional interfaces a hook or a backbone may also derive from; found with dynamic_cast, so that the
// widely included hooks.h and backbone.h stay as they are.
//   FfnWrapPlacesDropout  an FfnWrap (hooks.h) that places the FFN sub-layer's output dropout itself
//                         (Variator's released code drops the FFN output before its adapter)
//   KeepsDecoderHidden    an encoder-decoder backbone (T5) that keeps its decoder's last hidden states
#pragma once
#include <ATen/core/Tensor.h>

namespace adaptlab {

// When places_output_dropout() is true the block hands the wrap an FFN whose output has the sub-layer's
// dropout applied already (training only) and drops nothing after the wrap.
class FfnWrapPlacesDropout {
 public:
  virtual ~FfnWrapPlacesDropout() = default;
  virtual bool places_output_dropout() const = 0;
};

// The decoder's last hidden states [B, T, d] of the last forward (after its final norm, as Hugging
// Face's last_hidden_state), kept while keep_decoder_hidden(true); undefined otherwise.
class KeepsDecoderHidden {
 public:
  virtual ~KeepsDecoderHidden() = default;
  virtual void keep_decoder_hidden(bool on) = 0;
  virtual const at::Tensor& decoder_hidden() const = 0;
};

}  // namespace adaptlab
