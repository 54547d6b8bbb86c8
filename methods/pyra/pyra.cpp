#include "methods/pyra/pyra.h"

namespace adaptlab {

std::unique_ptr<Method> make_pyra(const PyraOptions& options) { return make_token_merging(options, true); }

}  // namespace adaptlab
