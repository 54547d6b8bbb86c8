// Every built-in method, registered explicitly (no static initialisers the linker could drop).
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "methods/linear/linear.h"
#include "methods/lora/lora.h"
#include "methods/pyra/pyra.h"
#include "methods/tome/tome.h"

namespace adaptlab {

void register_methods(Registries& r) {
  add_entry<LinearProbeOptions>(r.methods, "linear", "linear probe: only the classifier head trains",
                                [](const LinearProbeOptions& o) { return make_linear_probe(o); });
  add_entry<LoraOptions>(r.methods, "lora", "LoRA low-rank updates on chosen Linear layers, backbone frozen",
                         [](const LoraOptions& o) { return make_lora(o); });
  add_entry<TomeOptions>(r.methods, "tome", "ToMe token merging after each block's attention (trains nothing itself)",
                         [](const TomeOptions& o) { return make_tome(o); });
  add_entry<PyraOptions>(r.methods, "pyra", "PYRA: ToMe with learnable re-activation of the merged tokens",
                         [](const PyraOptions& o) { return make_pyra(o); });
}

}  // namespace adaptlab
