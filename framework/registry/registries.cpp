#include "framework/registry/registries.h"

#include <dlfcn.h>

#include "framework/core/error.h"

namespace adaptlab {

void register_backbones(Registries& r);  // framework/model/register_backbones.cpp
void register_methods(Registries& r);    // methods/register_all.cpp
void register_datasets(Registries& r);   // datasets/register_all.cpp

Registries& registries() {
  static Registries* r = [] {
    auto* reg = new Registries();
    register_backbones(*reg);
    register_methods(*reg);
    register_datasets(*reg);
    return reg;
  }();
  return *r;
}

void load_plugin(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  AL_CHECK(handle != nullptr, "cannot load plugin '{}': {}", path, dlerror());
  using RegisterFn = void (*)(Registries&);
  auto fn = reinterpret_cast<RegisterFn>(dlsym(handle, "adaptlab_register_plugin"));
  AL_CHECK(fn != nullptr, "plugin '{}' has no function adaptlab_register_plugin(adaptlab::Registries&)", path);
  fn(registries());
}

}  // namespace adaptlab
