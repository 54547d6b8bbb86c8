#include "framework/registry/registries.h"

#include <dlfcn.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "framework/core/error.h"
#include "framework/core/hash.h"

namespace adaptlab {

void register_backbones(Registries& r);  // framework/model/register_backbones.cpp
void register_methods(Registries& r);    // generated: every methods/<name>/ folder's registration
void register_datasets(Registries& r);   // generated: every datasets/<name>/ folder's registration

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

namespace {
std::string g_origin;  // the plugin registering now ("" = built in)
}  // namespace

const std::string& registration_origin() { return g_origin; }
std::string describe_origin(const std::string& origin) {
  return origin.empty() ? std::string("adaptlab itself") : "plugin " + origin;
}

namespace {
std::vector<PluginInfo>& plugins() {
  static std::vector<PluginInfo> p;
  return p;
}
}  // namespace

const std::vector<PluginInfo>& loaded_plugins() { return plugins(); }

MethodOptim method_optim(const nlohmann::json& o) {
  MethodOptim m;
  if (!o.is_object()) return m;
  if (o.contains("lr")) m.lr = o.at("lr").get<double>();
  if (o.contains("weight_decay")) m.weight_decay = o.at("weight_decay").get<double>();
  if (o.contains("decay_1d")) m.decay_1d = o.at("decay_1d").get<bool>();
  return m;
}

std::string file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  AL_CHECK(in.good(), "cannot read '{}'", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return hash_hex128(ss.str());
}

PluginInfo load_plugin(const std::string& given) {
  namespace fs = std::filesystem;
  // A name without a slash is a file in the current directory: dlopen() would search the library path
  // for it instead (and could load a system library of that name).
  const bool bare = given.find('/') == std::string::npos;
  if (bare)
    AL_CHECK(fs::is_regular_file(given), "cannot load plugin '{}': no file '{}' in the current directory ({}); "
             "plugins are not searched for on the library path", given, given, fs::current_path().string());
  AL_CHECK(fs::is_regular_file(given), "cannot load plugin '{}': no such file", given);
  const std::string path = fs::canonical(given).string();
  for (const char* sys : {"/lib/", "/lib32/", "/lib64/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/"}) {
    const bool under = path.starts_with(sys) && path.find("/adaptlab/") == std::string::npos;
    AL_CHECK(!under, "refusing to load '{}' as a plugin: it is a system library ({}); adaptlab plugins are built "
             "with adaptlab_add_plugin (docs/plugins.md)", given, path);
  }
  for (const auto& p : plugins())
    if (p.path == path) return p;
  PluginInfo info{path, file_hash(path)};
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  AL_CHECK(handle != nullptr, "cannot load plugin '{}': {}", given, dlerror());
  using VersionFn = int (*)();
  auto version = reinterpret_cast<VersionFn>(dlsym(handle, "adaptlab_plugin_api_version"));
  AL_CHECK(version != nullptr,
           "plugin '{}' has no function adaptlab_plugin_api_version(); define its entry points with "
           "ADAPTLAB_PLUGIN(registries) {{ ... }} (framework/registry/registries.h) and rebuild it",
           given);
  const int v = version();
  AL_CHECK(v == kPluginApiVersion,
           "plugin '{}' was built for adaptlab plugin API version {}, but this adaptlab has version {}; rebuild the "
           "plugin against this adaptlab (find_package(adaptlab))",
           given, v, kPluginApiVersion);
  using RegisterFn = void (*)(Registries&);
  auto fn = reinterpret_cast<RegisterFn>(dlsym(handle, "adaptlab_register_plugin"));
  AL_CHECK(fn != nullptr, "plugin '{}' has no function adaptlab_register_plugin(adaptlab::Registries&)", given);
  Registries& reg = registries();  // the built-in entries first, registered as adaptlab's own
  g_origin = path;
  try {
    fn(reg);
  } catch (const std::exception& e) {
    g_origin.clear();
    fail("plugin '{}': its registration failed: {}", path, e.what());
  }
  g_origin.clear();
  plugins().push_back(info);
  return info;
}

}  // namespace adaptlab
