// framework/text/text_file.h: lines as Python's universal newlines split them, the UTF-8 BOM stripped once,
// UTF-16 refused; file text in errors escaped (never two strings that look alike) and cut at 200 characters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/text/text_file.h"

using namespace adaptlab;
using text::visible;

namespace {

std::vector<std::string> lines_of(const std::string& s, bool* bom = nullptr) {
  std::istringstream in(s);
  text::LineReader r(in, "f.tsv");
  std::vector<std::string> out;
  for (std::string line; r.next(line);) {
    out.push_back(line);
    CHECK(r.line_number() == out.size());
  }
  if (bom) *bom = r.had_bom();
  return out;
}

using L = std::vector<std::string>;

}  // namespace

TEST_CASE("text files: LF, CRLF and a lone CR each end a line, as Python's universal newlines", "[text]") {
  // Expected values: [l for l in io.StringIO(s, newline=None).read().split("\n")] minus the last empty one.
  CHECK(lines_of("a\nb\n") == L{"a", "b"});
  CHECK(lines_of("a\r\nb\r\n") == L{"a", "b"});
  CHECK(lines_of("a\rb\r") == L{"a", "b"});
  CHECK(lines_of("a\rb") == L{"a", "b"});
  CHECK(lines_of("a\r\rb\n\nc") == L{"a", "", "b", "", "c"});
  CHECK(lines_of("a\r\r\n") == L{"a", ""});
  CHECK(lines_of("\n") == L{""});
  CHECK(lines_of("\r") == L{""});
  CHECK(lines_of("").empty());
  CHECK(lines_of("x\ty\r\nz") == L{"x\ty", "z"});
}

TEST_CASE("text files: a leading UTF-8 BOM is stripped (utf-8-sig), others kept, UTF-16 refused", "[text]") {
  bool bom = false;
  CHECK(lines_of("\xEF\xBB\xBFQuality\t#1 ID\n1\t2\n", &bom) == L{"Quality\t#1 ID", "1\t2"});
  CHECK(bom);
  CHECK(lines_of("\xEF\xBB\xBF\rb", &bom) == L{"", "b"});
  CHECK(bom);
  CHECK(lines_of("a\n\xEF\xBB\xBF" "b\n", &bom) == L{"a", "\xEF\xBB\xBF" "b"});  // only the file's first bytes
  CHECK(!bom);
  CHECK(lines_of("\xEF\xBB\xBF\xEF\xBB\xBFx") == L{"\xEF\xBB\xBFx"});  // one BOM, as utf-8-sig
  std::string s = "\xEF\xBB\xBFx";
  CHECK(text::strip_utf8_bom(s));
  CHECK(s == "x");
  CHECK(!text::strip_utf8_bom(s));
  CHECK_THROWS_WITH(lines_of(std::string("\xFF\xFEs\0", 4)),
                    "f.tsv: the file is UTF-16 (it begins with a UTF-16 byte-order mark); save it as UTF-8");
  CHECK_THROWS_WITH(lines_of(std::string("\xFE\xFF\0s", 4)),
                    "f.tsv: the file is UTF-16 (it begins with a UTF-16 byte-order mark); save it as UTF-8");
}

TEST_CASE("text files: visible() escapes what does not show, as Python's repr", "[text]") {
  CHECK(visible("sentence") == "sentence");
  CHECK(visible("naïve café 東京") == "naïve café 東京");
  CHECK(visible("\xEF\xBB\xBFQuality") == "\\ufeffQuality");
  CHECK(visible("a\tb\r\n") == "a\\tb\\r\\n");
  CHECK(visible(std::string("a\0b\x07\x7f", 5)) == "a\\x00b\\x07\\x7f");
  CHECK(visible("sentence\xE2\x80\x8B") == "sentence\\u200b");  // zero-width space
  CHECK(visible("a\xC2\xA0" "b") == "a\\u00a0b");                 // no-break space
  CHECK(visible("\xE2\x80\xAE" "abc") == "\\u202eabc");           // right-to-left override
  CHECK(visible("\xC2\x85") == "\\u0085");                       // C1 control (NEL)
  CHECK(visible("\xF3\xA0\x80\x81") == "\\U000e0001");            // a tag character
  CHECK(visible("a\\ufeffb") == "a\\\\ufeffb");  // a written backslash never looks like an escape
  // Bytes that are not UTF-8 are \xNN; the code points U+0080..U+00FF are \u00NN, so the two differ.
  CHECK(visible("a\xA0" "b") == "a\\xa0b");
  CHECK(visible("\xC0\x80") == "\\xc0\\x80");  // overlong
  CHECK(visible("\xE2\x80") == "\\xe2\\x80");  // cut short
  CHECK(visible("\xED\xA0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(visible("sentence") != visible("\xEF\xBB\xBFsentence"));
}

TEST_CASE("text files: visible() cuts after 200 characters, counting the rest", "[text]") {
  CHECK(visible(std::string(200, 'x')) == std::string(200, 'x'));
  CHECK(visible(std::string(201, 'x')) == std::string(200, 'x') + "…(1 more)");
  CHECK(visible(std::string(300000, 'x')) == std::string(200, 'x') + "…(299800 more)");
  std::string cr_only;
  for (int i = 0; i < 10000; ++i) cr_only += "a good film\t1\r";
  CHECK(visible(cr_only).size() < 600);
  // Characters, not bytes: 250 three-byte characters are 200 shown and 50 more.
  std::string cjk;
  for (int i = 0; i < 250; ++i) cjk += "東";
  CHECK(visible(cjk) == cjk.substr(0, 600) + "…(50 more)");
  CHECK(visible("abcdef", 3) == "abc…(3 more)");
}

TEST_CASE("text files: visible_list() quotes each item and bounds the whole", "[text]") {
  CHECK(text::visible_list({"sentence", "label"}) == "'sentence', 'label'");
  CHECK(text::visible_list({"\xEF\xBB\xBFsentence", "label "}) == "'\\ufeffsentence', 'label '");
  CHECK(text::visible_list({}) == "");
  const std::vector<std::string> many(1000, "column");
  const std::string s = text::visible_list(many);
  CHECK(s.size() < 260);
  CHECK(s.substr(0, 20) == "'column', 'column', ");
  CHECK(s.size() > 20);
  const size_t shown = static_cast<size_t>(std::count(s.begin(), s.end(), '\'')) / 2;
  CHECK(s.substr(s.size() - std::string(", …(" + std::to_string(1000 - shown) + " more)").size()) ==
        ", …(" + std::to_string(1000 - shown) + " more)");
  CHECK(text::visible_list({std::string(5000, 'x')}) == "'" + std::string(200, 'x') + "…(4800 more)'");
}
