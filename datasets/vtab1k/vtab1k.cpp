#include "datasets/vtab1k/vtab1k.h"

#include <filesystem>

#include "framework/core/error.h"
#include "framework/core/suggest.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {
namespace fs = std::filesystem;

// The task's folder: its name (as NOAH's and PYRA's scripts pass it, --data-path=.../vtab-1k/${DATASET})
// or the preparation script's folder name; both present is an error unless they are the same folder.
fs::path task_folder(const Vtab1kOptions& o, const Vtab1kTask& t) {
  const fs::path by_name = fs::path(o.dir) / t.name;
  if (t.folder.empty()) {
    AL_CHECK(fs::is_directory(by_name), "VTAB-1k task '{}': no folder {} under {}", t.name, t.name, o.dir);
    return by_name;
  }
  const fs::path by_folder = fs::path(o.dir) / t.folder;
  const bool n = fs::is_directory(by_name), f = fs::is_directory(by_folder);
  AL_CHECK(n || f, "VTAB-1k task '{}': no folder {} (or {}) under {}", t.name, t.name, t.folder, o.dir);
  AL_CHECK(!(n && f) || fs::equivalent(by_name, by_folder),
           "VTAB-1k task '{}': both {} and {} exist under {} and are different folders; keep one (or link one "
           "to the other)", t.name, t.name, t.folder, o.dir);
  return n ? by_name : by_folder;
}

class Vtab1k : public ImageDataset {
 public:
  Vtab1k(const Vtab1kOptions& o, const Vtab1kTask& t) : ImageDataset(o, t.classes) {
    const fs::path dir = task_folder(o, t);
    const std::vector<std::string> lists = vtab1k_lists(o.protocol);
    // Every list the protocol needs is checked before any image is decoded.
    for (const auto& name : lists) {
      const fs::path list = dir / (name + ".txt");
      AL_CHECK(fs::is_regular_file(list),
               "{}: not found; protocol '{}' reads {}.txt (train), {}.txt (val) and {}.txt (test) (NOAH's "
               "get_vtab1k.py writes train800.txt, val200.txt, train800val200.txt and test.txt in each task folder)",
               list.string(), o.protocol, lists[0], lists[1], lists[2]);
    }
    auto read = [&](const std::string& name, int limit) {
      return read_image_list((dir / (name + ".txt")).string(), dir.string(), t.classes, limit);
    };
    set_split(Split::train, load_images(read(lists[0], o.train_size), o));
    DecodedImages val = load_images(read(lists[1], o.val_size), o);
    // tune: the test split is val200 again; the same images when the sizes agree (decoded once).
    if (lists[2] == lists[1] && o.test_size == o.val_size)
      set_split(Split::test, val);
    else
      set_split(Split::test, load_images(read(lists[2], o.test_size), o));
    set_split(Split::val, std::move(val));
  }
};

}  // namespace

std::vector<std::string> vtab1k_lists(const std::string& protocol) {
  if (protocol == "tune") return {"train800", "val200", "val200"};
  AL_CHECK(protocol == "final", "VTAB-1k protocol '{}': expected tune or final", protocol);
  return {"train800val200", "val200", "test"};
}

// Names, folders and classes: NOAH's lib/datasets.py and PYRA's lib/datasets.py (build_dataset: the
// --data-set names and nb_classes), NOAH's data/vtab-source/get_vtab1k.py (the folders); README.md.
const std::vector<Vtab1kTask>& vtab1k_tasks() {
  static const std::vector<Vtab1kTask> t = {
      {"cifar100", "cifar", 100, "natural"},           {"caltech101", "", 102, "natural"},
      {"dtd", "", 47, "natural"},                      {"oxford_flowers102", "", 102, "natural"},
      {"oxford_pet", "oxford_iiit_pet", 37, "natural"}, {"svhn", "", 10, "natural"},
      {"sun397", "", 397, "natural"},                  {"patch_camelyon", "", 2, "specialized"},
      {"eurosat", "", 10, "specialized"},              {"resisc45", "", 45, "specialized"},
      {"diabetic_retinopathy", "", 5, "specialized"},  {"clevr_count", "", 8, "structured"},
      {"clevr_dist", "", 6, "structured"},             {"dmlab", "", 6, "structured"},
      {"kitti", "", 4, "structured"},                  {"dsprites_loc", "", 16, "structured"},
      {"dsprites_ori", "", 16, "structured"},          {"smallnorb_azi", "", 18, "structured"},
      {"smallnorb_ele", "", 9, "structured"}};
  return t;
}

std::unique_ptr<Dataset> make_vtab1k(const Vtab1kOptions& o) {
  std::vector<std::string> names, all;
  for (const auto& t : vtab1k_tasks()) {
    if (t.name == o.task || (!t.folder.empty() && t.folder == o.task)) return std::make_unique<Vtab1k>(o, t);
    names.push_back(t.name);
    all.push_back(t.name);
    if (!t.folder.empty()) all.push_back(t.folder);
  }
  fail("unknown VTAB-1k task '{}'{}; known: {} (and the folder names cifar, oxford_iiit_pet)", o.task,
       did_you_mean(o.task, all), fmt::join(names, ", "));
}

void register_vtab1k(Registries& r) {
  add_entry<Vtab1kOptions>(r.datasets, "vtab1k",
                           "VTAB-1k tasks in the NOAH/PYRA layout (protocol tune: train800 -> val200, final: "
                           "train800val200 -> test; uint8 in memory, 224 bicubic)",
                           [](const Vtab1kOptions& o) { return make_vtab1k(o); },
      EntryMeta{.inputs = {{"dir", InputPath::folder}}});  // checked at plan time
}

}  // namespace adaptlab
