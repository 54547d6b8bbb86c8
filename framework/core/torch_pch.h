// Precompiled header for the library's LibTorch-using sources (see CMakeLists.txt). Sources still
// include the narrow headers they need, so they also build without it.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn.h>
#include <torch/optim.h>
