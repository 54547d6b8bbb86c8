// Comparison tables from the results database: rows = method stack (plus any other setting that
// varies across the study's runs), columns = dataset (plus varying dataset options),
// cell = mean ± sample std over seeds, "(n=k)" where a cell has fewer seeds than the fullest one.
#pragma once
#include <string>

namespace adaptlab {

class Store;

struct TableSpec {
  std::string study;
  std::string metric = "test.acc";  // a summary name
  double scale = 100.0;             // multiply values (accuracy → percent)
  int precision = 1;                // digits after the decimal point
};

std::string markdown_table(Store& store, const TableSpec& spec);

}  // namespace adaptlab
