// Every built-in dataset, registered explicitly.
#include "datasets/synthetic/synthetic.h"
#include "framework/registry/registries.h"

namespace adaptlab {

void register_datasets(Registries& r) {
  add_entry<SyntheticOptions>(r.datasets, "synthetic",
                              "deterministic synthetic image classification (class patterns + noise)",
                              [](const SyntheticOptions& o) { return make_synthetic(o); });
}

}  // namespace adaptlab
