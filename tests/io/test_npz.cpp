// The .npz reader against hostile and broken archives (tests/io/make_hostile_npz.py writes them): shapes
// that are not tuples of non-negative integers, too large or of too many dimensions; a duplicated member;
// data longer or shorter than the header says; a directory that claims 4 GB; a zip bomb. Each is refused
// before memory is spent on it, with the archive and the member named. (The CLI repros with memory
// limits are tests/faults/model_files.sh.)
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <cstdlib>
#include <string>

#include "framework/io/npz.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {
std::string hostile_dir() {
  static const std::string dir = [] {
    const auto d = test::fresh_dir("npz-hostile");
    test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/io/make_hostile_npz.py", "'" + d + "' --bomb");
    return d;
  }();
  return dir;
}
}  // namespace

TEST_CASE("npz: a well-formed archive loads (C and Fortran order, empty arrays, other members skipped)", "[io][npz]") {
  const auto t = io::load_npz(hostile_dir() + "/ok.npz");
  REQUIRE(t.size() == 3);
  const auto want = at::tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f});
  CHECK(at::equal(t.at("a/b"), want.reshape({2, 3})));
  CHECK(at::equal(t.at("f"), want.reshape({3, 2}).t()));
  CHECK(t.at("empty").sizes() == at::IntArrayRef({0, 5}));
  CHECK(t.at("empty").scalar_type() == at::kLong);
}

TEST_CASE("npz: bad shapes are named with the archive, the member and the shape", "[io][npz]") {
  const auto d = hostile_dir();
  const std::string m = ": member 'Transformer/encoder_norm/scale.npy': shape ";
  CHECK_THROWS_WITH(io::load_npz(d + "/shape_text.npz"),
                    d + "/shape_text.npz" + m + "'(1, x, 16)' is not a tuple of non-negative integers");
  CHECK_THROWS_WITH(io::load_npz(d + "/shape_neg.npz"),
                    d + "/shape_neg.npz" + m + "'(-1, 16)' is not a tuple of non-negative integers");
  CHECK_THROWS_WITH(io::load_npz(d + "/shape_big.npz"),
                    d + "/shape_big.npz" + m + "'(99999999999999999999, 16)' has a dimension of 2^63 or more");
  CHECK_THROWS_WITH(io::load_npz(d + "/shape_prod.npz"),
                    d + "/shape_prod.npz" + m + "'(4294967296, 4294967296, 16)' of 4-byte items holds 2^63 bytes or more");
  CHECK_THROWS_WITH(io::load_npz(d + "/shape_rank.npz"),
                    Catch::StartsWith(d + "/shape_rank.npz" + m + "'(1, 1, 1") &&
                        Catch::EndsWith("has 30 dimensions; at most 25 are supported"));
}

TEST_CASE("npz: a duplicated member is refused (numpy would read the last one)", "[io][npz]") {
  const auto d = hostile_dir();
  CHECK_THROWS_WITH(io::load_npz(d + "/dup.npz"),
                    d + "/dup.npz: member 'cls.npy' appears twice in the archive (entries 0 and 1): refused, a "
                        "duplicate means a broken writer (numpy would silently read the last one)");
}

TEST_CASE("npz: data that disagrees with the header or the directory is refused", "[io][npz]") {
  const auto d = hostile_dir();
  CHECK_THROWS_WITH(io::load_npz(d + "/trailing.npz"),
                    d + "/trailing.npz: member 'cls.npy': the archive's directory declares 160 bytes uncompressed, "
                        "but the .npy header (dtype '<f4', shape (4,)) implies 144 bytes");
  // The directory agrees with the header; the deflated data is longer / shorter.
  CHECK_THROWS_WITH(io::load_npz(d + "/longer.npz"), d + "/longer.npz: member 'cls.npy': more data than its .npy "
                                                         "header (shape (4,) of 4-byte items: 16 bytes) implies");
  CHECK_THROWS_WITH(io::load_npz(d + "/shorter.npz"), d + "/shorter.npz: member 'cls.npy': 16 data bytes for shape "
                                                          "(8,) of 4-byte items, expected 32 (truncated)");
  CHECK_THROWS_WITH(io::load_npz(d + "/claims4g.npz"),
                    d + "/claims4g.npz: member 'embedding/kernel.npy': the archive's directory declares 4000000000 "
                        "bytes (4.0 GB) uncompressed, but the .npy header (dtype '<f4', shape (1, 8192)) implies "
                        "32896 bytes (32.9 kB)");
}

TEST_CASE("npz: a zip bomb stops at its header, under the size limit, the limit is the user's to raise",
          "[io][npz]") {
  const auto d = hostile_dir();
  const std::string bomb = d + "/bomb.npz";
  CHECK_THROWS_WITH(io::load_npz(bomb),
                    Catch::StartsWith(bomb + ": member 'embedding/kernel.npy': an array of dtype '<f4' and shape "
                                             "(875000000,) takes 3500000000 bytes (3.5 GB), more than the limit of ") &&
                        Catch::EndsWith("set ADAPTLAB_MAX_NPZ_BYTES to allow more)"));
  CHECK(io::default_npz_limit(1000) == 100 * 1000 + (64u << 20));
  CHECK(io::default_npz_limit(std::uint64_t{1} << 40) == std::uint64_t{16} << 30);
  // A caller's limit, and the environment's.
  CHECK_THROWS_WITH(io::load_npz(d + "/ok.npz", 40),
                    Catch::Contains("member 'f.npy': an array of dtype '<f4' and shape (2, 3) takes 24 bytes (with the "
                                    "arrays before it 48 bytes), more than the limit of 40 bytes (the caller's limit)"));
  ::setenv("ADAPTLAB_MAX_NPZ_BYTES", "30", 1);
  CHECK(io::default_npz_limit(1000) == 30);
  CHECK_THROWS_WITH(io::load_npz(d + "/ok.npz"), Catch::Contains("more than the limit of 30 bytes (ADAPTLAB_MAX_NPZ_BYTES)"));
  ::setenv("ADAPTLAB_MAX_NPZ_BYTES", "lots", 1);
  CHECK_THROWS_WITH(io::load_npz(d + "/ok.npz"), "ADAPTLAB_MAX_NPZ_BYTES='lots': expected a positive byte count");
  ::unsetenv("ADAPTLAB_MAX_NPZ_BYTES");
  CHECK(io::load_npz(d + "/ok.npz").size() == 3);
}
