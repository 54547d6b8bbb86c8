// Catch2 runner that sets LibTorch's threads explicitly (ADAPTLAB_THREADS, default 1: CTest runs
// test processes in parallel) and finds the packaged models of the checkout under test (models/, which
// tools/setup.sh links) unless ADAPTLAB_MODELS_DIR says otherwise.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include "framework/core/threads.h"

int main(int argc, char** argv) {
  setenv("ADAPTLAB_MODELS_DIR", ADAPTLAB_SOURCE_DIR "/models", /*overwrite=*/0);
  const char* env = std::getenv("ADAPTLAB_THREADS");
  adaptlab::configure_threads(env ? std::atoi(env) : 1);
  return Catch::Session().run(argc, argv);
}
