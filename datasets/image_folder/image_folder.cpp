#include "datasets/image_folder/image_folder.h"

#include <algorithm>
#include <filesystem>

#include "framework/core/error.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {
namespace fs = std::filesystem;

bool is_image(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e == ".jpg" || e == ".jpeg" || e == ".png";
}

std::vector<std::string> class_names(const fs::path& split) {
  AL_CHECK(fs::is_directory(split), "{}: no such split folder (expected <dir>/<split>/<class>/<image>)", split.string());
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(split))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  AL_CHECK(out.size() >= 2, "{}: needs at least 2 class folders, has {}", split.string(), out.size());
  return out;
}

std::vector<ImageEntry> list_split(const fs::path& split, const std::vector<std::string>& classes) {
  std::vector<ImageEntry> out;
  for (const auto& c : class_names(split)) {
    const auto it = std::find(classes.begin(), classes.end(), c);
    AL_CHECK(it != classes.end(), "{}: class folder '{}' is not a class of the training split", split.string(), c);
    // Every image name that is not a folder: a dangling link, a FIFO or a device is then refused (or
    // skipped and counted, skip_bad_images) by name like any unreadable image, never passed over.
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(split / c))
      if (!e.is_directory() && is_image(e.path())) files.push_back(e.path());
    // torchvision's ImageFolder refuses it too ("Found no valid file for the classes ..."): it would be a
    // class with no examples.
    AL_CHECK(!files.empty(), "{}: class folder '{}' holds no .jpg/.jpeg/.png images (an empty class); remove it "
             "or add its images", (split / c).string(), c);
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back({f.string(), it - classes.begin(), (split / c).string()});
  }
  AL_CHECK(!out.empty(), "{}: holds no .jpg/.jpeg/.png images", split.string());
  return out;
}

class ImageFolder : public ImageDataset {
 public:
  explicit ImageFolder(const ImageFolderOptions& o) : ImageDataset(o, 0) {
    const fs::path root(o.dir);
    const bool lists = !o.train_list.empty();
    std::vector<std::string> classes;
    if (lists) {
      classes_ = o.classes;
    } else {
      classes = class_names(root / o.train);
      classes_ = static_cast<int64_t>(classes.size());
    }
    const auto from_list = [&](const std::string& name) {
      return read_image_list((root / name).string(), o.dir, classes_);
    };
    auto train = lists ? from_list(o.train_list) : list_split(root / o.train, classes);
    std::vector<ImageEntry> val;
    if (lists && !o.val_list.empty()) {
      val = from_list(o.val_list);
    } else if (!lists && fs::is_directory(root / o.val)) {
      val = list_split(root / o.val, classes);
    } else {
      AL_CHECK(o.val_size > 0, "{}: no validation {} '{}'; give val_size to hold training images out", o.dir,
               lists ? "list" : "folder", lists ? o.val_list : o.val);
      const auto [held, rest] = seeded_split(train.size(), static_cast<size_t>(o.val_size), o.seed);
      std::vector<ImageEntry> t;
      for (size_t i : held) val.push_back(train[i]);
      for (size_t i : rest) t.push_back(train[i]);
      train = std::move(t);
    }
    set_split(Split::train, load_images(train, o));
    set_split(Split::val, load_images(val, o));
    set_split(Split::test, load_images(lists ? from_list(o.test_list) : list_split(root / o.test, classes), o));
  }
};

}  // namespace

std::unique_ptr<Dataset> make_image_folder(const ImageFolderOptions& o) { return std::make_unique<ImageFolder>(o); }

void register_image_folder(Registries& r) {
  add_entry<ImageFolderOptions>(r.datasets, "image_folder", "images in class folders per split (JPEG/PNG)",
                                [](const ImageFolderOptions& o) { return make_image_folder(o); },
      EntryMeta{.inputs = {{"dir", InputPath::folder}}});  // checked at plan time
}

}  // namespace adaptlab
