// AtomicFile and InputFile on POSIX open/pread/write/fsync/rename.
#include "io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <random>
#include <system_error>

#include "ag/error.hpp"

namespace ag::io {
namespace {

std::string os_error(int err) { return std::system_category().message(err); }

// A name no other process or thread is likely to pick; O_EXCL settles the rare collision.
std::string random_suffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng(
      std::random_device{}() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      (static_cast<uint64_t>(::getpid()) << 32));
  uint64_t v = rng() ^ counter.fetch_add(0x9E3779B97F4A7C15ULL);
  static const char hex[] = "0123456789abcdef";
  std::string s(12, '0');
  for (char& c : s) {
    c = hex[v & 0xF];
    v >>= 4;
  }
  return s;
}

}  // namespace

AtomicFile::AtomicFile(const std::string& path) : path_(path) {
  std::filesystem::path p(path);
  AG_CHECK(p.has_filename(), "the path names a folder, not a file");
  dir_ = p.has_parent_path() ? p.parent_path().string() : std::string(".");
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = ".";
    name += p.filename().string();
    name += ".tmp-";
    name += random_suffix();
    temp_ = (std::filesystem::path(dir_) / name).string();
    // 0666 lets the umask decide the permissions, as for any newly created file.
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) return;
    if (errno != EEXIST) break;
  }
  int err = errno;
  detail::fail("cannot create a temporary file in ", dir_, ": ", os_error(err));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int err = w < 0 ? errno : EIO;
      detail::fail("cannot write the temporary file ", temp_, ": ", os_error(err));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void AtomicFile::commit() {
  // The data must be on disk before the rename makes it the checkpoint, or a crash could
  // leave a complete-looking file full of zeros.
  if (::fsync(fd_) != 0) {
    int err = errno;
    detail::fail("cannot flush the temporary file ", temp_, ": ", os_error(err));
  }
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    int err = errno;
    detail::fail("cannot close the temporary file ", temp_, ": ", os_error(err));
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    detail::fail("cannot rename ", temp_, " over it: ", os_error(err));
  }
  committed_ = true;
  // Best effort: the new file is in place already, and some file systems refuse to fsync a
  // folder; failing here would report an error for a save that happened.
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

InputFile::InputFile(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    int err = errno;
    detail::fail("cannot open: ", os_error(err));
  }
  // The destructor does not run for a throwing constructor: close before any throw.
  struct stat st {};
  int err = ::fstat(fd_, &st) == 0 ? 0 : errno;
  if (err != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    AG_CHECK(err == 0, "cannot stat: ", os_error(err));
    detail::fail("not a regular file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void InputFile::read_at(uint64_t offset, void* out, size_t n) const {
  char* p = static_cast<char*>(out);
  while (n > 0) {
    ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int err = errno;
      detail::fail("cannot read: ", os_error(err));
    }
    AG_CHECK(r > 0, "the file ended early (was it truncated while being read?)");
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
}

}  // namespace ag::io
