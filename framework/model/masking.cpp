#include "framework/model/masking.h"

#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <limits>

#include "framework/core/error.h"

namespace adaptlab {

double mask_fill_value(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::ScalarType::Double: return std::numeric_limits<double>::lowest();
    case c10::ScalarType::Float: return static_cast<double>(std::numeric_limits<float>::lowest());
    case c10::ScalarType::Half: return static_cast<double>(std::numeric_limits<c10::Half>::lowest());
    case c10::ScalarType::BFloat16: return static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
    default: fail("mask_fill_value: {} is not a floating-point dtype", c10::toString(dtype));
  }
}

}  // namespace adaptlab
