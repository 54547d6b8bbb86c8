#include "backbones/t5/t5.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "framework/text/model_folder.h"
#include "framework/core/error.h"
#include "framework/io/json_config.h"
#include "framework/core/log.h"
#include "framework/io/safetensors_torch.h"
#include "framework/model/checkpoint.h"
#include "framework/text/sentencepiece.h"

namespace adaptlab {

T5Options t5_options_from_config(const std::string& path) {
  const JsonConfig j(path);
  auto get = [&](const char* key, auto def) { return j.get(key, def); };
  const std::string type = get("model_type", std::string());
  AL_CHECK(type == "t5", "{}: model_type '{}' is not t5", path, type);
  T5Options o;
  o.vocab_size = get("vocab_size", o.vocab_size);
  o.vocab_origin = fmt::format("vocab_size in {}", path);
  o.d_model = get("d_model", o.d_model);
  o.d_kv = get("d_kv", o.d_kv);
  o.d_ff = get("d_ff", o.d_ff);
  o.num_layers = get("num_layers", o.num_layers);
  o.num_decoder_layers = get("num_decoder_layers", o.num_layers);
  o.num_heads = get("num_heads", o.num_heads);
  o.relative_attention_num_buckets = get("relative_attention_num_buckets", o.relative_attention_num_buckets);
  o.relative_attention_max_distance = get("relative_attention_max_distance", o.relative_attention_max_distance);
  o.dropout = get("dropout_rate", o.dropout);
  o.layer_norm_eps = get("layer_norm_epsilon", o.layer_norm_eps);
  o.feed_forward = get("feed_forward_proj", o.feed_forward);
  AL_CHECK(o.feed_forward == "relu" || o.feed_forward == "gated-gelu",
           "{}: feed_forward_proj '{}' is not supported (relu, gated-gelu)", path, o.feed_forward);
  o.tie_word_embeddings = get("tie_word_embeddings", true);
  // transformers 5 writes scale_decoder_outputs; older configs mark v1.1 (no scaling) by untied embeddings.
  o.scale_decoder_outputs = get("scale_decoder_outputs", o.tie_word_embeddings);
  AL_CHECK(get("decoder_start_token_id", 0) == 0 && get("pad_token_id", 0) == 0,
           "{}: T5's padding and decoder start id must be 0", path);
  return o;
}

namespace {

// The folder's tensors with Hugging Face's tied copies removed; `own_head`: whether it holds an LM head
// of its own (T5 v1.1 as Google released it; transformers 5 ties them and writes none).
std::map<std::string, at::Tensor> folder_tensors(const std::string& dir, bool* own_head) {
  const std::string weights = dir + "/model.safetensors";
  AL_CHECK(std::filesystem::exists(weights), "{}: no model.safetensors (only safetensors checkpoints are read)", dir);
  auto tensors = io::load_safetensors(weights);
  for (const char* alias : {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight"}) {
    auto it = tensors.find(alias);
    if (it == tensors.end()) continue;
    if (!tensors.count("shared.weight")) tensors["shared.weight"] = it->second;
    tensors.erase(alias);
  }
  auto head = tensors.find("lm_head.weight");
  const bool own = head != tensors.end() && tensors.count("shared.weight") &&
                   !(head->second.sizes() == tensors.at("shared.weight").sizes() &&
                     at::equal(head->second, tensors.at("shared.weight")));
  if (head != tensors.end() && !own) tensors.erase(head);
  if (own_head) *own_head = own;
  return tensors;
}

}  // namespace

T5Folder read_t5_folder(const T5Options& p) {
  namespace fs = std::filesystem;
  const std::string dir = pretrained_dir(p.model);
  T5Folder folder;
  T5Options& o = folder.options;
  o = t5_options_from_config(dir + "/config.json");
  {  // the sizes are the folder's: a size option beside `model` would be silently ignored
    T5Options def;
    def.model = p.model;
    def.label_words = p.label_words;
    def.label_ids = p.label_ids;
    def.decoder_input = p.decoder_input;
    def.dropout = p.dropout;
    std::ostringstream a, b;
    auto dump = [](std::ostream& s, const T5Options& x) {
      s << x.vocab_size << ' ' << x.d_model << ' ' << x.d_kv << ' ' << x.d_ff << ' ' << x.num_layers << ' '
        << x.num_decoder_layers << ' ' << x.num_heads << ' ' << x.relative_attention_num_buckets << ' '
        << x.relative_attention_max_distance << ' ' << x.layer_norm_eps << ' ' << x.feed_forward << ' '
        << x.tie_word_embeddings << ' ' << x.scale_decoder_outputs << ' ' << x.init_factor;
    };
    dump(a, def), dump(b, p);
    AL_CHECK(a.str() == b.str(), "t5: with model '{}' the sizes come from {}/config.json; leave the size options out",
             p.model, dir);
  }
  o.dropout = p.dropout;  // o.model stays empty: make_t5 builds a model of these sizes
  o.label_ids = p.label_ids;
  const std::string spm = dir + "/spiece.model";
  if (!p.label_words.empty() || p.decoder_input.empty()) {
    AL_CHECK(fs::exists(spm), "{}: no spiece.model (label_words and the default decoder input need it; or give "
                              "label_ids and decoder_input)", dir);
    const text::SentencePiece tok(spm);
    for (const auto& w : p.label_words) {
      const auto ids = tok.ids(w);
      AL_CHECK(ids.size() == 1, "t5: label word '{}' is {} pieces in {}; a verbalizer word must be one piece", w,
               ids.size(), spm);
      o.label_ids.push_back(static_cast<int>(ids.front()));
    }
    if (p.decoder_input.empty()) o.decoder_input = {0, static_cast<int>(tok.token_id("<extra_id_0>"))};
  }
  if (!p.decoder_input.empty()) o.decoder_input = p.decoder_input;
  bool own_head = false;
  folder.weights = dir + "/model.safetensors";
  folder.tensors = folder_tensors(dir, &own_head);
  o.tie_word_embeddings = !own_head;
  return folder;
}

void load_t5_weights(Backbone& b, T5Folder folder) {
  const auto rep = load_checkpoint(b, std::move(folder.tensors), folder.weights);
  AL_CHECK(rep.skipped.empty(), "{}: {} (a T5 checkpoint has every tensor, the LM head included)", folder.weights,
           rep.summary());
  log::info("{}: {}", folder.weights, rep.summary());
}

std::shared_ptr<Backbone> make_pretrained_t5(const T5Options& p, int64_t num_classes, int64_t seq_len) {
  T5Folder folder = read_t5_folder(p);  // the checkpoint is read once: its LM head decides the tying
  auto b = make_t5(folder.options, num_classes, seq_len);
  load_t5_weights(*b, std::move(folder));
  return b;
}

}  // namespace adaptlab
