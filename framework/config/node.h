// A configuration tree that remembers where each value came from (file:line:column), so every
// error can name its origin. Built from YAML; merged (defaults < includes < file < overrides);
// turned into canonical JSON for hashing and storage.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <utility>
#include <vector>

namespace adaptlab::cfg {

struct Loc {
  std::string file;  // path, or "<override 'a.b=c'>" for command-line values
  int line = 0;      // 1-based; 0 = unknown
  int col = 0;       // 1-based; 0 = unknown
  std::string str() const;  // "file:line:col" (or just file when the line is unknown)
};

class Node {
 public:
  enum class Kind { null, scalar, list, map };
  struct Entry;

  Node() = default;
  static Node make_scalar(std::string text, bool quoted, Loc loc);
  static Node make_map(Loc loc);
  static Node make_list(Loc loc);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_scalar() const { return kind_ == Kind::scalar; }
  bool is_list() const { return kind_ == Kind::list; }
  bool is_map() const { return kind_ == Kind::map; }
  const Loc& loc() const { return loc_; }
  const char* kind_name() const;

  // Scalars. `quoted` is true for YAML strings written in quotes (never numbers/bools).
  const std::string& text() const { return text_; }
  bool quoted() const { return quoted_; }

  // Lists.
  const std::vector<Node>& items() const { return items_; }
  Node* item(size_t i) { return i < items_.size() ? &items_[i] : nullptr; }
  void push_back(Node n) { items_.push_back(std::move(n)); }

  // Maps keep insertion order; keys are unique.
  const std::vector<Entry>& entries() const { return entries_; }
  const Node* find(const std::string& key) const;
  Node* find(const std::string& key);
  const Entry* find_entry(const std::string& key) const;
  void set(const std::string& key, Node value, Loc key_loc);
  bool erase(const std::string& key);

  // Canonical JSON: unquoted scalars become null/bool/int/float when they parse fully as one.
  nlohmann::json to_json() const;
  static Node from_json(const nlohmann::json& j, const Loc& loc);

 private:
  Kind kind_ = Kind::null;
  std::string text_;
  bool quoted_ = false;
  std::vector<Node> items_;
  std::vector<Entry> entries_;
  Loc loc_;
};

struct Node::Entry {
  std::string key;
  Loc key_loc;
  Node value;
};

// Parsing. Errors name the file and line.
Node load_file(const std::string& path);
Node parse_string(const std::string& yaml, const std::string& origin);

// `over` wins: maps merge key by key, recursively; any other value replaces.
Node merge(const Node& base, const Node& over);

// Applies "a.b.c=value" (value parsed as YAML, so lists and maps work) to `root`, creating maps.
void apply_override(Node& root, const std::string& assignment);

// Sets "a.b.c" to `value`, creating maps on the way; an existing non-map on the way is an error.
void set_path(Node& root, const std::string& dotted, Node value, const Loc& loc);

// Navigates "a.b.c" in maps; nullptr if absent.
const Node* at_path(const Node& root, const std::string& dotted);

// Scalar interpretation shared by the reader and the canonical form.
enum class ScalarType { null, boolean, integer, floating, string };
ScalarType scalar_type(const Node& scalar);

}  // namespace adaptlab::cfg
