#include <catch2/catch.hpp>

#include "framework/core/suggest.h"

using namespace adaptlab;

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps", "[core]") {
  CHECK(edit_distance("lora", "lora") == 0);
  CHECK(edit_distance("lorra", "lora") == 1);   // insertion
  CHECK(edit_distance("lra", "lora") == 1);     // deletion
  CHECK(edit_distance("dora", "lora") == 1);    // substitution
  CHECK(edit_distance("gird", "grid") == 1);    // neighbours swapped
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("did you mean: only names close enough to be a typo, nearest first", "[core]") {
  const std::vector<std::string> methods = {"adapter", "bitfit", "full", "linear", "lora", "pyra", "tome", "vpt"};
  CHECK(did_you_mean("lorra", methods) == " (did you mean 'lora'?)");
  CHECK(did_you_mean("LoRA", methods) == " (did you mean 'lora'?)");
  CHECK(did_you_mean("adaptor", methods) == " (did you mean 'adapter'?)");
  CHECK(did_you_mean("bit", methods) == " (did you mean 'bitfit'?)");  // a prefix
  CHECK(did_you_mean("ia3", methods).empty());
  CHECK(did_you_mean("lora", methods).empty());                        // itself is no suggestion
  CHECK(did_you_mean("test.ac", {"test.acc", "val.acc", "test.loss"}) == " (did you mean 'test.acc'?)");
  CHECK(did_you_mean("pora", {"lora", "pyra", "tome"}) == " (did you mean 'lora' or 'pyra'?)");
}

TEST_CASE("an unknown component names the nearest, lists the known and hints at plugins", "[core]") {
  CHECK(unknown_component_message("method", "ia3", {"lora", "tome"}) ==
        "unknown method 'ia3'; known methods: lora, tome; a plugin's methods need --plugin FILE.so");
}
