// CSV files of numeric features and an integer class label per row.
//
//   auto d = gf::data::read_csv("iris.csv");          // last column = label, header detected
//   auto d = gf::data::read_csv("x.csv", {.label_column = 0, .delimiter = ';'});
//
// Fields are split on the delimiter (no quoted delimiters); spaces and surrounding double quotes
// are trimmed; blank lines are skipped. Errors name the file, line and column (1-based):
//   "read_csv: data.csv:17: column 3: 'abc' is not a number"
//   "read_csv: data.csv:9: expected 5 columns (as on line 1), found 4"
//   "read_csv: data.csv:12: column 5: label '1.5' is not an integer >= 0"
//   "read_csv: data.csv:4: column 2: value 'nan' is not finite (data row 3)"
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gradflow/tensor.hpp"

namespace gf::data {

enum class CsvHeader { Auto, Present, Absent };  // Auto: a first row with any non-number

struct CsvOptions {
  int64_t label_column = -1;  // 0-based; negative counts from the end (-1 = last)
  bool has_labels = true;     // false: every column is a feature (prediction inputs)
  CsvHeader has_header = CsvHeader::Auto;
  char delimiter = ',';
  bool string_labels = false;  // labels are names: class ids 0..C-1 in sorted order of the names
  std::optional<DType> dtype;  // features' dtype; nullopt: default_dtype()
};

struct CsvData {
  Tensor features;  // [rows, columns - 1] (or [rows, columns] without labels), floating
  Tensor labels;    // [rows] Int64 (undefined when has_labels is false)
  std::vector<std::string> column_names;  // the features' names from the header ("" without one)
  int64_t num_classes = 0;                // 1 + the largest label
  std::vector<std::string> class_names;   // string_labels: the sorted names (id = position)
};

CsvData read_csv(const std::string& path, const CsvOptions& options = {});
// Same, from text in memory (`source` names it in errors; used by the fuzz targets).
CsvData parse_csv(std::string_view text, const std::string& source, const CsvOptions& options = {});

}  // namespace gf::data
