// WordPiece on hand-picked hard cases. Every expected token and id below was produced by Hugging Face's
// pure-Python tokenizer (transformers 5.23.0 BertTokenizerLegacy, do_lower_case=True, Python 3.11) on
// the same vocab.txt (all-MiniLM-L6-v2's, or the tiny one written here), not written by hand.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/text/wordpiece.h"
#include "support/tmp.h"

using namespace adaptlab;
using namespace std::string_literals;
using text::WordPiece;
using Tokens = std::vector<std::string>;
using Ids = std::vector<int64_t>;

namespace {

const WordPiece& minilm() {
  static const WordPiece wp = WordPiece::load(ADAPTLAB_MINILM_VOCAB);
  return wp;
}

}  // namespace

TEST_CASE("WordPiece: MiniLM vocabulary size, special ids, lookups", "[text]") {
  const auto& wp = minilm();
  CHECK(wp.vocab_size() == 30522);
  CHECK(wp.id("[PAD]") == 0);
  CHECK(wp.id("[UNK]") == 100);
  CHECK(wp.id("[CLS]") == 101);
  CHECK(wp.id("[SEP]") == 102);
  CHECK(wp.id("[MASK]") == 103);
  CHECK(wp.id("cafe") == 7668);
  CHECK(wp.id("##ja") == 3900);
  CHECK(wp.id("notaword") == 100);  // not an entry: [UNK]
  CHECK(wp.pad_id() == 0);
  CHECK(wp.unk_id() == 100);
  CHECK(wp.cls_id() == 101);
  CHECK(wp.sep_id() == 102);
  CHECK(wp.token(7668) == "cafe");
  CHECK_THROWS_WITH(wp.token(30522), Catch::EndsWith(": token id 30522 out of range [0, 30522)"));
}

TEST_CASE("WordPiece: accents are stripped after lower-casing", "[text]") {
  const auto& wp = minilm();
  CHECK(wp.tokenize("Café Déjà-vu") == Tokens{"cafe", "de", "##ja", "-", "vu"});
  CHECK(wp.ids("Café Déjà-vu") == Ids{7668, 2139, 3900, 1011, 24728});
  CHECK(wp.tokenize("naïve résumé — “quoted” ¿qué? Straße") ==
        Tokens{"naive", "resume", "—", "“", "quoted", "”", "¿", "que", "?", "st", "##raße"});
  CHECK(wp.ids("naïve résumé — “quoted” ¿qué? Straße") ==
        Ids{15743, 13746, 1517, 1523, 9339, 1524, 1094, 10861, 1029, 2358, 27807});
  // Dotted capital I lower-cases to i + U+0307, whose mark is then dropped.
  CHECK(wp.ids("İstanbul") == Ids{9960});
  // Greek: final sigma in context, tonos stripped.
  CHECK(wp.tokenize("ΟΔΥΣΣΕΥΣ") == Tokens{"ο", "##δ", "##υ", "##σ", "##σ", "##ε", "##υ", "##ς"});
  CHECK(wp.ids("ΟΔΥΣΣΕΥΣ") == Ids{1169, 29722, 29735, 29733, 29733, 29723, 29735, 19579});
  // No compatibility folding: full-width letters stay unknown, the fi ligature is its own entry.
  CHECK(wp.tokenize("Ｆｕｌｌｗｉｄｔｈ ﬁne") == Tokens{"[UNK]", "ﬁ", "##ne"});
  CHECK(wp.ids("Ｆｕｌｌｗｉｄｔｈ ﬁne") == Ids{100, 1984, 2638});
}

TEST_CASE("WordPiece: punctuation and ASCII symbols split words", "[text]") {
  const auto& wp = minilm();
  CHECK(wp.tokenize("Hello, world! (It's 5.00$ #tag @user...)") ==
        Tokens{"hello", ",", "world", "!", "(", "it", "'", "s", "5", ".", "00", "$", "#", "tag", "@", "user", ".",
               ".", ".", ")"});
  CHECK(wp.ids("Hello, world! (It's 5.00$ #tag @user...)") ==
        Ids{7592, 1010, 2088, 999, 1006, 2009, 1005, 1055, 1019, 1012, 4002, 1002, 1001, 6415, 1030, 5310, 1012,
            1012, 1012, 1007});
}

