// Catch2 runner that sets LibTorch's threads explicitly (ADAPTLAB_THREADS, default 1: CTest runs
// test processes in parallel).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include "framework/core/threads.h"

int main(int argc, char** argv) {
  const char* env = std::getenv("ADAPTLAB_THREADS");
  adaptlab::configure_threads(env ? std::atoi(env) : 1);
  return Catch::Session().run(argc, argv);
}
