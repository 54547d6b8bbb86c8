// Sentence pairs as Hugging Face's BertTokenizer encodes them (GLUE's MRPC/QQP/MNLI/QNLI/RTE/STS-B):
// [CLS] a [SEP] b [SEP], token types, longest-first truncation, padding.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "framework/text/wordpiece.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("WordPiece sentence pairs equal Hugging Face's (token types, longest-first truncation)", "[text]") {
  // Real sentences of different lengths, so that each side is cut, both are, and none is.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"The cat sat on the mat.", "A cat was sitting on a mat."},
      {"He said the foodservice pie business doesn't fit the company's long-term growth strategy.",
       "The foodservice pie business does not fit our long-term growth strategy."},
      {"Yes.", "How do I learn to play the piano quickly and well, without a teacher, in less than a year?"},
      {"What is the best way to learn machine learning from scratch if you only have evenings free?", "No."},
      {"Two men are playing chess in the park on a sunny afternoon while people watch.",
       "Two men play chess outside; a small crowd of onlookers watches every move they make."},
      {"Brémond's café servait des crêpes.", "naïve façade — coöperate"},
      {"", "An empty first sentence."},
  };
  const auto dir = test::fresh_dir("wp-pairs");
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [a, b] : pairs) j.push_back({a, b});
  std::ofstream(dir + "/pairs.json") << j.dump();
  const auto wp = text::WordPiece::load(ADAPTLAB_MINILM_VOCAB);
  for (int n : {16, 24, 64}) {
    test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/text/wordpiece_pairs.py",
                     fmt::format("'{}' '{}/pairs.json' '{}/out{}.json' {}", ADAPTLAB_MINILM_VOCAB, dir, dir, n, n));
    const auto ref = nlohmann::json::parse(std::ifstream(fmt::format("{}/out{}.json", dir, n)));
    for (size_t i = 0; i < pairs.size(); ++i) {
      INFO("max_length " << n << ", pair " << i);
      const auto e = wp.encode_pair(pairs[i].first, pairs[i].second, n, true);
      CHECK(e.input_ids == ref[i]["input_ids"].get<std::vector<int64_t>>());
      CHECK(e.token_type_ids == ref[i]["token_type_ids"].get<std::vector<int64_t>>());
      CHECK(e.attention_mask == ref[i]["attention_mask"].get<std::vector<int64_t>>());
    }
  }
}
