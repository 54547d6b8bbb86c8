// Precompiled header for the library's LibTorch-heavy sources (see CMakeLists.txt). Sources still
// include the narrow headers they need, so they also build without it.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/module.h>
