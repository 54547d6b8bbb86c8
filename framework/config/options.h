// Strict reading of option structs. An options struct lists its fields once:
//
//   struct LoraOptions {
//     int rank = 8;  // low-rank dimension r
//     template <class V> void visit(V& v) {
//       v("rank", rank, "low-rank dimension r");
//       v.check(rank > 0, "rank", "must be > 0");
//     }
//   };
//
// and the same list drives reading (unknown key / wrong type / missing key = error naming file,
// line and key), writing the resolved options back (canonical JSON), and `adaptlab list` help.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "framework/config/node.h"

namespace adaptlab::cfg {

[[noreturn]] void throw_type_error(const Node& n, const std::string& ctx, const char* expected);

// Converters from a scalar/list node; `ctx` is "key 'rank' in lora options" for messages.
void read_value(const Node& n, const std::string& ctx, int& out);
void read_value(const Node& n, const std::string& ctx, int64_t& out);
void read_value(const Node& n, const std::string& ctx, double& out);
void read_value(const Node& n, const std::string& ctx, bool& out);
void read_value(const Node& n, const std::string& ctx, std::string& out);
void read_value(const Node& n, const std::string& ctx, Node& out);
template <class T>
void read_value(const Node& n, const std::string& ctx, std::vector<T>& out);

class Reader {
 public:
  // `node` must be a map (or null, read as an empty map); `what` names it in errors ("lora options").
  Reader(const Node& node, std::string what);

  template <class T>
  void operator()(const char* key, T& field, const char* /*help*/) {
    read(key, field, false);
  }
  template <class T>
  void required(const char* key, T& field, const char* /*help*/) {
    read(key, field, true);
  }
  // A failed check is an error located at `key` (or at the map when the key is absent).
  void check(bool ok, const char* key, const std::string& message) const;
  // Keys in the map that no field claimed are errors.
  void finish() const;

 private:
  template <class T>
  void read(const char* key, T& field, bool required) {
    known_.emplace_back(key);
    const Node* v = node_->is_map() ? node_->find(key) : nullptr;
    if (!v) {
      if (required) missing(key);
      return;
    }
    read_value(*v, context(key), field);
  }
  [[noreturn]] void missing(const char* key) const;
  std::string context(const char* key) const;

  const Node* node_;
  Node empty_;
  std::string what_;
  std::vector<std::string> known_;
};

// Writes the (resolved) fields as JSON.
class JsonWriter {
 public:
  nlohmann::json out = nlohmann::json::object();
  template <class T>
  void operator()(const char* key, const T& field, const char*) {
    put(key, field);
  }
  template <class T>
  void required(const char* key, const T& field, const char*) {
    put(key, field);
  }
  void check(bool, const char*, const std::string&) const {}

 private:
  template <class T>
  void put(const char* key, const T& field) {
    if constexpr (std::is_same_v<T, Node>)
      out[key] = field.to_json();
    else
      out[key] = field;
  }
};

// Field documentation for `adaptlab list --verbose`.
struct FieldDoc {
  std::string key, default_json, help;
  bool required = false;
};
class DocWriter {
 public:
  std::vector<FieldDoc> fields;
  template <class T>
  void operator()(const char* key, const T& field, const char* help) {
    add(key, field, help, false);
  }
  template <class T>
  void required(const char* key, const T& field, const char* help) {
    add(key, field, help, true);
  }
  void check(bool, const char*, const std::string&) const {}

 private:
  template <class T>
  void add(const char* key, const T& field, const char* help, bool req) {
    JsonWriter w;
    w(key, field, help);
    fields.push_back(FieldDoc{key, w.out[key].dump(), help, req});
  }
};

template <class O>
O read_options(const Node& node, const std::string& what) {
  O o;
  Reader r(node, what);
  o.visit(r);
  r.finish();
  return o;
}

template <class O>
nlohmann::json options_json(O o) {  // by value: visit() is non-const
  JsonWriter w;
  o.visit(w);
  return w.out;
}

template <class O>
std::vector<FieldDoc> options_doc() {
  O o;
  DocWriter d;
  o.visit(d);
  return d.fields;
}

std::string format_doc(const std::vector<FieldDoc>& fields, const std::string& indent);

// The default value of every option that has one (required options have none), as JSON: what a
// stable run id leaves out (framework/run/resolve.h).
template <class O>
nlohmann::json options_defaults() {
  O o;
  DocWriter d;
  o.visit(d);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& f : d.fields)
    if (!f.required) out[f.key] = nlohmann::json::parse(f.default_json);
  return out;
}

template <class T>
void read_value(const Node& n, const std::string& ctx, std::vector<T>& out) {
  if (n.is_null()) {
    out.clear();
    return;
  }
  if (!n.is_list()) {
    // A single scalar where a list is expected is a one-element list.
    if (n.is_scalar()) {
      T v{};
      read_value(n, ctx, v);
      out = {v};
      return;
    }
    throw_type_error(n, ctx, "a list");
  }
  out.clear();
  for (size_t i = 0; i < n.items().size(); ++i) {
    T v{};
    read_value(n.items()[i], ctx + " item " + std::to_string(i), v);
    out.push_back(std::move(v));
  }
}

}  // namespace adaptlab::cfg
