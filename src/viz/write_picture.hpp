// Internal: the one way viz writes a finished picture (or its CSV) to disk.
#pragma once
#include <string>
#include <string_view>

namespace gf::viz::detail {

// io::write_file_atomic(path, bytes), reported as "<what>: cannot write '<path>': <step> failed:
// <reason>" (e.g. "render: cannot write 'g.svg': write failed: No space left on device"). On
// failure `path` keeps its previous contents and no temporary file is left behind.
void write_picture(const char* what, const std::string& path, std::string_view bytes);

}  // namespace gf::viz::detail
