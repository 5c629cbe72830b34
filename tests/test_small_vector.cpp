// autograd::SmallVector (the inline edge and gradient lists of every node): elements stay
// inline up to N, move to the heap beyond, survive copies and moves either way, and convert to
// and from std::vector. Checked on a type that counts live objects, so a leaked or doubly
// destroyed element shows.
#include <gtest/gtest.h>

#include <gradflow/autograd/small_vector.hpp>
#include <string>
#include <utility>
#include <vector>

namespace {

int live = 0;
struct Counted {
  std::string v;
  Counted() : v("") { ++live; }
  Counted(std::string s) : v(std::move(s)) { ++live; }  // NOLINT(google-explicit-constructor)
  Counted(const Counted& o) : v(o.v) { ++live; }
  Counted(Counted&& o) noexcept : v(std::move(o.v)) { ++live; }
  Counted& operator=(const Counted&) = default;
  Counted& operator=(Counted&&) = default;
  ~Counted() { --live; }
  bool operator==(const Counted& o) const { return v == o.v; }
};
using SV = gf::autograd::SmallVector<Counted, 3>;

std::vector<std::string> values(const SV& s) {
  std::vector<std::string> r;
  for (const Counted& c : s) r.push_back(c.v);
  return r;
}

TEST(SmallVector, InlineUpToNThenHeapKeepingOrder) {
  live = 0;
  {
    SV s;
    for (int i = 0; i < 3; ++i) s.push_back(std::to_string(i));
    EXPECT_EQ(s.capacity(), 3u);  // still inline
    const Counted* inline_data = s.data();
    s.push_back(std::string("3"));
    EXPECT_NE(s.data(), inline_data);  // moved to the heap
    EXPECT_GE(s.capacity(), 4u);
    EXPECT_EQ(values(s), (std::vector<std::string>{"0", "1", "2", "3"}));
    EXPECT_EQ(live, 4);
    s.pop_back();
    s.resize(5);
    EXPECT_EQ(values(s), (std::vector<std::string>{"0", "1", "2", "", ""}));
    s.push_back(s[0]);  // an element of the vector itself, while it grows
    EXPECT_EQ(s.back().v, "0");
    EXPECT_EQ(live, 6);
  }
  EXPECT_EQ(live, 0);
}

TEST(SmallVector, CopiesAndMovesInlineAndHeap) {
  live = 0;
  {
    for (int n : {2, 5}) {  // inline, heap
      SV a;
      for (int i = 0; i < n; ++i) a.push_back(std::to_string(i));
      SV b = a;
      EXPECT_TRUE(a == b);
      SV c = std::move(a);
      EXPECT_TRUE(a.empty());
      EXPECT_TRUE(c == b);
      a = c;  // copy-assign into the moved-from
      EXPECT_TRUE(a == b);
      SV d{std::string("x")};
      d = std::move(c);
      EXPECT_TRUE(d == b);
      EXPECT_TRUE(c.empty());
      EXPECT_EQ(live, 3 * n);  // a, b, d
    }
  }
  EXPECT_EQ(live, 0);
}

TEST(SmallVector, ConvertsToAndFromStdVector) {
  live = 0;
  {
    std::vector<Counted> v{std::string("a"), std::string("b"), std::string("c"),
                           std::string("d")};
    SV s = v;
    EXPECT_EQ(values(s), (std::vector<std::string>{"a", "b", "c", "d"}));
    std::vector<Counted> back = s;
    EXPECT_EQ(back, v);
    std::vector<Counted> moved = std::move(s);
    EXPECT_EQ(moved, v);
    SV il{std::string("p"), std::string("q")};
    EXPECT_EQ(values(il), (std::vector<std::string>{"p", "q"}));
    il.clear();
    EXPECT_TRUE(il.empty());
  }
  EXPECT_EQ(live, 0);
}

}  // namespace
