#include "framework/data/dataset.h"

namespace adaptlab {

const char* split_name(Split s) {
  switch (s) {
    case Split::train: return "train";
    case Split::val: return "val";
    case Split::test: return "test";
  }
  return "?";
}

}  // namespace adaptlab
