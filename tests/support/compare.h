// Numerical comparison for parity tests.
#pragma once
#include <ATen/core/Tensor.h>

namespace adaptlab::test {

// max |a − b| / max |b| (b the reference); throws when the shapes differ, which fails the test.
double rel_err(const at::Tensor& a, const at::Tensor& b);

}  // namespace adaptlab::test
