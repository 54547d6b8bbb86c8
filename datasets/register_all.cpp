// Every built-in dataset, registered explicitly.
#include "datasets/synthetic/synthetic.h"
#include "datasets/text_tsv/text_tsv.h"
#include "framework/registry/registries.h"

namespace adaptlab {

void register_datasets(Registries& r) {
  add_entry<SyntheticOptions>(r.datasets, "synthetic",
                              "deterministic synthetic image classification (class patterns + noise)",
                              [](const SyntheticOptions& o) { return make_synthetic(o); });
  add_entry<TextTsvOptions>(r.datasets, "text_tsv",
                            "text classification from label<TAB>text files, WordPiece-tokenized (e.g. data/wordnet-lex)",
                            [](const TextTsvOptions& o) { return make_text_tsv(o); });
}

}  // namespace adaptlab
