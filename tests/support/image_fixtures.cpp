#include "support/image_fixtures.h"

#include <fmt/format.h>

#include "support/tensor_file.h"
#include "support/tmp.h"

namespace adaptlab::test {

std::string image_fixtures() {
  static const std::string dir = [] {
    const auto d = fresh_dir("image-fixtures");
    run_python(fmt::format("{}/tools/data/make_image_fixtures.py", ADAPTLAB_SOURCE_DIR), fmt::format("'{}'", d));
    return d;
  }();
  return dir;
}

}  // namespace adaptlab::test
