// torch.save'd state dicts (written by the project's Python torch) read through LibTorch.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "framework/io/torch_pickle.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("torch.save state dicts load, nested under 'model' too, other files are refused clearly", "[io]") {
  const auto dir = test::fresh_dir("torch-pickle");
  const std::string py =
      "import sys, torch; torch.manual_seed(0); d = sys.argv[1]; "
      "sd = {'a.weight': torch.randn(3, 4), 'a.bias': torch.arange(3, dtype=torch.float64), 'n': torch.tensor(7)}; "
      "torch.save(sd, d + '/flat.pt'); torch.save({'model': sd, 'epoch': 3}, d + '/nested.pth'); "
      "torch.save(sd, d + '/legacy.pt', _use_new_zipfile_serialization=False); "
      "torch.save({'x': [1, 2]}, d + '/nothing.pt'); "
      "import safetensors.torch as st; st.save_file({k: v.contiguous() for k, v in sd.items()}, d + '/ref.safetensors')";
  test::write_file(dir, "make.py", py);
  test::run_python(dir + "/make.py", dir);
  const auto ref = io::load_weights(dir + "/ref.safetensors");
  for (const std::string f : {"flat.pt", "nested.pth"}) {
    INFO(f);
    const auto sd = io::load_weights(dir + "/" + f);
    REQUIRE(sd.size() == 3);
    for (const auto& [k, v] : ref) {
      INFO(k);
      CHECK(at::equal(sd.at(k), v));
    }
  }
  REQUIRE_THROWS_WITH(io::load_weights(dir + "/legacy.pt"),
                      Catch::EndsWith("legacy.pt: not a zip-format torch.save file (the legacy format before PyTorch 1.6 "
                                      "is not read; re-save it with a recent torch, or convert it to safetensors)"));
  REQUIRE_THROWS_WITH(io::load_weights(dir + "/nothing.pt"), Catch::Contains("expected a dict of tensors") ||
                                                                 Catch::Contains("holds no tensors"));
  REQUIRE_THROWS_WITH(io::load_weights(dir + "/make.py"),
                      Catch::EndsWith("make.py: unknown checkpoint format; expected .safetensors, .pt, .pth or .bin"));
}
