// Atomic writes: temp file in the target's directory + fsync + rename + fsync(directory).
#include "gradflow/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gradflow/error.hpp"

namespace gf::io {
namespace {

std::string directory_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

[[noreturn]] void fail_errno(const std::string& path, const char* step, int err) {
  detail::fail("write_file_atomic: ", path, ": ", step, " failed: ", std::strerror(err));
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view bytes) {
  write_file_atomic(path, std::vector<std::string_view>{bytes});
}

void write_file_atomic(const std::string& path, const std::vector<std::string_view>& pieces) {
  GF_CHECK(!path.empty() && path.back() != '/', "write_file_atomic: '", path,
           "' is not a file path");
  const std::string dir = directory_of(path);
  std::string tmp = dir + "/." + base_of(path) + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail_errno(path, "creating a temporary file", errno);
  // mkstemp creates 0600; use the usual 0644 (minus umask) like fopen would.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);

  auto abort_with = [&](const char* step, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail_errno(path, step, err);
  };
  for (std::string_view piece : pieces) {
    const char* p = piece.data();
    std::size_t left = piece.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        abort_with("write", errno);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  if (::fsync(fd) != 0) abort_with("fsync", errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail_errno(path, "close", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail_errno(path, "rename", err);
  }
  // Make the rename itself durable.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string read_file(const std::string& path, std::uint64_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) detail::fail("read_file: ", path, ": cannot open: ", std::strerror(errno));
  struct stat st {};
  if (::fstat(::fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fclose(f);
    detail::fail("read_file: ", path, ": not a regular file");
  }
  auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_bytes) {
    std::fclose(f);
    detail::fail("read_file: ", path, ": file is ", size, " bytes, more than the limit of ",
                 max_bytes);
  }
  std::string out(size, '\0');
  std::size_t got = size ? std::fread(out.data(), 1, size, f) : 0;
  std::fclose(f);
  if (got != size) detail::fail("read_file: ", path, ": read ", got, " of ", size, " bytes");
  return out;
}

}  // namespace gf::io
