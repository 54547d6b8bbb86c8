#include "datasets/glue/glue_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/text/text_file.h"

namespace adaptlab::glue {
namespace fs = std::filesystem;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == '\t') {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

namespace {

// Empty fields past the `width` a line should have: a trailing tab (or several), dropped.
void drop_trailing_empty(std::vector<std::string>& f, size_t width) {
  while (f.size() > width && f.back().empty()) f.pop_back();
}

std::string line_list(const std::vector<size_t>& lines) {
  const size_t shown = std::min<size_t>(lines.size(), 10);
  std::string s = fmt::format("{}", fmt::join(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(shown), ", "));
  if (lines.size() > shown) s += fmt::format(", … ({} more)", lines.size() - shown);
  return s;
}

}  // namespace

FileContents read_file(const TaskSpec& t, const std::string& path, FileKind kind, bool skip_bad, int limit) {
  const std::string name = fs::path(path).filename().string();
  AL_CHECK(fs::is_regular_file(path), "{}: not found (GLUE task {} expects {}/{} under the GLUE root)", path, t.name,
           t.folder, name);
  std::ifstream in(path, std::ios::binary);
  AL_CHECK(in.good(), "{}: cannot read", path);
  text::LineReader lines(in, path);  // strips a UTF-8 BOM; "\n", "\r\n" and a lone "\r" end lines
  std::string line;
  const bool header = kind == FileKind::test || t.header;
  int a = t.text_a_index, b = -1, l = t.label_index;
  size_t width = static_cast<size_t>(t.fields);
  std::vector<std::string> names;  // the header's column names
  if (header) {
    AL_CHECK(lines.next(line), "{}: empty file (expected a header line)", path);
    names = split_tabs(line);
    drop_trailing_empty(names, 1);
    const auto find = [&](const std::string& col) {
      const auto it = std::find(names.begin(), names.end(), col);
      return it == names.end() ? -1 : static_cast<int>(it - names.begin());
    };
    const auto need = [&](const std::string& col) {
      const int i = find(col);
      AL_CHECK(i >= 0, "{}:1: the header has no column '{}' (it has: {})", path, text::visible(col),
               text::visible_list(names));
      return i;
    };
    a = need(t.text_a);
    if (!t.text_b.empty()) b = need(t.text_b);
    l = t.label.empty() ? -1 : find(t.label);
    if (kind == FileKind::labelled && l < 0)
      fail("{}:1: the header has no label column '{}' (it has: {}): the layout of GLUE's test files, whose labels "
           "are not public; task {} trains on {} and tests on {}",
           path, text::visible(t.label), text::visible_list(names), t.name, t.train_file, t.dev_file);
    width = names.size();
  }
  FileContents out;
  out.labelled = l >= 0;
  std::vector<size_t> short_lines;
  while (lines.next(line)) {
    const size_t n = lines.line_number();
    if (line.empty()) continue;  // a blank line (csv readers skip it too)
    auto f = split_tabs(line);
    drop_trailing_empty(f, width);
    if (!header && n == 1 && std::find(f.begin(), f.end(), t.text_a) != f.end())
      fail("{}:1: a header line ({}) where {}'s train and dev files have none ({} columns, the text in column {}, the "
           "label in column {}): the layout of its unlabelled {}",
           path, text::visible_list(f), t.folder, t.fields, t.text_a_index + 1, t.label_index + 1, t.test_file);
    if (f.size() < width && t.skips_short_lines) {  // QQP: a question with a newline in it broke its row in two
      short_lines.push_back(n);
      continue;
    }
    try {
      const std::string expected =
          header ? fmt::format("the header's {}", width) : fmt::format("{} ({}'s train and dev files)", width, t.folder);
      AL_CHECK(f.size() == width, "{}:{}: {} tab-separated fields, expected {}", path, n, f.size(), expected);
      Example e;
      e.a = f[static_cast<size_t>(a)];
      if (b >= 0) e.b = f[static_cast<size_t>(b)];
      if (l >= 0) {
        const std::string& lab = f[static_cast<size_t>(l)];
        if (t.labels.empty()) {
          char* end = nullptr;
          e.score = std::strtod(lab.c_str(), &end);
          AL_CHECK(!lab.empty() && *end == '\0' && std::isfinite(e.score), "{}:{}: score '{}' is not a number", path,
                   n, text::visible(lab));
        } else {
          const auto it = std::find(t.labels.begin(), t.labels.end(), lab);
          AL_CHECK(it != t.labels.end(), "{}:{}: unknown label '{}' (expected one of: {})", path, n,
                   text::visible(lab), fmt::join(t.labels, ", "));
          e.label = it - t.labels.begin();
        }
      }
      out.examples.push_back(std::move(e));
    } catch (const Error&) {
      if (!skip_bad) throw;
      out.skipped_lines.push_back(n);
    }
    if (limit > 0 && static_cast<int>(out.examples.size()) == limit) break;
  }
  if (!short_lines.empty())
    log::warn("{}: {} line(s) with missing fields skipped, as transformers' QqpProcessor and Hugging Face's GLUE "
              "builder skip them (lines {})",
              path, short_lines.size(), line_list(short_lines));
  if (!out.skipped_lines.empty())
    log::warn("{}: {} malformed line(s) skipped (skip_bad_lines; lines {})", path, out.skipped_lines.size(),
              line_list(out.skipped_lines));
  out.skipped_lines.insert(out.skipped_lines.end(), short_lines.begin(), short_lines.end());
  std::sort(out.skipped_lines.begin(), out.skipped_lines.end());
  AL_CHECK(!out.examples.empty(), "{}: no examples", path);
  return out;
}

}  // namespace adaptlab::glue
