// T5's SentencePiece tokenizer (libsentencepiece) against transformers' T5Tokenizer on the same
// spiece.model: a model trained by tests/backbones/t5/reference_t5.py on the shipped WordNet text, and
// 312 texts (300 corpus lines + edge cases: whitespace, NFKC, sentinels, special tokens as text,
// unknown characters), 20 pairs, and both truncations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "framework/text/sentencepiece.h"
#include "framework/text/tokenizer.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("SentencePiece ids equal transformers' T5Tokenizer (texts, pairs, truncation, sentinels)", "[text][t5]") {
  const auto dir = test::fresh_dir("spm-parity");
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/backbones/t5/reference_t5.py",
                   "spm " + dir + " " + std::string(ADAPTLAB_SOURCE_DIR) + "/data/wordnet-corpus/corpus.txt");
  std::ifstream f(dir + "/ids.json");
  const auto ref = nlohmann::json::parse(f);
  const auto tok = text::load_tokenizer(dir, false);  // the folder's spiece.model
  REQUIRE(tok->kind() == "sentencepiece");
  const auto& sp = static_cast<const text::SentencePiece&>(*tok);
  CHECK(sp.token_id("<extra_id_0>") == ref["extra_id_0"].get<int64_t>());
  CHECK(sp.vocab_size() == ref["vocab"].get<int64_t>());
  const auto& texts = ref["texts"];
  int same = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto t = texts[i].get<std::string>();
    INFO("text " << i << ": '" << t << "'");
    const auto e = tok->encode(t, 512, false);
    CHECK(e.input_ids == ref["ids"][i].get<std::vector<int64_t>>());
    CHECK(tok->encode(t, 8, false).input_ids == ref["ids_8"][i].get<std::vector<int64_t>>());
    same += e.input_ids == ref["ids"][i].get<std::vector<int64_t>>();
  }
  CHECK(same == static_cast<int>(texts.size()));
  for (size_t i = 0; i < ref["pairs"].size(); ++i) {
    const auto a = ref["pairs"][i][0].get<std::string>(), b = ref["pairs"][i][1].get<std::string>();
    INFO("pair " << i);
    CHECK(tok->encode_pair(a, b, 512, false).input_ids == ref["pair_ids"][i].get<std::vector<int64_t>>());
    CHECK(tok->encode_pair(a, b, 16, false).input_ids == ref["pair_ids_16"][i].get<std::vector<int64_t>>());
  }
  // Padding: zeros after </s>, masked.
  const auto p = tok->encode("a dog", 10, true);
  CHECK(p.input_ids.size() == 10);
  CHECK(p.input_ids.back() == 0);
  const size_t n = tok->encode("a dog", 512, false).input_ids.size();
  REQUIRE(n < 10);
  std::vector<int64_t> mask(10, 0);
  std::fill(mask.begin(), mask.begin() + static_cast<long>(n), 1);
  CHECK(p.attention_mask == mask);
}

TEST_CASE("a file that is not a SentencePiece model is named in the error", "[text][t5]") {
  const auto dir = test::fresh_dir("spm-bad");
  std::ofstream(dir + "/bad.model") << "not a model";
  CHECK_THROWS_WITH(text::load_tokenizer(dir + "/bad.model", false),
                    Catch::StartsWith(dir + "/bad.model: not a SentencePiece model"));
}
