// The three named registries (backbones, methods, datasets) and how entries join them.
//
// An entry is a name, a one-line summary, an options struct O (see framework/config/options.h) and a
// factory taking the read O. Register with add_entry<O>(registry, name, summary, factory[, meta]);
// method entries also accept the optimiser keys every method has (lr, weight_decay, decay_1d).
#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "framework/config/node.h"
#include "framework/config/options.h"
#include "framework/model/method.h"
#include "framework/registry/method_optim.h"
#include "framework/registry/registry.h"

namespace at {
class Tensor;
}

namespace adaptlab {

class Backbone;
class Method;
class Dataset;
struct DataInfo;

// An option that names an input on disk, checked by the sweep before anything runs (relative paths
// against the sweep's project folder): `dir: data/x` that is not a folder fails the plan, not N runs.
struct InputPath {
  std::string key;             // the option ("dir", "checkpoint")
  enum Kind { folder, file, any } kind = folder;
  bool or_model_name = false;  // a value without '/' is a model folder name under models/ (found there)
};

// What an entry declares beside its factory, for `adaptlab list`, tests and examples.
struct EntryMeta {
  // Options that name inputs on disk (checked at plan time).
  std::vector<InputPath> inputs;
  // Methods: options (YAML) for the method contract test when the defaults cannot run alone or leave
  // much unexercised. Backbones: options of a tiny instance for the contract test.
  std::string example_options;
  // Methods: what the method must train with its example options, checked exactly by the contract
  // test on every backbone: a regular expression over parameter names ("{head}" stands for the
  // backbone's head prefix, escaped), and how many of the matching tensors lie outside the head per
  // transformer block (-1: not fixed, e.g. it depends on the backbone's layout).
  std::string example_trains;
  int example_trains_per_block = -1;
  // Methods with a structure facet (StructureChange): options under which a few training steps make the
  // change (the facet test trains 8 steps on a tiny ViT, then saves, replays and reloads it).
  std::string example_change_options;
  // Backbones: the data a tiny instance takes, and example inputs for it (a batch of 4, seeded).
  std::shared_ptr<DataInfo> example_data;
  std::function<at::Tensor()> example_inputs;
};

// Every entry resolves its YAML options strictly into canonical JSON (defaults filled in); the
// factories receive the options as a node (from that JSON).
template <class Product, class... Args>
class OptionsRegistry {
 public:
  using Resolve = std::function<nlohmann::json(const cfg::Node& options)>;
  using Make = std::function<Product(const cfg::Node& options, Args...)>;
  struct Item {
    Resolve resolve;
    Make make;
    nlohmann::json defaults;  // option -> default value, for every option that has one
    EntryMeta meta;
  };
  explicit OptionsRegistry(std::string kind) : reg_(std::move(kind)) {}

  void add(const std::string& name, std::string summary, std::string doc, Item item) {
    auto shared = std::make_shared<const Item>(std::move(item));
    reg_.add(name, std::move(summary), std::move(doc), [shared] { return shared; });
  }
  // Resolves options for entry `name` (error for an unknown name lists the known ones).
  nlohmann::json resolve(const std::string& name, const cfg::Node& options) const {
    return item(name).resolve(options);
  }
  Product create(const std::string& name, const cfg::Node& options, Args... args) const {
    return item(name).make(options, std::forward<Args>(args)...);
  }
  // The entry's defaults and declared metadata.
  const Item& item(const std::string& name) const { return *reg_.get(name).make(); }
  // "" for a built-in entry, else the path of the plugin that registered it.
  const std::string& origin(const std::string& name) const { return reg_.get(name).origin; }
  const Registry<std::shared_ptr<const Item>>& entries() const { return reg_; }
  const std::string& kind() const { return reg_.kind(); }

