// Catch2 runner that sets LibTorch's threads explicitly (ADAPTLAB_THREADS, default 1: CTest runs
// test processes in parallel) and finds the packaged models of the checkout under test (models/, which
// tools/setup.sh links) unless ADAPTLAB_MODELS_DIR says otherwise. ADAPTLAB_TEST_PLUGINS (paths separated
// by ':') loads plugins first, so the generic tests (the method contract, its facets) cover their
// components too:
//   ADAPTLAB_TEST_PLUGINS=/path/libmine.so build/tests/adaptlab_tests "[contract],[facets]"
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "framework/core/threads.h"
#include "framework/registry/registries.h"

int main(int argc, char** argv) {
  setenv("ADAPTLAB_MODELS_DIR", ADAPTLAB_SOURCE_DIR "/models", /*overwrite=*/0);
  const char* env = std::getenv("ADAPTLAB_THREADS");
  adaptlab::configure_threads(env ? std::atoi(env) : 1);
  if (const char* plugins = std::getenv("ADAPTLAB_TEST_PLUGINS")) {
    std::stringstream list(plugins);
    try {
      for (std::string path; std::getline(list, path, ':');)
        if (!path.empty()) adaptlab::load_plugin(path);
    } catch (const std::exception& e) {
      std::cerr << "adaptlab_tests: ADAPTLAB_TEST_PLUGINS: " << e.what() << "\n";
      return 1;
    }
  }
  return Catch::Session().run(argc, argv);
}
