// SentencePiece on texts that play with the sentinel syntax, against transformers' T5Tokenizer
// (tests/text/sentencepiece_hostile.py): "<extra_id_" followed by 200,000 digits used to overflow the stack
// (std::regex recursion, SIGSEGV) and "<extra_id_99999999999999999999>" ended the run with the bare text
// "stol"; "<extra_id_007>" was taken for sentinel 7. Now a linear scan finds exactly the registered
// special tokens, as the reference does, and everything else is ordinary text.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "framework/text/sentencepiece.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("SentencePiece: sentinel look-alikes are ordinary text as in T5Tokenizer (no regex and no crash)", "[text][t5]") {
  const auto dir = test::fresh_dir("spm-hostile");
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/text/sentencepiece_hostile.py",
                   "'" + dir + "' '" + std::string(ADAPTLAB_SOURCE_DIR) + "/data/wordnet-corpus/corpus.txt'");
  std::ifstream f(dir + "/hostile.json");
  const auto ref = nlohmann::json::parse(f);
  const text::SentencePiece sp(dir + "/spiece.model");
  const auto& texts = ref["texts"];
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto t = texts[i].get<std::string>();
    INFO("text " << i << ": '" << t.substr(0, 60) << (t.size() > 60 ? "…" : "") << "' (" << t.size() << " bytes)");
    CHECK(sp.encode(t, 1 << 20, false).input_ids == ref["ids"][i].get<std::vector<int64_t>>());
  }
  CHECK(sp.token_id("<extra_id_99>") == 800);
  CHECK(sp.token_id("<extra_id_0>") == 899);
  CHECK(sp.token_id("<extra_id_100>") == -1);
  CHECK(sp.token_id("<extra_id_007>") == -1);
  CHECK(sp.token_id("<extra_id_99999999999999999999>") == -1);
  CHECK(sp.id_count() == 900);
}
