#include "methods/pyra/pyra.h"
#include "framework/registry/registries.h"

namespace adaptlab {

std::unique_ptr<Method> make_pyra(const PyraOptions& options) { return make_token_merging(options, true); }

void register_pyra(Registries& r) {
  EntryMeta meta;  // options for the method contract test
  meta.example_options = "{r: 1}";
  // per block: the re-activation weights w_a, w_b and its LayerNorm's weight and bias; no head (train_head false)
  meta.example_trains = R"(.*\.pyra\..*)";
  meta.example_trains_per_block = 4;
  add_entry<PyraOptions>(r.methods, "pyra", "PYRA: ToMe with learnable re-activation of the merged tokens",
                 [](const PyraOptions& o) { return make_pyra(o); }, meta);
}

}  // namespace adaptlab
