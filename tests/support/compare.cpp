#include "support/compare.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "framework/core/error.h"

namespace adaptlab::test {

double rel_err(const at::Tensor& a, const at::Tensor& b) {
  AL_CHECK(a.sizes() == b.sizes(), "rel_err: shapes differ: [{}] vs reference [{}]", fmt::join(a.sizes(), ", "),
           fmt::join(b.sizes(), ", "));
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), 1e-300);
}

}  // namespace adaptlab::test
