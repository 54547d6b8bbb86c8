// Byte-level BPE gives the ids of transformers' RobertaTokenizer (the `tokenizers` ByteLevel
// pre-tokenizer + BPE) for the same vocab.json and merges.txt, on real sentences (licence texts and the
// Unicode fixture): tokens, <s> … </s>, and pairs <s> a </s></s> b </s> with longest-first truncation.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "framework/text/bpe.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("byte-level BPE equals transformers' RobertaTokenizer on real sentences", "[text][parity]") {
  const auto dir = test::fresh_dir("bpe");
  const int n = 24;
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/text/bpe_parity.py",
                   fmt::format("'{}' {} /usr/share/common-licenses/Apache-2.0 /usr/share/common-licenses/GPL-3 '{}'", dir, n,
                               std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/text/sentences_unicode.txt"));
  const auto ref = nlohmann::json::parse(std::ifstream(dir + "/reference.json"));
  const auto bpe = text::ByteLevelBpe::load(dir + "/vocab.json", dir + "/merges.txt");
  CHECK(bpe->bos_id() == 0);
  CHECK(bpe->pad_id() == 1);
  CHECK(bpe->eos_id() == 2);
  size_t differ = 0;
  const auto& sentences = ref.at("sentences");
  REQUIRE(sentences.size() >= 200);
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto s = sentences[i].get<std::string>();
    const auto want = ref["ids"][i].get<std::vector<int64_t>>();
    const auto got = bpe->ids(s);
    if (got != want && differ++ < 5)
      FAIL_CHECK(fmt::format("'{}'\n  reference [{}]\n  adaptlab  [{}]", s, fmt::join(want, ", "), fmt::join(got, ", ")));
    CHECK(bpe->encode(s, n, true).input_ids == ref["single"][i].get<std::vector<int64_t>>());
  }
  CHECK(differ == 0);
  const auto& pairs = ref.at("pair_texts");
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto e = bpe->encode_pair(pairs[i][0].get<std::string>(), pairs[i][1].get<std::string>(), n, true);
    INFO("pair " << i);
    CHECK(e.input_ids == ref["pairs"][i]["input_ids"].get<std::vector<int64_t>>());
    CHECK(e.attention_mask == ref["pairs"][i]["attention_mask"].get<std::vector<int64_t>>());
  }
}

TEST_CASE("byte-level BPE files are checked with the line at fault", "[text]") {
  const auto dir = test::fresh_dir("bpe-bad");
  test::write_file(dir, "vocab.json", R"({"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "a": 4})");
  test::write_file(dir, "merges.txt", "#version: 0.2\na b\nab\n");
  REQUIRE_THROWS_WITH(text::ByteLevelBpe::load(dir + "/vocab.json", dir + "/merges.txt"),
                      dir + "/merges.txt:3: a merge is two tokens separated by one space, got 'ab'");
  test::write_file(dir, "vocab2.json", R"({"<s>": 0, "a": 4})");
  test::write_file(dir, "merges2.txt", "#version: 0.2\n");
  REQUIRE_THROWS_WITH(text::ByteLevelBpe::load(dir + "/vocab2.json", dir + "/merges2.txt"),
                      dir + "/vocab2.json: the vocabulary has no '</s>' (RoBERTa's special tokens are needed)");
}
