#include "framework/config/node.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "framework/core/error.h"

namespace adaptlab::cfg {

std::string Loc::str() const {
  if (line <= 0) return file;
  if (col <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, col);
}

Node Node::make_scalar(std::string text, bool quoted, Loc loc) {
  Node n;
  n.kind_ = Kind::scalar;
  n.text_ = std::move(text);
  n.quoted_ = quoted;
  n.loc_ = std::move(loc);
  return n;
}
Node Node::make_map(Loc loc) {
  Node n;
  n.kind_ = Kind::map;
  n.loc_ = std::move(loc);
  return n;
}
Node Node::make_list(Loc loc) {
  Node n;
  n.kind_ = Kind::list;
  n.loc_ = std::move(loc);
  return n;
}

const char* Node::kind_name() const {
  switch (kind_) {
    case Kind::null: return "null";
    case Kind::scalar: return "a scalar";
    case Kind::list: return "a list";
    case Kind::map: return "a map";
  }
  return "?";
}

const Node::Entry* Node::find_entry(const std::string& key) const {
  for (const auto& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}
const Node* Node::find(const std::string& key) const {
  const Entry* e = find_entry(key);
  return e ? &e->value : nullptr;
}
Node* Node::find(const std::string& key) {
  for (auto& e : entries_)
    if (e.key == key) return &e.value;
  return nullptr;
}
void Node::set(const std::string& key, Node value, Loc key_loc) {
  if (kind_ == Kind::null) kind_ = Kind::map;
  for (auto& e : entries_) {
    if (e.key == key) {
      e.value = std::move(value);
      e.key_loc = std::move(key_loc);
      return;
    }
  }
  entries_.push_back(Entry{key, std::move(key_loc), std::move(value)});
}
bool Node::erase(const std::string& key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->key == key) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

ScalarType scalar_type(const Node& n) {
  if (n.is_null()) return ScalarType::null;
  if (n.quoted()) return ScalarType::string;
  const std::string& t = n.text();
  if (t == "null" || t == "~" || t == "Null" || t == "NULL") return ScalarType::null;
  if (t == "true" || t == "false" || t == "True" || t == "False") return ScalarType::boolean;
  if (t.empty()) return ScalarType::string;
  {
    long long v = 0;
    const char* b = t.data();
    const char* e = b + t.size();
    if (*b == '+') ++b;
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec == std::errc() && p == e) return ScalarType::integer;
  }
  {
    // YAML floats: 1.5, -2e-3, .5, 1e3, .inf, .nan
    if (t == ".inf" || t == "-.inf" || t == "+.inf" || t == ".nan") return ScalarType::floating;
    char* end = nullptr;
    std::strtod(t.c_str(), &end);
    const bool digits = t.find_first_of("0123456789") != std::string::npos;
    const bool alpha_ok = t.find_first_not_of("0123456789+-.eE") == std::string::npos;
    if (end == t.c_str() + t.size() && digits && alpha_ok) return ScalarType::floating;
  }
  return ScalarType::string;
}

nlohmann::json Node::to_json() const {
  switch (kind_) {
    case Kind::null: return nullptr;
    case Kind::scalar: {
      switch (scalar_type(*this)) {
        case ScalarType::null: return nullptr;
        case ScalarType::boolean: return text_ == "true" || text_ == "True";
        case ScalarType::integer: {
          const char* b = text_.data() + (text_[0] == '+' ? 1 : 0);
          long long v = 0;
          std::from_chars(b, text_.data() + text_.size(), v);
          return v;
        }
        case ScalarType::floating: {
          if (text_ == ".inf" || text_ == "+.inf") return std::numeric_limits<double>::infinity();
          if (text_ == "-.inf") return -std::numeric_limits<double>::infinity();
          if (text_ == ".nan") return std::nan("");
          const double d = std::strtod(text_.c_str(), nullptr);
          // An integral float (1.0, 1e3) is the same number as the integer: one canonical form.
          if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) return static_cast<long long>(d);
          return d;
        }
        case ScalarType::string: return text_;
      }
      return text_;
    }
    case Kind::list: {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& n : items_) j.push_back(n.to_json());
      return j;
    }
    case Kind::map: {
      nlohmann::json j = nlohmann::json::object();  // std::map underneath: sorted keys, canonical
      for (const auto& e : entries_) j[e.key] = e.value.to_json();
      return j;
    }
  }
  return nullptr;
}

Node Node::from_json(const nlohmann::json& j, const Loc& loc) {
  if (j.is_null()) return Node::make_scalar("null", false, loc);
  if (j.is_boolean()) return Node::make_scalar(j.get<bool>() ? "true" : "false", false, loc);
  if (j.is_number_integer()) return Node::make_scalar(std::to_string(j.get<long long>()), false, loc);
  if (j.is_number_float()) return Node::make_scalar(j.dump(), false, loc);
  if (j.is_string()) return Node::make_scalar(j.get<std::string>(), true, loc);
  if (j.is_array()) {
    Node n = make_list(loc);
    for (const auto& x : j) n.push_back(from_json(x, loc));
    return n;
  }
  Node n = make_map(loc);
  for (auto it = j.begin(); it != j.end(); ++it) n.set(it.key(), from_json(it.value(), loc), loc);
  return n;
}

namespace {

size_t max_yaml_nodes() {
  if (const char* v = std::getenv("ADAPTLAB_MAX_YAML_NODES")) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    AL_CHECK(end != v && *end == '\0' && n > 0, "ADAPTLAB_MAX_YAML_NODES='{}': expected a positive count", v);
    return static_cast<size_t>(n);
  }
  return 1000000;
}

