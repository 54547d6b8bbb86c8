// Scratch files for tests, under $ADAPTLAB_TEST_TMP (set by CTest) or the system temp dir.
#pragma once
#include <string>

namespace adaptlab::test {

// A fresh, empty directory unique to this call.
std::string fresh_dir(const std::string& name);
// Writes `text` to dir/name and returns the path.
std::string write_file(const std::string& dir, const std::string& name, const std::string& text);

}  // namespace adaptlab::test
