// render(): DOT text -> SVG/PNG/PDF through Graphviz. In-process with libgvc (agmemread,
// gvLayout "dot", gvRenderData into memory); when libgvc cannot produce the format, the `dot`
// program writing to a pipe. Either way the picture is in memory before the file is touched, and
// io::write_file_atomic writes it: Graphviz never writes (or exit()s on a failed write to) the
// target, and a failure leaves the previous file as it was.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "gradflow/viz/graph.hpp"
#include "write_picture.hpp"

#if __has_include(<graphviz/gvc.h>)
#include <graphviz/gvc.h>
#define GF_HAVE_GVC 1
#endif

extern char** environ;

namespace gf::viz {

namespace {

const char* const kInstallHint =
    "install Graphviz (Debian: apt-get install graphviz libgraphviz-dev)";

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext.empty() ? ext : ext.substr(1);
}

#ifdef GF_HAVE_GVC
std::mutex g_gvc_mutex;     // cgraph's error state is global
std::string* g_gvc_errors;  // collects agerr messages while g_gvc_mutex is held

int collect_error(char* message) {
  if (g_gvc_errors) *g_gvc_errors += message;
  return 0;
}

// dot's layout time grows faster than quadratically with its working size: the boxes plus one
// virtual node per rank crossed by each edge (measured with Graphviz 2.42 on this project's
// graphs: 60 terms of x*y+x*y+... (121 boxes, ~3,700 points) take 0.5 s, 100 terms (201 boxes,
// 10,300 points) 15 s, 10,000 terms ~22 GB; 1,000 terms with their own variables (4,000 boxes,
// short edges) 8 s). Above these limits no one can read the picture either.
constexpr std::size_t kMaxBoxes = 1500, kMaxLayoutPoints = 4000;
// A graph within those limits has far fewer DOT lines (one per box or edge) than this; text
// with more is refused before cgraph parses it (parsing a million-box graph alone takes 20 s
// and 2 GB).
constexpr std::size_t kMaxDotLines = 50000;

std::string too_big_message(std::size_t boxes, std::size_t points) {
  return "the graph has " + std::to_string(boxes) + " boxes and needs about " +
         std::to_string(points) + " layout points; a picture is limited to " +
         std::to_string(kMaxBoxes) + " boxes and " + std::to_string(kMaxLayoutPoints) +
         " points (Graphviz's layout time grows faster than quadratically with them): write "
         "the DOT text instead (a .dot file) or draw a smaller graph";
}

struct LayoutSize {
  std::size_t boxes = 0, points = 0;  // points = boxes + virtual nodes
};

// Estimates dot's working size before laying out. dot ranks nodes so that the total edge span
// is least; the estimate ranks every node as late as its successors allow (a sum's terms sit
// just above their use) and then puts each sink (saved-tensor boxes) just below its lowest
// predecessor. Linear in the graph. A cyclic graph counts only its boxes.
LayoutSize layout_size(Agraph_t* g) {
  std::unordered_map<Agnode_t*, std::size_t> index;
  std::vector<Agnode_t*> nodes;
  for (Agnode_t* n = agfstnode(g); n; n = agnxtnode(g, n)) {
    index.emplace(n, nodes.size());
    nodes.push_back(n);
  }
  const std::size_t N = nodes.size();
  std::vector<std::vector<std::size_t>> succ(N), pred(N);
  for (std::size_t i = 0; i < N; ++i)
    for (Agedge_t* e = agfstout(g, nodes[i]); e; e = agnxtout(g, e)) {
      std::size_t j = index.at(aghead(e));
      if (j == i) continue;
      succ[i].push_back(j);
      pred[j].push_back(i);
    }
  // Reverse topological order (Kahn's algorithm from the sinks).
  std::vector<std::size_t> order, left(N);
  for (std::size_t i = 0; i < N; ++i) {
    left[i] = succ[i].size();
    if (left[i] == 0) order.push_back(i);
  }
  for (std::size_t k = 0; k < order.size(); ++k)
    for (std::size_t p : pred[order[k]])
      if (--left[p] == 0) order.push_back(p);
  if (order.size() != N) return {N, N};
  std::vector<int64_t> rank(N, 0);
  for (std::size_t v : order)  // sinks first: rank 0, everything else above (negative)
    for (std::size_t w : succ[v]) rank[v] = std::min(rank[v], rank[w] - 1);
  for (std::size_t v = 0; v < N; ++v)
    if (succ[v].empty() && !pred[v].empty()) {
      int64_t lowest = INT64_MIN;
      for (std::size_t p : pred[v]) lowest = std::max(lowest, rank[p]);
      rank[v] = lowest + 1;
    }
  LayoutSize size{N, N};
  for (std::size_t v = 0; v < N; ++v)
    for (std::size_t w : succ[v]) {
      int64_t span = rank[w] > rank[v] ? rank[w] - rank[v] : rank[v] - rank[w];
      size.points += static_cast<std::size_t>(span - 1 > 0 ? span - 1 : 0);
    }
  return size;
}

// Returns "" on success, otherwise what went wrong. Sets *no_renderer when libgvc lacks the
// format (the caller then tries the dot program), *too_big when the graph is over the limits.
std::string render_gvc(const std::string& dot, const std::string& format, std::string* out,
                       bool* no_renderer, bool* too_big) {
  std::lock_guard<std::mutex> lock(g_gvc_mutex);
  std::string errors;
  g_gvc_errors = &errors;
  agusererrf previous = agseterrf(collect_error);
  struct Restore {
    agusererrf previous;
    ~Restore() {
      agseterrf(previous);
      g_gvc_errors = nullptr;
    }
  } restore{previous};

  // Graphviz 2.42's pango plugin caches a pointer to the name of the last font it measured;
  // that name is freed with the layout of the graph it came from, and the next layout reads it
  // (a use-after-free ASan reports). So the context lives for the process, and each graph with
  // its layout is kept until the next graph has been laid out, then freed.
  static GVC_t* gvc = gvContext();
  static Agraph_t* kept = nullptr;
  static bool kept_laid_out = false;
  if (!gvc) return "could not create a Graphviz context";
  std::string problem;
  Agraph_t* g = agmemread(dot.c_str());
  bool laid_out = false;
  LayoutSize size;
  if (g) size = layout_size(g);
  if (!g) {
    problem = "Graphviz could not parse the DOT text" + (errors.empty() ? "" : ": " + errors);
  } else if (size.boxes > kMaxBoxes || size.points > kMaxLayoutPoints) {
    *too_big = true;
    problem = too_big_message(size.boxes, size.points);
  } else if (gvLayout(gvc, g, "dot") != 0) {
    problem = "Graphviz's dot layout failed" + (errors.empty() ? "" : ": " + errors);
  } else {
    laid_out = true;
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(gvc, g, format.c_str(), &data, &length) != 0) {
      *no_renderer = true;
      problem = "libgvc has no '" + format + "' renderer" + (errors.empty() ? "" : ": " + errors);
    } else {
      out->assign(data ? data : "", data ? length : 0);
    }
    if (data) gvFreeRenderData(data);
  }
  if (g) {
    if (kept) {
      if (kept_laid_out) gvFreeLayout(gvc, kept);
      agclose(kept);
    }
    kept = g;
    kept_laid_out = laid_out;
  }
  while (!problem.empty() && (problem.back() == '\n' || problem.back() == ' ')) problem.pop_back();
  return problem;
}
#endif

