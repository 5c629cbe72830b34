// write_picture: io::write_file_atomic with the plot's name in front of the message.
#include "write_picture.hpp"

#include "gradflow/error.hpp"
#include "gradflow/io/atomic_file.hpp"

namespace gf::viz::detail {

void write_picture(const char* what, const std::string& path, std::string_view bytes) {
  try {
    io::write_file_atomic(path, bytes);
  } catch (const Error& e) {
    std::string reason = e.what();
    const std::string prefix = "write_file_atomic: " + path + ": ";
    if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
    ::gf::detail::fail(what, ": cannot write '", path, "': ", reason);
  }
}

}  // namespace gf::viz::detail
