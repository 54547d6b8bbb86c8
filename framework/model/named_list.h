// An ordered list of named items (hook modules of a block, a Linear layer's observers): names unique
// within the list, removal by name. The one list type of every hook point, so code that removes an op
// asks each list by name instead of searching vectors by pointer.
#pragma once
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace adaptlab {

template <class T>
class NamedList {
 public:
  struct Item {
    std::string name;
    T value;
  };

  bool contains(const std::string& name) const { return find(name) != items_.end(); }
  // Appends; false (nothing added) when the name is taken.
  bool add(const std::string& name, T value) {
    if (contains(name)) return false;
    items_.push_back({name, std::move(value)});
    return true;
  }
  // False when no item has that name.
  bool remove(const std::string& name) {
    const auto it = find(name);
    if (it == items_.end()) return false;
    items_.erase(it);
    return true;
  }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Item>& items() const { return items_; }
  std::vector<T> values() const {
    std::vector<T> out;
    out.reserve(items_.size());
    for (const auto& i : items_) out.push_back(i.value);
    return out;
  }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  typename std::vector<Item>::const_iterator find(const std::string& name) const {
    return std::find_if(items_.begin(), items_.end(), [&](const Item& i) { return i.name == name; });
  }
  std::vector<Item> items_;
};

}  // namespace adaptlab
