// The GLUE tasks as their TSV files lay them out (the layout of the GLUE download script: one folder
// per task under a root) and what each reports.
#pragma once
#include <string>
#include <vector>

namespace adaptlab::glue {

struct TaskSpec {
  std::string name;                 // cola, sst2, mrpc, qqp, stsb, mnli, mnli-mm, qnli, rte, wnli
  std::string folder;               // CoLA, SST-2, ...
  std::string train_file, test_file;  // train.tsv; the public dev set (dev_matched.tsv for MNLI, ...)
  bool header = true;               // CoLA's files have none
  // Columns: by header name, or by index when there is no header.
  std::string text_a, text_b, label;  // text_b empty: single sentences
  int text_a_index = -1, label_index = -1;
  std::vector<std::string> labels;  // label spellings in class order; empty: a regression score
  std::vector<std::string> metrics;  // the first is the main one (test.score)
};

// Known task names and their specs; an unknown name is an error listing them.
const TaskSpec& task_spec(const std::string& name);
const std::vector<TaskSpec>& all_tasks();

}  // namespace adaptlab::glue
