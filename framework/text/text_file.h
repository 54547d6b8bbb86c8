// Reading text files that people edit by hand, and echoing their contents in errors safely. Shared by the
// text readers (datasets/text_tsv, datasets/glue, datasets/text_corpus).
//
// LineReader reads lines as Python's universal newlines do (open() in text mode, which Hugging Face's
// GLUE loader and csv readers use): "\n", "\r\n" and a lone "\r" (old Mac files) each end a line, so a
// CR-only file is not one giant line. A leading UTF-8 byte-order mark is stripped, as Python's `utf-8-sig`
// codec and pandas do (Excel and Notepad write one; Hugging Face's datasets GLUE script special-cases the
// resulting "\ufeffQuality" column of MRPC); a UTF-16 file is refused with a message saying so.
//
// visible() is for every file text an error message quotes: invisible characters (controls, the BOM,
// zero-width and bidi marks, no-break spaces, bytes that are not UTF-8) are escaped as Python's repr()
// writes them (\t, \x00, \ufeff, \xa0 ...), and the text is cut after max_chars characters with
// "…(N more)", so two different strings never look alike and a binary or CR-only file is never echoed whole.
#pragma once
#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace adaptlab::text {

// The most characters of a file's text an error message quotes.
inline constexpr size_t kEchoChars = 200;

// Removes a leading UTF-8 byte-order mark (EF BB BF); true when there was one.
bool strip_utf8_bom(std::string& s);

// `s` with invisible characters escaped and cut after max_chars characters ("…(N more)" appended,
// N counting the characters left out).
std::string visible(std::string_view s, size_t max_chars = kEchoChars);

// Each item quoted ('a', 'b') with visible(), joined by ", ", cut after about max_chars characters in all
// ("…(N more)" counting the items left out).
std::string visible_list(const std::vector<std::string>& items, size_t max_chars = kEchoChars);

class LineReader {
 public:
  // `path` names the file in errors. Reads nothing yet.
  LineReader(std::istream& in, std::string path);
  // The next line without its line end; false at the end of the file. The first line has no BOM.
  bool next(std::string& line);
  // The 1-based number of the line `next` returned last (0 before the first).
  size_t line_number() const { return number_; }
  // Whether the file began with a UTF-8 byte-order mark (stripped).
  bool had_bom() const { return bom_; }

 private:
  std::istream& in_;
  std::string path_;
  std::string chunk_;  // the text up to the last "\n" read, split at lone "\r"s
  size_t pos_ = 0;     // where its next line starts
  bool chunk_left_ = false;
  bool started_ = false, bom_ = false;
  size_t number_ = 0;
};

}  // namespace adaptlab::text