TEST_CASE("WordPiece: CJK ideographs are words of their own, kana and emoji are not", "[text]") {
  const auto& wp = minilm();
  CHECK(wp.tokenize("北京欢迎你") == Tokens{"北", "京", "[UNK]", "[UNK]", "[UNK]"});
  CHECK(wp.ids("北京欢迎你") == Ids{1781, 1755, 100, 100, 100});
  CHECK(wp.tokenize("我爱NLP模型!") == Tokens{"我", "[UNK]", "nl", "##p", "[UNK]", "[UNK]", "!"});
  CHECK(wp.ids("我爱NLP模型!") == Ids{1855, 100, 17953, 2361, 100, 100, 999});
  CHECK(wp.ids("😀 ☃ ★") == Ids{100, 100, 1620});
}

TEST_CASE("WordPiece: greedy longest match with ## continuations", "[text]") {
  const auto& wp = minilm();
  CHECK(wp.tokenize("unaffable tokenization") == Tokens{"una", "##ffa", "##ble", "token", "##ization"});
  CHECK(wp.ids("unaffable tokenization") == Ids{14477, 20961, 3468, 19204, 3989});
  CHECK(wp.ids("hello world hello world hello world ") == Ids{7592, 2088, 7592, 2088, 7592, 2088});
}

TEST_CASE("WordPiece: words over 100 code points (after normalisation) are [UNK]", "[text]") {
  const auto& wp = minilm();
  const auto a100 = wp.tokenize(std::string(100, 'a'));
  REQUIRE(a100.size() == 50);
  CHECK(a100.front() == "aaa");
  CHECK(a100[1] == "##aa");
  CHECK(a100.back() == "##a");
  CHECK(wp.tokenize(std::string(101, 'a')) == Tokens{"[UNK]"});
  // 200 code points as written (e + combining acute), 100 once composed and stripped: not [UNK].
  std::string e_acute_100, e_acute_101;
  for (int i = 0; i < 100; ++i) e_acute_100 += "e\u0301";
  e_acute_101 = e_acute_100 + "e\u0301";
  const auto ee = wp.tokenize(e_acute_100);
  REQUIRE(ee.size() == 50);
  CHECK(wp.ids(e_acute_100).front() == 25212);  // "ee"
  CHECK(ee[1] == "##ee");
  CHECK(wp.tokenize(e_acute_101) == Tokens{"[UNK]"});
  CHECK(wp.encode(std::string(101, 'a'), 8, false).input_ids == Ids{101, 100, 102});
}

TEST_CASE("WordPiece: control characters are dropped, Unicode spaces split", "[text]") {
  const auto& wp = minilm();
  // NUL, U+200B (format), BEL and U+FFFD vanish (joining their neighbours); tab and NBSP separate.
  const std::string text = "foo\0bar\u200b"s + "baz\tqux\u00a0quux\x07" + "end\ufffd!";
  CHECK(wp.tokenize(text) == Tokens{"foo", "##bar", "##ba", "##z", "qu", "##x", "qu", "##ux", "##end", "!"});
  CHECK(wp.ids(text) == Ids{29379, 8237, 3676, 2480, 24209, 2595, 24209, 5602, 10497, 999});
  CHECK(wp.tokenize("").empty());
  CHECK(wp.tokenize(" \t\n ").empty());
  // Malformed UTF-8 (no Python string can hold it) decodes to U+FFFD and is dropped like it:
  // the reference gives these ids for "ab\ufffdcd".
  CHECK(wp.ids("ab\xff" "cd") == Ids{5925, 2094});
  CHECK(wp.ids("ab\ufffdcd") == Ids{5925, 2094});
}

TEST_CASE("WordPiece: special tokens written in the text stay whole (case-sensitive)", "[text]") {
  const auto& wp = minilm();
  CHECK(wp.tokenize("x[MASK]y [cls] [SEP]") == Tokens{"x", "[MASK]", "y", "[", "cl", "##s", "]", "[SEP]"});
  CHECK(wp.ids("x[MASK]y [cls] [SEP]") == Ids{1060, 103, 1061, 1031, 18856, 2015, 1033, 102});
}

