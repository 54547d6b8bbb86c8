// Pretrained text encoders from a Hugging Face model folder (config.json + model.safetensors), e.g. the
// packaged all-MiniLM-L6-v2 (tools/requirements-models.txt; tools/setup.sh links it to models/).
#pragma once
#include <memory>
#include <string>

#include "backbones/bert/encoder.h"
#include "framework/text/model_folder.h"

namespace adaptlab {

struct PretrainedTextOptions {
  std::string model = "all-MiniLM-L6-v2";  // a folder under models_dirs() (framework/core/build_info.h), or a path to a model folder
  std::string pool = "auto";               // auto | mean | cls | pooler
  std::string head = "auto";               // auto | linear | roberta
  double dropout = 0.1;                    // hidden and attention dropout while training (and the roberta head's)

  template <class V>
  void visit(V& v) {
    v("model", model, "model folder name under models/ (or $ADAPTLAB_MODELS_DIR), or a path to one");
    v("pool", pool,
      "sentence vector for the head: mean | cls | pooler (the checkpoint's pooler, frozen unless the method trains "
      "it) | auto: cls for a RoBERTa-shaped checkpoint (model_type roberta), mean otherwise (how all-MiniLM-L6-v2 "
      "was trained)");
    v("head", head,
      "classifier: linear (one Linear) | roberta (RobertaClassificationHead: dropout, dense, tanh, dropout, "
      "out_proj, new and trained) | auto: roberta for a RoBERTa-shaped checkpoint (model_type roberta, as "
      "RobertaForSequenceClassification), linear otherwise");
    v("dropout", dropout, "dropout on hidden states and attention probabilities while training (and in the roberta head)");
    v.check(pool == "auto" || pool == "mean" || pool == "cls" || pool == "pooler", "pool",
            "must be auto, mean, cls or pooler");
    v.check(head == "auto" || head == "linear" || head == "roberta", "head", "must be auto, linear or roberta");
    v.check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1)");
  }
};

// Encoder options from <dir>/config.json (BERT or RoBERTa layouts; other model types are an error), with the
// checkpoint's own pool and head: cls and roberta for model_type roberta, mean and linear for bert.
EncoderOptions encoder_options_from_config(const std::string& config_json_path);
// Builds the encoder and loads <dir>/model.safetensors into it (head left random: a new task).
std::shared_ptr<Backbone> make_pretrained_text(const PretrainedTextOptions& o, int64_t num_classes, int64_t seq_len);

}  // namespace adaptlab