 private:
  Registry<std::shared_ptr<const Item>> reg_;
};

using BackboneRegistry = OptionsRegistry<std::shared_ptr<Backbone>, const DataInfo&>;
using MethodRegistry = OptionsRegistry<std::unique_ptr<Method>>;
using DatasetRegistry = OptionsRegistry<std::unique_ptr<Dataset>>;

struct Registries {
  BackboneRegistry backbones{"backbone"};
  MethodRegistry methods{"method"};
  DatasetRegistry datasets{"dataset"};
};

// The process-wide registries, with every built-in backbone, method and dataset registered.
Registries& registries();

// ---- plugins ---------------------------------------------------------------------------------------
// The plugin interface version this build accepts. A plugin built against another version is refused
// at load time with both numbers. Bump it whenever a header a plugin includes changes incompatibly.
inline constexpr int kPluginApiVersion = 5;

// A loaded plugin: the path it was loaded from and the XXH3-128 hash of its file.
struct PluginInfo {
  std::string path;  // absolute
  std::string hash;
};

// Loads a plugin shared object (once per path): checks `adaptlab_plugin_api_version()`, then calls
// `adaptlab_register_plugin(adaptlab::Registries&)`. Returns what was loaded.
PluginInfo load_plugin(const std::string& path);
// Every plugin loaded so far, in load order.
const std::vector<PluginInfo>& loaded_plugins();
// XXH3-128 of a file's bytes (32 hex characters).
std::string file_hash(const std::string& path);

// ---- registering -------------------------------------------------------------------------------------

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

namespace detail {
template <class O, class Product, class... Args, class MakeFn>
void add_options_entry(OptionsRegistry<Product, Args...>& reg, const std::string& name, const std::string& summary,
                       MakeFn make, EntryMeta meta) {
  const std::string what = reg.kind() + " '" + name + "' options";
  typename OptionsRegistry<Product, Args...>::Item item;
  item.resolve = [what](const cfg::Node& n) { return cfg::options_json(cfg::read_options<O>(n, what)); };
  item.make = [what, make](const cfg::Node& n, Args... args) -> Product {
    return make(cfg::read_options<O>(n, what), std::forward<Args>(args)...);
  };
  item.defaults = cfg::options_defaults<O>();
  item.meta = std::move(meta);
  reg.add(name, summary, cfg::format_doc(cfg::options_doc<O>(), "    "), std::move(item));
}
}  // namespace detail

// Registers an entry whose options are the struct O. On the method registry O is extended with the
// optimiser keys (WithOptim: accepted and checked here; the trainer reads them from the resolved
// options with method_optim, beside the instance).
template <class O, class Product, class... Args, class MakeFn>
void add_entry(OptionsRegistry<Product, Args...>& reg, const std::string& name, const std::string& summary,
               MakeFn make, EntryMeta meta = {}) {
  if constexpr (std::is_same_v<Product, std::unique_ptr<Method>>) {
    using Full = WithOptim<O>;
    detail::add_options_entry<Full>(reg, name, summary, [make](const Full& o) {
      return std::unique_ptr<Method>(make(static_cast<const O&>(o)));
    }, std::move(meta));
  } else {
    detail::add_options_entry<O>(reg, name, summary, std::move(make), std::move(meta));
  }
}

// Registers a method (same as add_entry on r.methods).
template <class O, class MakeFn>
void add_method(Registries& r, const std::string& name, const std::string& summary, MakeFn make,
                EntryMeta meta = {}) {
  add_entry<O>(r.methods, name, summary, std::move(make), std::move(meta));
}

}  // namespace adaptlab

// Defines a plugin's entry points: its API version and its registration function. In the plugin:
//   ADAPTLAB_PLUGIN(r) { adaptlab::add_entry<MyOptions>(r.methods, "my_method", "...", make_my_method); }
#define ADAPTLAB_PLUGIN(registries_arg)                                                               \
  extern "C" int adaptlab_plugin_api_version() { return ::adaptlab::kPluginApiVersion; }              \
  extern "C" void adaptlab_register_plugin(::adaptlab::Registries& registries_arg)
