#include "backbones/bert/pretrained_text.h"

#include <fmt/ranges.h>

#include <filesystem>
#include <vector>

#include "framework/core/build_info.h"
#include "framework/core/error.h"
#include "framework/io/json_config.h"
#include "framework/core/log.h"
#include "framework/io/safetensors_torch.h"
#include "framework/model/checkpoint.h"

namespace adaptlab {

EncoderOptions encoder_options_from_config(const std::string& path) {
  const JsonConfig j(path);
  auto get = [&](const char* key, auto def) { return j.get(key, def); };
  const std::string type = get("model_type", std::string());
  AL_CHECK(type == "bert" || type == "roberta", "{}: model_type '{}' is not supported (bert, roberta)", path, type);
  const std::string act = get("hidden_act", std::string("gelu"));
  AL_CHECK(act == "gelu", "{}: hidden_act '{}' is not supported (gelu)", path, act);
  const std::string pos = get("position_embedding_type", std::string("absolute"));
  AL_CHECK(pos == "absolute", "{}: position_embedding_type '{}' is not supported (absolute)", path, pos);
  EncoderOptions o;
  o.vocab_size = get("vocab_size", o.vocab_size);
  o.vocab_origin = fmt::format("vocab_size in {}", path);
  o.hidden_size = get("hidden_size", o.hidden_size);
  o.num_layers = get("num_hidden_layers", o.num_layers);
  o.num_heads = get("num_attention_heads", o.num_heads);
  o.intermediate_size = get("intermediate_size", o.intermediate_size);
  o.max_position = get("max_position_embeddings", o.max_position);
  o.type_vocab_size = get("type_vocab_size", o.type_vocab_size);
  o.layer_norm_eps = get("layer_norm_eps", o.layer_norm_eps);
  o.pad_token_id = get("pad_token_id", o.pad_token_id);
  o.init_std = get("initializer_range", o.init_std);
  if (type == "roberta") {
    o.position_offset = o.pad_token_id + 1;
    o.pool = "cls";  // RobertaForSequenceClassification: its head reads <s>
    o.head = "roberta";
  }
  return o;
}

std::shared_ptr<Backbone> make_pretrained_text(const PretrainedTextOptions& p, int64_t num_classes, int64_t seq_len) {
  const std::string dir = pretrained_dir(p.model);
  EncoderOptions o = encoder_options_from_config(dir + "/config.json");
  if (p.pool != "auto") o.pool = p.pool;
  if (p.head != "auto") o.head = p.head;
  o.dropout = p.dropout;
  const std::string weights = dir + "/model.safetensors";
  AL_CHECK(std::filesystem::exists(weights), "{}: no model.safetensors (only safetensors checkpoints are read)", dir);
  auto tensors = io::load_safetensors(weights);
  // A checkpoint saved from RobertaForSequenceClassification (or BertModel without its pooler) has no
  // pooler.dense: the encoder is built without one.
  o.has_pooler = false;
  for (const auto& [name, t] : tensors)
    if (name == "pooler.dense.weight" || name.ends_with(".pooler.dense.weight")) o.has_pooler = true;
  AL_CHECK(o.has_pooler || o.pool != "pooler", "{}: pool: pooler but the checkpoint has no pooler.dense (use cls or mean)",
           weights);
  auto b = make_encoder(o, num_classes, seq_len);
  // Pre-training heads a released checkpoint carries (roberta-large: RobertaForMaskedLM's lm_head.*;
  // bert-base-*: BertForPreTraining's cls.predictions.* and cls.seq_relationship.*): a sequence classifier
  // does not use them (transformers lists them as "not used"), so they are left out here, by name.
  std::vector<std::string> dropped;
  for (auto it = tensors.begin(); it != tensors.end();) {
    if (it->first.starts_with("lm_head.") || it->first.starts_with("cls.")) {
      dropped.push_back(it->first);
      it = tensors.erase(it);
    } else {
      ++it;
    }
  }
  const auto rep = load_checkpoint(*b, std::move(tensors), weights);
  log::info("{}: {} (pool: {}, head: {}){}", weights, rep.summary(), o.pool, o.head,
            dropped.empty() ? std::string()
                            : fmt::format("; pre-training head not used: {}", fmt::join(dropped, ", ")));
  return b;
}

}  // namespace adaptlab
