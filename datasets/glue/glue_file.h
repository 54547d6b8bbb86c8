// One GLUE TSV file read as the GLUE download writes it (datasets/glue/README.md: each quirk and the public
// loader that handles it): columns found by header name (CoLA's header-less train and dev files by
// position), a UTF-8 BOM (MRPC's train and dev) and "\r\n" / "\r" line ends as Python's universal newlines
// read them, quotes as plain characters (csv.QUOTE_NONE), tabs after the last column ignored, QQP's lines
// with missing fields skipped and counted, and test files (no labels) read as texts alone.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/glue/glue_tasks.h"

namespace adaptlab::glue {

struct Example {
  std::string a, b;    // b: empty for single sentences
  int64_t label = -1;  // class index (-1: the file has no labels)
  double score = 0;    // STS-B
};

// labelled: train and dev files, whose label column must be there; test: GLUE's test files, texts alone
// (a label column, if the file has one, is read too).
enum class FileKind { labelled, test };

struct FileContents {
  std::vector<Example> examples;
  bool labelled = false;
  std::vector<size_t> skipped_lines;  // 1-based numbers of the lines skipped (QQP's short lines, skip_bad)
};

// A malformed line is an error naming path:line and what was expected; with skip_bad it is skipped and
// counted instead. limit > 0: stop after that many examples.
FileContents read_file(const TaskSpec& t, const std::string& path, FileKind kind, bool skip_bad = false, int limit = 0);

// The tab-separated fields of a line (an empty field between two tabs, or after a last tab, included).
std::vector<std::string> split_tabs(const std::string& line);

}  // namespace adaptlab::glue
