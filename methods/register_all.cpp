// Every built-in method, registered explicitly (no static initialisers the linker could drop).
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "methods/adapter/adapter.h"
#include "methods/bitfit/bitfit.h"
#include "methods/full/full.h"
#include "methods/linear/linear.h"
#include "methods/lora/lora.h"
#include "methods/pyra/pyra.h"
#include "methods/tome/tome.h"
#include "methods/variator/variator.h"
#include "methods/vpt/vpt.h"

namespace adaptlab {

void register_methods(Registries& r) {
  add_method<FullOptions>(r, "full", "full fine-tuning: every backbone tensor trains",
                          [](const FullOptions& o) { return make_full(o); });
  add_method<LinearProbeOptions>(r, "linear", "linear probe: only the classifier head trains",
                                 [](const LinearProbeOptions& o) { return make_linear_probe(o); });
  add_method<BitFitOptions>(r, "bitfit", "BitFit: only bias terms (and the head) train",
                            [](const BitFitOptions& o) { return make_bitfit(o); });
  add_method<LoraOptions>(r, "lora", "LoRA low-rank updates on chosen Linear layers, backbone frozen",
                          [](const LoraOptions& o) { return make_lora(o); });
  add_method<AdapterOptions>(r, "adapter", "bottleneck adapters, sequential (Houlsby) or parallel (AdaptFormer)",
                             [](const AdapterOptions& o) { return make_adapter(o); });
  add_method<VptOptions>(r, "vpt", "visual prompt tuning: learnable prompt tokens, shallow or deep",
                         [](const VptOptions& o) { return make_vpt(o); });
  add_method<TomeOptions>(r, "tome", "ToMe token merging after each block's attention (trains nothing itself)",
                          [](const TomeOptions& o) { return make_tome(o); });
  add_method<PyraOptions>(r, "pyra", "PYRA: ToMe with learnable re-activation of the merged tokens",
                          [](const PyraOptions& o) { return make_pyra(o); });
  add_method<VariatorOptions>(r, "variator",
                              "Variator: plug-and-play compression of k tokens per FFN call (distilled from the "
                              "uncompressed network; evaluated at every k)",
                              [](const VariatorOptions& o) { return make_variator(o); });
}

}  // namespace adaptlab
