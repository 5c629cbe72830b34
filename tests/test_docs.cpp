// The documentation points only at files in the repository (issue 12, item 10: the README
// pointed at seeds/, WORKED_EXAMPLES and API.md, which were not in it): every relative Markdown
// link in README.md, examples/README.md and docs/*.md names a file or folder that exists.
// Fenced code blocks are skipped (a lambda's "](const Tensor&" is not a link).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> pages() {
  const fs::path root = GF_SOURCE_DIR;
  std::vector<fs::path> out = {root / "README.md", root / "examples" / "README.md"};
  for (const auto& e : fs::directory_iterator(root / "docs"))
    if (e.path().extension() == ".md") out.push_back(e.path());
  return out;
}

TEST(Docs, EveryLinkPointsIntoTheRepository) {
  const std::regex link(R"(\]\(([^)#\s]+)(#[^)]*)?\))");
  std::size_t checked = 0;
  for (const fs::path& page : pages()) {
    std::ifstream in(page);
    ASSERT_TRUE(in.good()) << page;
    std::string line;
    bool in_code = false;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.rfind("```", 0) == 0) in_code = !in_code;
      if (in_code) continue;
      for (auto it = std::sregex_iterator(line.begin(), line.end(), link);
           it != std::sregex_iterator(); ++it) {
        const std::string target = (*it)[1];
        if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) continue;
        ++checked;
        EXPECT_TRUE(fs::exists(page.parent_path() / target))
            << fs::relative(page, GF_SOURCE_DIR).string() << ":" << number << " links to '"
            << target << "', which is not in the repository";
      }
    }
  }
  EXPECT_GT(checked, 20u);  // the pages do link to each other and to the code
}

TEST(Docs, ThePagesTheReadmePromisesExist) {
  for (const char* name : {"docs/api.md", "docs/design.md", "docs/derivatives.md",
                           "docs/worked_examples.md", "examples/tutorial.cpp"})
    EXPECT_TRUE(fs::exists(fs::path(GF_SOURCE_DIR) / name)) << name;
}

}  // namespace
