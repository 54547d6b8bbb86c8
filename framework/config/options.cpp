#include "framework/config/options.h"

#include <algorithm>

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "framework/core/error.h"
#include "framework/core/suggest.h"

namespace adaptlab::cfg {

void throw_type_error(const Node& n, const std::string& ctx, const char* expected) {
  if (n.is_scalar())
    fail("{}: {}: expected {}, got '{}'", n.loc().str(), ctx, expected, n.text());
  fail("{}: {}: expected {}, got {}", n.loc().str(), ctx, expected, n.kind_name());
}

void read_value(const Node& n, const std::string& ctx, int64_t& out) {
  if (!n.is_scalar() || scalar_type(n) != ScalarType::integer) throw_type_error(n, ctx, "an integer");
  const std::string& t = n.text();
  const char* b = t.data() + (t[0] == '+' ? 1 : 0);
  long long v = 0;
  auto [p, ec] = std::from_chars(b, t.data() + t.size(), v);
  if (ec != std::errc()) throw_type_error(n, ctx, "an integer in range");
  out = v;
}

void read_value(const Node& n, const std::string& ctx, int& out) {
  int64_t v = 0;
  read_value(n, ctx, v);
  if (v < INT32_MIN || v > INT32_MAX) throw_type_error(n, ctx, "a 32-bit integer");
  out = static_cast<int>(v);
}

void read_value(const Node& n, const std::string& ctx, double& out) {
  const ScalarType t = n.is_scalar() ? scalar_type(n) : ScalarType::string;
  if (!n.is_scalar() || (t != ScalarType::integer && t != ScalarType::floating)) throw_type_error(n, ctx, "a number");
  out = n.to_json().get<double>();
  // .inf, .nan and overflowing literals (1e999) are refused here, at the line that wrote them: they
  // pass range checks like '> 0' and would be stored as JSON null.
  if (!std::isfinite(out)) throw_type_error(n, ctx, "a finite number");
}

void read_value(const Node& n, const std::string& ctx, bool& out) {
  if (!n.is_scalar() || scalar_type(n) != ScalarType::boolean) throw_type_error(n, ctx, "true or false");
  out = n.text() == "true" || n.text() == "True";
}

void read_value(const Node& n, const std::string& ctx, std::string& out) {
  if (!n.is_scalar() || scalar_type(n) == ScalarType::null) throw_type_error(n, ctx, "a string");
  out = n.text();
}

void read_value(const Node& n, const std::string&, Node& out) { out = n; }

Reader::Reader(const Node& node, std::string what) : node_(&node), what_(std::move(what)) {
  if (node.is_null() || (node.is_scalar() && scalar_type(node) == ScalarType::null)) {
    empty_ = Node::make_map(node.loc());
    node_ = &empty_;
  }
  if (!node_->is_map()) throw_type_error(*node_, what_, "a map of options");
}

std::string Reader::context(const char* key) const { return fmt::format("key '{}' in {}", key, what_); }

void Reader::missing(const char* key) const {
  fail("{}: missing required key '{}' in {}", node_->loc().str(), key, what_);
}

void Reader::check(bool ok, const char* key, const std::string& message) const {
  if (ok) return;
  const Node* v = node_->find(key);
  const Loc& loc = v ? v->loc() : node_->loc();
  fail("{}: {}: {}", loc.str(), context(key), message);
}

void Reader::finish() const {
  for (const auto& e : node_->entries()) {
    bool found = false;
    for (const auto& k : known_) found = found || k == e.key;
    if (!found)
      fail("{}: unknown key '{}' in {}{}; expected one of: {}", e.key_loc.str(), e.key, what_,
           did_you_mean(e.key, known_), fmt::join(known_, ", "));
  }
}

std::string format_doc(const std::vector<FieldDoc>& fields, const std::string& indent) {
  std::string out;
  size_t key_w = 16, value_w = 14;  // columns widen for long keys and defaults, so they stay aligned
  for (const auto& f : fields) {
    key_w = std::max(key_w, f.key.size());
    value_w = std::max(value_w, f.required ? std::string("(required)").size() : f.default_json.size());
  }
  value_w = std::min<size_t>(value_w, 24);  // a long default (a list) does not push every help text away
  for (const auto& f : fields)
    out += fmt::format("{}{:<{}} {:<{}} {}\n", indent, f.key, key_w, f.required ? "(required)" : f.default_json,
                       value_w, f.help);
  return out;
}

}  // namespace adaptlab::cfg
