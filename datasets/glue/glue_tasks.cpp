#include "datasets/glue/glue_tasks.h"

#include "framework/core/error.h"
#include "framework/core/suggest.h"

namespace adaptlab::glue {

const std::vector<TaskSpec>& all_tasks() {
  // Class orders as Hugging Face's GLUE builder (huggingface/datasets, datasets/glue/glue.py, label_classes)
  // defines them, which Light-PEFT's code reads through load_dataset("glue", task) (NLU/nlu_dataset.py):
  // MNLI entailment, neutral, contradiction (not the BERT processors' contradiction, entailment, neutral);
  // WNLI's "0" = not_entailment. Column names as the files' headers spell them.
  static const std::vector<TaskSpec> tasks = {
      {.name = "cola", .folder = "CoLA", .dev_file = "dev.tsv", .test_file = "test.tsv", .header = false,
       .text_a = "sentence", .fields = 4, .text_a_index = 3, .label_index = 1, .labels = {"0", "1"},
       .class_names = {"unacceptable", "acceptable"}, .metrics = {"mcc", "acc"}},
      {.name = "sst2", .folder = "SST-2", .dev_file = "dev.tsv", .test_file = "test.tsv", .text_a = "sentence",
       .label = "label", .labels = {"0", "1"}, .class_names = {"negative", "positive"}, .metrics = {"acc"}},
      {.name = "mrpc", .folder = "MRPC", .dev_file = "dev.tsv", .test_file = "test.tsv", .text_a = "#1 String",
       .text_b = "#2 String", .label = "Quality", .labels = {"0", "1"},
       .class_names = {"not_equivalent", "equivalent"}, .metrics = {"f1", "acc"}},
      {.name = "qqp", .folder = "QQP", .dev_file = "dev.tsv", .test_file = "test.tsv", .text_a = "question1",
       .text_b = "question2", .label = "is_duplicate", .labels = {"0", "1"},
       .class_names = {"not_duplicate", "duplicate"}, .skips_short_lines = true, .metrics = {"f1", "acc"}},
      {.name = "stsb", .folder = "STS-B", .dev_file = "dev.tsv", .test_file = "test.tsv", .text_a = "sentence1",
       .text_b = "sentence2", .label = "score", .metrics = {"pearson", "spearman"}},
      {.name = "mnli", .folder = "MNLI", .dev_file = "dev_matched.tsv", .test_file = "test_matched.tsv",
       .text_a = "sentence1", .text_b = "sentence2", .label = "gold_label",
       .labels = {"entailment", "neutral", "contradiction"}, .class_names = {"entailment", "neutral", "contradiction"},
       .metrics = {"acc"}},
      {.name = "mnli-mm", .folder = "MNLI", .dev_file = "dev_mismatched.tsv", .test_file = "test_mismatched.tsv",
       .text_a = "sentence1", .text_b = "sentence2", .label = "gold_label",
       .labels = {"entailment", "neutral", "contradiction"}, .class_names = {"entailment", "neutral", "contradiction"},
       .metrics = {"acc"}},
      {.name = "qnli", .folder = "QNLI", .dev_file = "dev.tsv", .test_file = "test.tsv", .text_a = "question",
       .text_b = "sentence", .label = "label", .labels = {"entailment", "not_entailment"},
       .class_names = {"entailment", "not_entailment"}, .metrics = {"acc"}},
      {.name = "rte", .folder = "RTE", .dev_file = "dev.tsv", .test_file = "test.tsv", .text_a = "sentence1",
       .text_b = "sentence2", .label = "label", .labels = {"entailment", "not_entailment"},
       .class_names = {"entailment", "not_entailment"}, .metrics = {"acc"}},
      {.name = "wnli", .folder = "WNLI", .dev_file = "dev.tsv", .test_file = "test.tsv", .text_a = "sentence1",
       .text_b = "sentence2", .label = "label", .labels = {"0", "1"}, .class_names = {"not_entailment", "entailment"},
       .metrics = {"acc"}},
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
