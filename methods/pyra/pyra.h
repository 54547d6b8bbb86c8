// PYRA: Parallel Yielding Re-Activation (Xiong et al., ECCV 2024) — ToMe whose merged source tokens are
// re-weighted by a learnable modulation before the size-weighted average (see methods/tome/tome_ops.h
// for the equations). With W_b = 0 at initialisation it computes exactly what ToMe computes.
// Used with LoRA on the fused qkv: `methods: [{name: lora, ...}, {name: pyra, r: b16-low}]`.
//
// Learning rate: the reference code has a flag for a separate PYRA learning rate but trains PYRA's
// tensors at the base rate; so does this method by default. `lr:` on the method (MethodOptim) gives
// them their own rate.
#pragma once
#include <memory>

#include "methods/tome/tome.h"

namespace adaptlab {

// The same options as ToMe (r, prop_attn, trace_source, train_head).
using PyraOptions = TomeOptions;

std::unique_ptr<Method> make_pyra(const PyraOptions& options);

}  // namespace adaptlab
