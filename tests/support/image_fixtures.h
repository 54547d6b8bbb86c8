// The image data sets in their real on-disk formats (tools/data/make_image_fixtures.py), written once per
// test process: <dir>/folder (image_folder), <dir>/vtab1k (19 tasks), <dir>/cifar10, <dir>/cifar100.
#pragma once
#include <string>

namespace adaptlab::test {

std::string image_fixtures();

}  // namespace adaptlab::test