Loc loc_of(const YAML::Mark& m, const std::string& file) {
  if (m.is_null()) return Loc{file, 0, 0};
  return Loc{file, m.line + 1, m.column + 1};
}

// yaml-cpp shares an aliased node between its uses; copying it into our tree multiplies it, so a
// small file of nested aliases (a "billion laughs") would expand without bound. Every node copied
// counts against a budget.
struct Budget {
  size_t limit, used = 0;
  const std::string& file;
  void take() {
    if (used++ == limit)
      fail("{}: the YAML expands to more than {} nodes (nested aliases?); refusing to read it (set "
           "ADAPTLAB_MAX_YAML_NODES to allow more)",
           file, limit);
  }
};

Node convert(const YAML::Node& y, const std::string& file, Budget& budget) {
  budget.take();
  const Loc loc = loc_of(y.Mark(), file);
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return Node::make_scalar("null", false, loc);
    case YAML::NodeType::Scalar: return Node::make_scalar(y.Scalar(), y.Tag() == "!", loc);
    case YAML::NodeType::Sequence: {
      Node n = Node::make_list(loc);
      for (const auto& item : y) n.push_back(convert(item, file, budget));
      return n;
    }
    case YAML::NodeType::Map: {
      Node n = Node::make_map(loc);
      for (const auto& kv : y) {
        const Loc kloc = loc_of(kv.first.Mark(), file);
        AL_CHECK(kv.first.IsScalar(), "{}: map keys must be plain names", kloc.str());
        const std::string key = kv.first.Scalar();
        AL_CHECK(n.find(key) == nullptr, "{}: duplicate key '{}' (first at {})", kloc.str(), key,
                 n.find_entry(key)->key_loc.str());
        n.set(key, convert(kv.second, file, budget), kloc);
      }
      return n;
    }
  }
  return Node{};
}

}  // namespace

Node parse_string(const std::string& yaml, const std::string& origin) {
  try {
    Budget budget{max_yaml_nodes(), 0, origin};
    return convert(YAML::Load(yaml), origin, budget);
  } catch (const YAML::Exception& e) {
    fail("{}: invalid YAML: {}", loc_of(e.mark, origin).str(), e.msg);
  }
}

Node load_file(const std::string& path) {
  std::ifstream in(path);
  AL_CHECK(in.good(), "{}: cannot open file", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_string(ss.str(), path);
}

Node merge(const Node& base, const Node& over) {
  if (!(base.is_map() && over.is_map())) return over;
  Node out = base;
  for (const auto& e : over.entries()) {
    const Node* b = out.find(e.key);
    if (b) {
      Node merged = merge(*b, e.value);
      out.set(e.key, std::move(merged), e.key_loc);
    } else {
      out.set(e.key, e.value, e.key_loc);
    }
  }
  return out;
}

namespace {
std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(cur);
  return parts;
}
}  // namespace

namespace {
// Item `part` (a 0-based index) of a list, for a dotted key; an error names the list and its size.
Node* list_item(Node& list, const std::string& part, const std::string& dotted, const Loc& loc) {
  size_t i = 0;
  const bool number = !part.empty() && part.size() < 9 && part.find_first_not_of("0123456789") == std::string::npos;
  if (number) i = static_cast<size_t>(std::stoul(part));
  AL_CHECK(number && i < list.items().size(), "{}: '{}' in key '{}' is not an index of the list at {} ({} items: 0 to {})",
           loc.str(), part, dotted, list.loc().str(), list.items().size(),
           list.items().empty() ? std::string("none") : std::to_string(list.items().size() - 1));
  return list.item(i);
}
}  // namespace

void set_path(Node& root, const std::string& dotted, Node value, const Loc& loc) {
  const auto parts = split_dots(dotted);
  for (const auto& p : parts) AL_CHECK(!p.empty(), "{}: empty component in key '{}'", loc.str(), dotted);
  if (!root.is_map()) root = Node::make_map(loc);
  Node* cur = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (cur->is_list()) {  // methods.0.rank: an item of a list
      Node* next = list_item(*cur, parts[i], dotted, loc);
      // A component given by its name alone (methods: [lightpeft]) becomes {name: lightpeft} to take options.
      if (next->is_scalar()) {
        Node m = Node::make_map(next->loc());
        m.set("name", *next, next->loc());
        *next = std::move(m);
      }
      cur = next;
      continue;
    }
    Node* next = cur->find(parts[i]);
    if (!next) {
      cur->set(parts[i], Node::make_map(loc), loc);
      next = cur->find(parts[i]);
    }
    AL_CHECK(next->is_map() || next->is_list(), "{}: '{}' is {} (at {}), not a map or a list; cannot set '{}'",
             loc.str(), parts[i], next->kind_name(), next->loc().str(), dotted);
    cur = next;
  }
  if (cur->is_list()) {
    *list_item(*cur, parts.back(), dotted, loc) = std::move(value);
    return;
  }
  cur->set(parts.back(), std::move(value), loc);
}

void apply_override(Node& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  const std::string origin = fmt::format("<override '{}'>", assignment);
  AL_CHECK(eq != std::string::npos && eq > 0, "{}: expected key.sub=value", origin);
  Node value = parse_string(assignment.substr(eq + 1), origin);
  set_path(root, assignment.substr(0, eq), std::move(value), Loc{origin, 0, 0});
}

const Node* at_path(const Node& root, const std::string& dotted) {
  const Node* cur = &root;
  for (const auto& p : split_dots(dotted)) {
    if (!cur->is_map()) return nullptr;
    cur = cur->find(p);
    if (!cur) return nullptr;
  }
  return cur;
}

}  // namespace adaptlab::cfg
