// einsum("ij,jk->ik", {a, b}) through differentiable ops only: each operand first takes its
// diagonals (a subscript repeated within an operand: multiply by an identity mask and sum) and
// sums the subscripts nobody else needs; then the operands are contracted left to right, each
// pair as one batched matmul: A permuted to [batch, a-only, contracted] and B to
// [batch, contracted, b-only], folded to 3-D, multiplied, unfolded; finally the result is
// permuted to the output's order. Without "->", the output is the subscripts that appear once,
// in alphabetical order (PyTorch's implicit mode). Not supported: "..." (ellipsis).
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <string>

#include "gradflow/factories.hpp"
#include "gradflow/ops.hpp"

namespace gf {

namespace {

struct Term {
  Tensor t;
  std::string letters;  // one per dim of t
};

int64_t size_of(const Term& x, char c) { return x.t.sizes()[x.letters.find(c)]; }

// Sums x over the letters for which `drop` is true.
Term sum_letters(Term x, const std::function<bool(char)>& drop) {
  std::vector<int64_t> dims;
  std::string kept;
  for (std::size_t i = 0; i < x.letters.size(); ++i)
    if (drop(x.letters[i]))
      dims.push_back(static_cast<int64_t>(i));
    else
      kept += x.letters[i];
  if (dims.empty()) return x;
  return {sum(x.t, dims), kept};
}

// A letter repeated within one operand: keep the diagonal (x * I summed over the second one).
Term take_diagonals(Term x) {
  for (std::size_t p = 0; p < x.letters.size(); ++p)
    for (std::size_t q = p + 1; q < x.letters.size(); ++q) {
      if (x.letters[p] != x.letters[q]) continue;
      int64_t n = x.t.sizes()[p];
      Shape s = Shape::filled(x.t.dim(), 1);
      s[p] = s[q] = n;
      Tensor mask = reshape(eye(n, x.t.dtype()), s);
      x.t = sum(x.t * mask, static_cast<int64_t>(q));
      x.letters.erase(q, 1);
      --q;
    }
  return x;
}

Tensor permute_to(const Term& x, const std::string& order) {
  Shape perm;
  for (char c : order) perm.push_back(static_cast<int64_t>(x.letters.find(c)));
  return permute(x.t, perm);
}

// Contracts a and b, keeping the letters in `keep`; one batched matmul.
Term contract(const Term& a, const Term& b, const std::string& keep) {
  auto in = [](const std::string& s, char c) { return s.find(c) != std::string::npos; };
  std::string batch, contracted, a_only, b_only;
  for (char c : a.letters) {
    if (!in(b.letters, c))
      a_only += c;
    else if (in(keep, c))
      batch += c;
    else
      contracted += c;
  }
  for (char c : b.letters)
    if (!in(a.letters, c)) b_only += c;
  auto prod = [](const Term& x, const std::string& ls) {
    int64_t n = 1;
    for (char c : ls) n *= size_of(x, c);
    return n;
  };
  int64_t nb = prod(a, batch), m = prod(a, a_only), k = prod(a, contracted), n = prod(b, b_only);
  Tensor A = reshape(permute_to(a, batch + a_only + contracted), {nb, m, k});
  Tensor B = reshape(permute_to(b, batch + contracted + b_only), {nb, k, n});
  Shape out_shape;
  for (char c : batch) out_shape.push_back(size_of(a, c));
  for (char c : a_only) out_shape.push_back(size_of(a, c));
  for (char c : b_only) out_shape.push_back(size_of(b, c));
  return {reshape(matmul(A, B), out_shape), batch + a_only + b_only};
}

}  // namespace

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  GF_CHECK(eq.find("...") == std::string::npos, "einsum: ellipsis (...) is not supported, in \"",
           equation, "\"");
  std::size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (std::size_t b = 0;;) {
    std::size_t e = lhs.find(',', b);
    terms.push_back(lhs.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  GF_CHECK(terms.size() == operands.size(), "einsum: the equation \"", equation, "\" has ",
           terms.size(), " operand(s) but ", operands.size(), " tensor(s) were given");
  std::map<char, int64_t> sizes, counts;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    GF_CHECK(static_cast<int64_t>(terms[i].size()) == operands[i].dim(), "einsum: operand ", i,
             " has ", operands[i].dim(), " dims (shape ", operands[i].sizes(),
             ") but subscripts \"", terms[i], "\" in \"", equation, "\"");
    for (std::size_t d = 0; d < terms[i].size(); ++d) {
      char c = terms[i][d];
      GF_CHECK(std::isalpha(static_cast<unsigned char>(c)), "einsum: invalid subscript '", c,
               "' in \"", equation, "\" (letters a-z, A-Z only)");
      int64_t s = operands[i].sizes()[d];
      GF_CHECK(!sizes.count(c) || sizes[c] == s, "einsum: subscript '", c, "' has size ", sizes[c],
               " in one operand but size ", s, " for operand ", i, " (shape ", operands[i].sizes(),
               ")");
      sizes[c] = s;
      ++counts[c];
    }
  }
  std::string out;
  if (arrow == std::string::npos) {
    for (const auto& [c, n] : counts)
      if (n == 1) out += c;
  } else {
    out = eq.substr(arrow + 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
      GF_CHECK(sizes.count(out[i]), "einsum: output subscript '", out[i],
               "' does not appear in the inputs of \"", equation, "\"");
      GF_CHECK(out.find(out[i], i + 1) == std::string::npos, "einsum: output subscript '", out[i],
               "' appears more than once in \"", equation, "\"");
    }
  }
  // Letters still needed after operand i: the output's and those of later operands.
  auto needed_after = [&](std::size_t i) {
    std::string s = out;
    for (std::size_t j = i + 1; j < terms.size(); ++j) s += terms[j];
    return s;
  };
  auto in = [](const std::string& s, char c) { return s.find(c) != std::string::npos; };
  Term cur;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    Term x = take_diagonals({operands[i], terms[i]});
    std::string later = needed_after(i), before = i ? cur.letters : "";
    x = sum_letters(x, [&](char c) { return !in(later, c) && !in(before, c); });
    if (i == 0) {
      cur = x;
      continue;
    }
    cur = contract(cur, x, later);
  }
  cur = sum_letters(cur, [&](char c) { return !in(out, c); });
  if (cur.letters == out) return cur.t;
  return permute_to(cur, out);
}

}  // namespace gf
