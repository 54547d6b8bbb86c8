// The three named registries (backbones, methods, datasets) and how entries join them.
#pragma once
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "framework/config/node.h"
#include "framework/config/options.h"
#include "framework/model/method.h"
#include "framework/registry/registry.h"

namespace adaptlab {

class Backbone;
class Method;
class Dataset;
struct DataInfo;

// Every entry resolves its YAML options strictly into canonical JSON (defaults filled in); the
// factories receive that resolved map (without "name").
template <class Product, class... Args>
class OptionsRegistry {
 public:
  using Resolve = std::function<nlohmann::json(const cfg::Node& options)>;
  using Make = std::function<Product(const cfg::Node& options, Args...)>;
  struct Item {
    Resolve resolve;
    Make make;
  };
  explicit OptionsRegistry(std::string kind) : reg_(std::move(kind)) {}

  void add(const std::string& name, std::string summary, std::string doc, Resolve resolve, Make make) {
    reg_.add(name, std::move(summary), std::move(doc), [item = Item{std::move(resolve), std::move(make)}] {
      return item;
    });
  }
  // Resolves options for entry `name` (error for an unknown name lists the known ones).
  nlohmann::json resolve(const std::string& name, const cfg::Node& options) const {
    return reg_.create(name).resolve(options);
  }
  Product create(const std::string& name, const cfg::Node& options, Args... args) const {
    return reg_.create(name).make(options, std::forward<Args>(args)...);
  }
  const Registry<Item>& entries() const { return reg_; }
  const std::string& kind() const { return reg_.kind(); }

 private:
  Registry<Item> reg_;
};

struct Registries {
  OptionsRegistry<std::shared_ptr<Backbone>, const DataInfo&> backbones{"backbone"};
  OptionsRegistry<std::unique_ptr<Method>> methods{"method"};
  OptionsRegistry<std::unique_ptr<Dataset>> datasets{"dataset"};
};

// The process-wide registries, with every built-in backbone, method and dataset registered.
Registries& registries();

// Loads a plugin shared object and calls its `adaptlab_register_plugin(adaptlab::Registries&)`.
void load_plugin(const std::string& path);

// Registers an entry whose options are the struct O (see framework/config/options.h).
template <class O, class Reg, class MakeFn>
void add_entry(Reg& reg, const std::string& name, const std::string& summary, MakeFn make) {
  const std::string what = reg.kind() + " '" + name + "' options";
  reg.add(
      name, summary, cfg::format_doc(cfg::options_doc<O>(), "    "),
      [what](const cfg::Node& n) { return cfg::options_json(cfg::read_options<O>(n, what)); },
      [what, make](const cfg::Node& n, auto&&... args) {
        return make(cfg::read_options<O>(n, what), std::forward<decltype(args)>(args)...);
      });
}

// A method's options O plus the optimiser keys every method accepts (MethodOptim: lr, weight_decay,
// decay_1d).
template <class O>
struct WithOptim : O {
  MethodOptim optim_;
  template <class V>
  void visit(V& v) {
    O::visit(v);
    optim_.visit(v);
  }
};

// Registers a method whose options are O plus MethodOptim's keys.
template <class O, class MakeFn>
void add_method(Registries& r, const std::string& name, const std::string& summary, MakeFn make) {
  add_entry<WithOptim<O>>(r.methods, name, summary, [make](const WithOptim<O>& o) {
    auto m = make(static_cast<const O&>(o));
    m->optim = o.optim_;
    return m;
  });
}

}  // namespace adaptlab
