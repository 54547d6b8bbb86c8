#include "datasets/glue/glue_tasks.h"

#include "framework/core/error.h"
#include "framework/core/suggest.h"

namespace adaptlab::glue {

const std::vector<TaskSpec>& all_tasks() {
  // Label orders as Hugging Face's glue datasets (MNLI: entailment, neutral, contradiction).
  static const std::vector<TaskSpec> tasks = {
      {"cola", "CoLA", "train.tsv", "dev.tsv", false, "", "", "", 3, 1, {"0", "1"}, {"mcc", "acc"}},
      {"sst2", "SST-2", "train.tsv", "dev.tsv", true, "sentence", "", "label", -1, -1, {"0", "1"}, {"acc"}},
      {"mrpc", "MRPC", "train.tsv", "dev.tsv", true, "#1 String", "#2 String", "Quality", -1, -1, {"0", "1"},
       {"f1", "acc"}},
      {"qqp", "QQP", "train.tsv", "dev.tsv", true, "question1", "question2", "is_duplicate", -1, -1, {"0", "1"},
       {"f1", "acc"}},
      {"stsb", "STS-B", "train.tsv", "dev.tsv", true, "sentence1", "sentence2", "score", -1, -1, {}, {"pearson", "spearman"}},
      {"mnli", "MNLI", "train.tsv", "dev_matched.tsv", true, "sentence1", "sentence2", "gold_label", -1, -1,
       {"entailment", "neutral", "contradiction"}, {"acc"}},
      {"mnli-mm", "MNLI", "train.tsv", "dev_mismatched.tsv", true, "sentence1", "sentence2", "gold_label", -1, -1,
       {"entailment", "neutral", "contradiction"}, {"acc"}},
      {"qnli", "QNLI", "train.tsv", "dev.tsv", true, "question", "sentence", "label", -1, -1,
       {"entailment", "not_entailment"}, {"acc"}},
      {"rte", "RTE", "train.tsv", "dev.tsv", true, "sentence1", "sentence2", "label", -1, -1,
       {"entailment", "not_entailment"}, {"acc"}},
      {"wnli", "WNLI", "train.tsv", "dev.tsv", true, "sentence1", "sentence2", "label", -1, -1, {"0", "1"}, {"acc"}},
  };
  return tasks;
}

const TaskSpec& task_spec(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& t : all_tasks()) {
    if (t.name == name) return t;
    names.push_back(t.name);
  }
  fail("unknown GLUE task '{}'{}; known: {}", name, did_you_mean(name, names), fmt::join(names, ", "));
}

}  // namespace adaptlab::glue
