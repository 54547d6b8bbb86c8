// libFuzzer target for the safetensors reader: any input must either parse (and every tensor's bytes
// be readable) or be refused with adaptlab::Error. Anything else (another exception, a crash, a
// sanitizer report) is a bug. Built only with clang (CMake target adaptlab_fuzz_safetensors):
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -DFMT_HEADER_ONLY -I. -I<fmt-shim>
//       framework/io/safetensors.cpp tools/fuzz/fuzz_safetensors.cpp -o fuzz_safetensors
//   mkdir -p /tmp/st-corpus && ./fuzz_safetensors -max_total_time=180 /tmp/st-corpus tools/fuzz/corpus/safetensors
// (new inputs go to the first, writable folder). Inputs that once failed belong in
// tools/fuzz/corpus/safetensors, which tests/io/test_safetensors_corpus.cpp replays in the test suite.
#include <cstddef>
#include <cstdint>
#include <string>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto file = adaptlab::io::SafetensorsFile::from_bytes(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    // Touch every byte of every tensor so that a span reaching outside the buffer trips ASan.
    unsigned sum = 0;
    for (const auto& t : file.tensors()) {
      for (const std::byte b : t.data) sum += static_cast<unsigned>(b);
      if (file.find(t.name) != &t) __builtin_trap();  // the index must agree with the list
      if (t.data.size() != t.end - t.begin) __builtin_trap();
    }
    for (const auto& [k, v] : file.metadata()) sum += static_cast<unsigned>(k.size() + v.size());
    volatile unsigned sink = sum;
    (void)sink;
  } catch (const adaptlab::Error&) {
    // A refused file: expected.
  }
  return 0;
}
