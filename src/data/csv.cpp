// CSV reader: one pass over the text with std::from_chars (locale-independent, exact).
#include "gradflow/data/csv.hpp"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>

#include "gradflow/factories.hpp"
#include "gradflow/io/atomic_file.hpp"

namespace gf::data {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

bool parse_number(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  // Out-of-range values (1e999) are reported as not finite by the caller.
  if (ec == std::errc::result_out_of_range && ptr == s.data() + s.size()) {
    out = (s.front() == '-') ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  return ec == std::errc() && ptr == s.data() + s.size();
}

void split(std::string_view line, char delim, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t start = 0;
  while (true) {
    std::size_t pos = line.find(delim, start);
    if (pos == std::string_view::npos) {
      fields.push_back(trim(line.substr(start)));
      return;
    }
    fields.push_back(trim(line.substr(start, pos - start)));
    start = pos + 1;
  }
}

std::string quoted(std::string_view s) {  // for messages: at most 40 characters
  std::string q = s.size() > 40 ? std::string(s.substr(0, 40)) + "..." : std::string(s);
  return "'" + q + "'";
}

}  // namespace

CsvData parse_csv(std::string_view text, const std::string& source, const CsvOptions& o) {
  const std::string op = "read_csv: " + source;
  GF_CHECK(o.delimiter != '\n' && o.delimiter != '\r' && o.delimiter != '"', op,
           ": invalid delimiter");
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  std::vector<std::string_view> fields;
  std::vector<double> values, labels;
  std::vector<std::string> label_names;  // string_labels: one per row
  CsvData d;
  int64_t columns = 0, label_col = -1, first_line = 0, rows = 0, line_no = 0;
  bool first = true;
  std::size_t pos = 0;
  const DType dt = o.dtype ? *o.dtype : default_dtype();
  // A value finite as a double can still overflow the features' dtype (6e41 in float32 -> inf).
  const double max_value = dt == DType::Float32 ? double(FLT_MAX) : DBL_MAX;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (trim(line).empty() && line.find(o.delimiter) == std::string_view::npos) continue;
    split(line, o.delimiter, fields);
    const auto n = static_cast<int64_t>(fields.size());
    if (first) {
      first = false;
      columns = n;
      first_line = line_no;
      GF_CHECK(!o.has_labels || columns >= 2, op, ":", line_no, ": found ", columns,
               " column; need at least one feature and a label");
      if (o.has_labels) {
        label_col = o.label_column < 0 ? columns + o.label_column : o.label_column;
        GF_CHECK(label_col >= 0 && label_col < columns, op, ": label_column ", o.label_column,
                 " is out of range for ", columns, " columns");
      }
      bool header = o.has_header == CsvHeader::Present;
      if (o.has_header == CsvHeader::Auto) {
        double v;
        for (int64_t c = 0; c < columns; ++c)  // (a string label column says nothing)
          header = header || (!(o.string_labels && c == label_col) && !parse_number(fields[c], v));
      }
      d.column_names.assign(static_cast<std::size_t>(columns), "");
      if (header) {
        for (int64_t c = 0; c < columns; ++c) d.column_names[c] = std::string(fields[c]);
        continue;
      }
    }
    GF_CHECK(n == columns, op, ":", line_no, ": expected ", columns, " columns (as on line ",
             first_line, "), found ", n);
    ++rows;
    for (int64_t c = 0; c < n; ++c) {
      double v = 0;
      if (c == label_col && o.string_labels) {
        std::string_view name = trim(fields[c]);
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
          name = name.substr(1, name.size() - 2);
        GF_CHECK(!name.empty(), op, ":", line_no, ": column ", c + 1, ": empty label");
        label_names.emplace_back(name);
        continue;
      }
      if (c == label_col) {
        GF_CHECK(parse_number(fields[c], v) && v >= 0 && v == std::floor(v) && v < 9.0e15, op, ":",
                 line_no, ": column ", c + 1, ": label ", quoted(fields[c]),
                 " is not an integer >= 0");
        labels.push_back(v);
        d.num_classes = std::max(d.num_classes, static_cast<int64_t>(v) + 1);
        continue;
      }
      GF_CHECK(parse_number(fields[c], v), op, ":", line_no, ": column ", c + 1, ": ",
               quoted(fields[c]), " is not a number");
      GF_CHECK(std::isfinite(v), op, ":", line_no, ": column ", c + 1, ": value ",
               quoted(fields[c]), " is not finite (data row ", rows, ")");
      GF_CHECK(std::fabs(v) <= max_value, op, ":", line_no, ": column ", c + 1, ": value ",
               quoted(fields[c]), " is out of range for ", dtype_name(dt), " (data row ", rows,
               ")");
      values.push_back(v);
    }
  }
  GF_CHECK(rows > 0, op, ": no data rows");
  const int64_t nf = o.has_labels ? columns - 1 : columns;
  GF_CHECK(is_floating(dt), op, ": features dtype must be floating, got ", dtype_name(dt));
  d.features = tensor(std::move(values), {rows, nf}, dt);
  if (o.has_labels && o.string_labels) {  // class ids in sorted order (sklearn's LabelEncoder)
    d.class_names = label_names;
    std::sort(d.class_names.begin(), d.class_names.end());
    d.class_names.erase(std::unique(d.class_names.begin(), d.class_names.end()),
                        d.class_names.end());
    for (const auto& name : label_names)
      labels.push_back(double(std::lower_bound(d.class_names.begin(), d.class_names.end(), name) -
                              d.class_names.begin()));
    d.num_classes = static_cast<int64_t>(d.class_names.size());
  }
  if (o.has_labels) d.labels = tensor(std::move(labels), {rows}, DType::Int64);
  if (label_col >= 0) d.column_names.erase(d.column_names.begin() + label_col);
  return d;
}

CsvData read_csv(const std::string& path, const CsvOptions& options) {
  std::string text;
  try {
    text = io::read_file(path);
  } catch (const Error& e) {
    std::string msg = e.what();
    detail::fail("read_csv: ", msg.substr(msg.find(": ") + 2));
  }
  return parse_csv(text, path, options);
}

}  // namespace gf::data
