// The GLUE tasks as the GLUE download lays out their TSV files (one folder per task under a root, as
// download_glue_data.py writes it) and what each reports. datasets/glue/README.md lists each file's quirks
// and the public loader that handles each.
#pragma once
#include <string>
#include <vector>

namespace adaptlab::glue {

struct TaskSpec {
  std::string name;    // cola, sst2, mrpc, qqp, stsb, mnli, mnli-mm, qnli, rte, wnli
  std::string folder;  // CoLA, SST-2, ...
  std::string train_file = "train.tsv";
  std::string dev_file;   // the public dev set, this reader's test split (dev_matched.tsv, dev_mismatched.tsv for MNLI)
  std::string test_file;  // GLUE's test file: texts alone (its labels are not public)
  bool header = true;     // of the train and dev files (CoLA's have none; every test file has one)
  // Columns by header name; CoLA's header-less train and dev files by position (its test file by name).
  std::string text_a, text_b, label;  // text_b empty: single sentences
  int fields = 0;                      // header-less files: the columns of a line
  int text_a_index = -1, label_index = -1;
  std::vector<std::string> labels;       // label spellings in the files, in class order; empty: a regression score
  std::vector<std::string> class_names;  // what those classes are (Hugging Face's ClassLabel names)
  bool skips_short_lines = false;        // QQP: lines with missing fields are skipped and counted
  std::vector<std::string> metrics;      // the first is the main one (test.score)
};

// Known task names and their specs; an unknown name is an error listing them.
const TaskSpec& task_spec(const std::string& name);
const std::vector<TaskSpec>& all_tasks();

}  // namespace adaptlab::glue