// Runs `dot -T<format> <tmp.dot>` and collects its standard output in *out. Returns "" on
// success.
std::string render_program(const std::string& dot, const std::string& format, std::string* out) {
  std::filesystem::path tmp =
      std::filesystem::temp_directory_path() / ("gradflow-" + std::to_string(getpid()) + ".dot");
  {
    std::ofstream f(tmp);
    f << dot;
    f.close();
    if (!f) return "cannot write a temporary file " + tmp.string();
  }
  struct RemoveTmp {
    std::filesystem::path p;
    ~RemoveTmp() {
      std::error_code ignored;
      std::filesystem::remove(p, ignored);
    }
  } remove_tmp{tmp};
  int fds[2];
  if (::pipe(fds) != 0) return std::string("pipe failed: ") + std::strerror(errno);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::string t = "-T" + format, in = tmp.string();
  char* argv[] = {const_cast<char*>("dot"), t.data(), in.data(), nullptr};
  pid_t pid;
  int rc = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return "the `dot` program was not found";
  }
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out->append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "the `dot` program failed (exit status " +
           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
  if (out->empty()) return "the `dot` program wrote nothing";
  return "";
}

}  // namespace

void render(const std::string& dot, const std::string& path) {
  const std::string ext = lower_extension(path);
  std::string format;
  if (ext == "svg" || ext == "png" || ext == "pdf")
    format = ext;
  else if (ext == "dot" || ext == "gv")
    format = "dot";
  GF_CHECK(!format.empty(), "render: cannot tell the image format of '", path, "' (extension '",
           ext, "'); use .svg, .png, .pdf or .dot");

  if (format == "dot") return detail::write_picture("render", path, dot);

  if (std::size_t lines = std::count(dot.begin(), dot.end(), '\n'); lines > kMaxDotLines)
    ::gf::detail::fail("render: cannot draw '", path, "': the DOT text has ", lines,
                       " lines, more than the ", kMaxDotLines,
                       " a picture can hold; write "
                       "the DOT text instead (a .dot file) or draw a smaller graph");
  std::string picture;
  std::string problem = "libgvc (Graphviz's library) was not built in";
  bool try_program = true;
#ifdef GF_HAVE_GVC
  bool no_renderer = false, too_big = false;
  problem = render_gvc(dot, format, &picture, &no_renderer, &too_big);
  if (too_big) ::gf::detail::fail("render: cannot draw '", path, "': ", problem);
  try_program = no_renderer;
  if (problem.empty() && picture.empty()) problem = "Graphviz produced no picture";
#endif
  if (problem.empty()) return detail::write_picture("render", path, picture);
  if (try_program) {
    picture.clear();
    std::string program_problem = render_program(dot, format, &picture);
    if (program_problem.empty()) return detail::write_picture("render", path, picture);
    problem += "; " + program_problem;
  }
  ::gf::detail::fail("render: cannot draw '", path, "': ", problem,
                     try_program ? std::string("; ") + kInstallHint : std::string());
}

}  // namespace gf::viz
