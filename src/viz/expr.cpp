// Recursive-descent parser for the little formula language of `gradflow graph --expr`:
//   expr := term (('+'|'-') term)*      term := unary (('*'|'/') unary)*
//   unary := '-' unary | primary        primary := number | name | name '(' expr ')' | '(' expr ')'
// Evaluates as it parses, with gradflow ops, so the result carries the backward graph. One pass,
// linear in the text: variables are found through a hash map, and an error quotes only the
// formula around the problem.
#include "gradflow/viz/expr.hpp"

#include <cctype>
#include <cstdlib>
#include <unordered_map>

#include "gradflow/factories.hpp"
#include "gradflow/op_registry.hpp"
#include "gradflow/ops.hpp"

namespace gf::viz {

namespace {

class Parser {
 public:
  Parser(const std::string& text, const std::map<std::string, double>& values, DType dtype)
      : s_(text), values_(values), dtype_(dtype) {}

  Expression parse() {
    GF_CHECK(!s_.empty(), "expression: empty formula");
    Expression e;
    e.result = expr();
    skip();
    if (pos_ < s_.size()) error("unexpected '" + std::string(1, s_[pos_]) + "'");
    e.variables = std::move(vars_);
    return e;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    ::gf::detail::fail("expression: ", what, " at position ", pos_ + 1, " in \"", excerpt(), "\"");
  }
  // The formula, or for a long one the 30 characters each side of the position.
  std::string excerpt() const {
    constexpr std::size_t kSide = 30;
    if (s_.size() <= 2 * kSide + 10) return s_;
    const std::size_t from = pos_ > kSide ? pos_ - kSide : 0;
    return (from > 0 ? "…" : "") + s_.substr(from, 2 * kSide) +
           (from + 2 * kSide < s_.size() ? "…" : "");
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Tensor expr() {
    Tensor a = term();
    for (;;) {
      if (accept('+'))
        a = a + term();
      else if (accept('-'))
        a = a - term();
      else
        return a;
    }
  }
  Tensor term() {
    Tensor a = unary();
    for (;;) {
      if (accept('*'))
        a = a * unary();
      else if (accept('/'))
        a = a / unary();
      else
        return a;
    }
  }
  Tensor unary() {
    if (++depth_ > 200) error("formula nested too deeply");
    Tensor r = accept('-') ? -unary() : primary();
    --depth_;
    return r;
  }
  Tensor primary() {
    skip();
    if (pos_ >= s_.size()) error("formula ends where a value was expected");
    const char c = s_[pos_];
    if (accept('(')) {
      Tensor r = expr();
      if (!accept(')')) error("missing ')'");
      return r;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* begin = s_.c_str() + pos_;
      char* end = nullptr;
      double v = std::strtod(begin, &end);
      if (end == begin) error("bad number");
      pos_ += static_cast<std::size_t>(end - begin);
      return scalar_tensor(v, dtype_);
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
        ++pos_;
      const std::string name = s_.substr(start, pos_ - start);
      if (accept('(')) {
        Tensor arg = expr();
        if (!accept(')')) error("missing ')' after the argument of " + name);
        if (UnaryFn f = unary_by_name(name)) return f(arg);
        pos_ = start;
        error("unknown function '" + name + "' (known: " + unary_op_names() + ")");
      }
      return variable(name, start);
    }
    error("unexpected '" + std::string(1, c) + "'");
  }
  Tensor variable(const std::string& name, std::size_t start) {
    if (auto seen = index_.find(name); seen != index_.end()) return vars_[seen->second].second;
    auto it = values_.find(name);
    if (it == values_.end()) {
      pos_ = start;
      error("variable '" + name + "' has no value (give one with --values " + name + "=...)");
    }
    Tensor t = scalar_tensor(it->second, dtype_).requires_grad_();
    t.impl().name = name;
    index_.emplace(name, vars_.size());
    vars_.emplace_back(name, t);
    return t;
  }

  const std::string& s_;
  const std::map<std::string, double>& values_;
  DType dtype_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  NamedTensors vars_;
  std::unordered_map<std::string, std::size_t> index_;  // name -> position in vars_
};

}  // namespace

Expression parse_expression(const std::string& text, const std::map<std::string, double>& values,
                            DType dtype) {
  return Parser(text, values, dtype).parse();
}

std::map<std::string, double> parse_values(const std::string& text) {
  std::map<std::string, double> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string pair =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      GF_CHECK(eq != std::string::npos && eq > 0, "values: '", pair,
               "' is not name=value (e.g. x=-2,y=5,z=-4)");
      // Spaces around names and numbers are allowed: "x=-2, y=3".
      auto trim = [](std::string t) {
        t.erase(0, t.find_first_not_of(" \t"));
        t.erase(t.find_last_not_of(" \t") + 1);
        return t;
      };
      const std::string name = trim(pair.substr(0, eq)), number = trim(pair.substr(eq + 1));
      GF_CHECK(!name.empty(), "values: '", pair, "' has no name before '='");
      char* end = nullptr;
      double v = std::strtod(number.c_str(), &end);
      GF_CHECK(!number.empty() && end == number.c_str() + number.size(), "values: '", number,
               "' (for ", name, ") is not a number");
      values[name] = v;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

}  // namespace gf::viz
