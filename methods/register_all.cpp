// Every built-in method, registered explicitly (no static initialisers the linker could drop).
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "methods/linear/linear.h"
#include "methods/lora/lora.h"

namespace adaptlab {

void register_methods(Registries& r) {
  add_entry<LinearProbeOptions>(r.methods, "linear", "linear probe: only the classifier head trains",
                                [](const LinearProbeOptions& o) { return make_linear_probe(o); });
  add_entry<LoraOptions>(r.methods, "lora", "LoRA low-rank updates on chosen Linear layers, backbone frozen",
                         [](const LoraOptions& o) { return make_lora(o); });
}

}  // namespace adaptlab
