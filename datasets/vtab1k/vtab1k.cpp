#include "datasets/vtab1k/vtab1k.h"

#include <filesystem>
#include <fstream>

#include "framework/core/error.h"
#include "framework/core/suggest.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {
namespace fs = std::filesystem;

std::vector<ImageEntry> read_list(const fs::path& task_dir, const std::string& name, int64_t classes, int limit) {
  const fs::path list = task_dir / (name + ".txt");
  AL_CHECK(fs::is_regular_file(list), "{}: not found (a VTAB-1k task folder holds train800.txt, val200.txt, "
           "train800val200.txt and test.txt)", list.string());
  return read_image_list(list.string(), task_dir.string(), classes, limit);
}

class Vtab1k : public ImageDataset {
 public:
  Vtab1k(const Vtab1kOptions& o, const Vtab1kTask& t) : ImageDataset(o, t.classes) {
    fs::path dir = fs::path(o.dir) / t.name;
    if (!fs::is_directory(dir) && !t.folder.empty()) dir = fs::path(o.dir) / t.folder;
    AL_CHECK(fs::is_directory(dir), "VTAB-1k task '{}': no folder {} (or {}) under {}", t.name, t.name,
             t.folder.empty() ? t.name : t.folder, o.dir);
    set_split(Split::train, load_images(read_list(dir, o.train, t.classes, o.train_size), o));
    set_split(Split::val, load_images(read_list(dir, "val200", t.classes, o.val_size), o));
    set_split(Split::test, load_images(read_list(dir, "test", t.classes, o.test_size), o));
  }
};

}  // namespace

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
  std::vector<std::string> names;
  for (const auto& t : vtab1k_tasks()) {
    if (t.name == o.task || (!t.folder.empty() && t.folder == o.task)) return std::make_unique<Vtab1k>(o, t);
    names.push_back(t.name);
  }
  fail("unknown VTAB-1k task '{}'{}; known: {}", o.task, did_you_mean(o.task, names), fmt::join(names, ", "));
}

void register_vtab1k(Registries& r) {
  add_entry<Vtab1kOptions>(r.datasets, "vtab1k",
                           "VTAB-1k tasks in the NOAH/PYRA layout (list files + images; uint8 in memory, 224 bicubic)",
                           [](const Vtab1kOptions& o) { return make_vtab1k(o); },
      EntryMeta{.inputs = {{"dir", InputPath::folder}}});  // checked at plan time
}

}  // namespace adaptlab
