#include "backbones/bert/pretrained_text.h"

#include <filesystem>

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
  if (type == "roberta") o.position_offset = o.pad_token_id + 1;
  return o;
}

std::shared_ptr<Backbone> make_pretrained_text(const PretrainedTextOptions& p, int64_t num_classes, int64_t seq_len) {
  const std::string dir = pretrained_dir(p.model);
  EncoderOptions o = encoder_options_from_config(dir + "/config.json");
  o.pool = p.pool;
  o.dropout = p.dropout;
  auto b = make_encoder(o, num_classes, seq_len);
  const std::string weights = dir + "/model.safetensors";
  AL_CHECK(std::filesystem::exists(weights), "{}: no model.safetensors (only safetensors checkpoints are read)", dir);
  const auto rep = load_checkpoint(*b, io::load_safetensors(weights), weights);
  log::info("{}: {}", weights, rep.summary());
  return b;
}

}  // namespace adaptlab