TEST_CASE("WordPiece: encode adds [CLS]/[SEP], truncates, pads", "[text]") {
  const auto& wp = minilm();
  // tokenizer(text, max_length=L, truncation=True, padding="max_length" or False)
  auto e = wp.encode("Café Déjà-vu", 5, true);
  CHECK(e.input_ids == Ids{101, 7668, 2139, 3900, 102});
  CHECK(e.attention_mask == Ids{1, 1, 1, 1, 1});
  CHECK(e.token_type_ids == Ids{0, 0, 0, 0, 0});
  e = wp.encode("Café Déjà-vu", 10, true);
  CHECK(e.input_ids == Ids{101, 7668, 2139, 3900, 1011, 24728, 102, 0, 0, 0});
  CHECK(e.attention_mask == Ids{1, 1, 1, 1, 1, 1, 1, 0, 0, 0});
  CHECK(e.token_type_ids == Ids(10, 0));
  e = wp.encode("Café Déjà-vu", 10, false);
  CHECK(e.input_ids == Ids{101, 7668, 2139, 3900, 1011, 24728, 102});
  CHECK(e.attention_mask == Ids(7, 1));
  CHECK(e.token_type_ids == Ids(7, 0));
  e = wp.encode("", 4, true);
  CHECK(e.input_ids == Ids{101, 102, 0, 0});
  CHECK(e.attention_mask == Ids{1, 1, 0, 0});
  CHECK(wp.encode("Café Déjà-vu", 2, true).input_ids == Ids{101, 102});
  CHECK_THROWS_WITH(wp.encode("x", 1, true),
                    "WordPiece::encode: max_length must be at least 2 (room for [CLS] and [SEP]), got 1");
}

TEST_CASE("WordPiece: a tiny vocab with CRLF lines, an unmatched rest makes the whole word [UNK]", "[text]") {
  const auto dir = test::fresh_dir("wordpiece");
  const auto path = test::write_file(dir, "tiny.txt",
                                     "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nun\r\n##aff\r\n##able\r\na\r\n##a\r\n##b\r\n,\r\n");
  const auto wp = WordPiece::load(path);
  CHECK(wp.vocab_size() == 12);  // len(tokenizer) in the reference: 11 lines + [MASK]
  CHECK(wp.ids("unaffable") == Ids{4, 5, 6});
  CHECK(wp.tokenize("UnAffable,unx") == Tokens{"un", "##aff", "##able", ",", "[UNK]"});
  CHECK(wp.ids("UnAffable,unx") == Ids{4, 5, 6, 10, 1});
  CHECK(wp.tokenize("aab unaffablea") == Tokens{"a", "##a", "##b", "un", "##aff", "##able", "##a"});
  CHECK(wp.ids("b") == Ids{1});  // only "##b" exists
  // Without a [MASK] line, [MASK] is appended with the next id (11) and still kept whole in text.
  CHECK(wp.tokenize("[MASK] x[MASK]") == Tokens{"[MASK]", "[UNK]", "[MASK]"});
  CHECK(wp.ids("[MASK] a") == Ids{11, 7});
}

TEST_CASE("WordPiece: lower_case = false keeps case and accents, composing them (NFC)", "[text]") {
  const auto dir = test::fresh_dir("wordpiece-cased");
  const auto path = test::write_file(dir, "cased.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\ncafé\nStraße\n##s\n");
  const auto cased = WordPiece::load(path, /*lower_case=*/false);
  // "cafe" + U+0301 composes to "café".
  CHECK(cased.tokenize("cafe\u0301 Straße cafés") == Tokens{"café", "Straße", "café", "##s"});
  CHECK(cased.ids("cafe\u0301 Straße cafés") == Ids{4, 5, 4, 6});
  CHECK(cased.ids("Café straße") == Ids{1, 1});
  const auto uncased = WordPiece::load(path);  // lower-cased and stripped: "cafe", "strasse" are not entries
  CHECK(uncased.ids("cafe\u0301 Straße cafés") == Ids{1, 1, 1});
}

TEST_CASE("WordPiece: vocabulary errors name the file (and line)", "[text]") {
  const auto dir = test::fresh_dir("wordpiece-errors");
  CHECK_THROWS_AS(WordPiece::load("/nonexistent/vocab.txt"), Error);
  CHECK_THROWS_WITH(WordPiece::load("/nonexistent/vocab.txt"), "/nonexistent/vocab.txt: cannot open vocabulary file");

  const auto empty = test::write_file(dir, "empty.txt", "");
  CHECK_THROWS_WITH(WordPiece::load(empty), empty + ": empty vocabulary (expected one token per line)");

  const auto lacks = test::write_file(dir, "lacks.txt", "[PAD]\n[UNK]\nhello\n");
  CHECK_THROWS_WITH(WordPiece::load(lacks), lacks + ": vocabulary lacks the special token(s) [CLS], [SEP] (has 3 tokens)");

  const auto dup = test::write_file(dir, "dup.txt", "[PAD]\nun\n[UNK]\n[CLS]\n[SEP]\nun\n");
  CHECK_THROWS_WITH(WordPiece::load(dup), dup + ":6: duplicate token 'un' (first at line 2)");

  const auto bad = test::write_file(dir, "bad.txt", "[PAD]\nab\xff\n[UNK]\n[CLS]\n[SEP]\n");
  CHECK_THROWS_WITH(WordPiece::load(bad), bad + ":2: token is not valid UTF-8");
}
