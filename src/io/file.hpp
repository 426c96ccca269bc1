// POSIX files for checkpoints: an atomically replaced output file and a bounds-checked input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ag::io {

/// Writes to a fresh temporary file next to `path` (".<name>.tmp-<random>", created with
/// O_EXCL so two savers never share one) and renames it over `path` in commit(). Destroyed
/// before commit() succeeded, it removes the temporary file: `path` is never half-written.
///   AtomicFile f("ckpt.safetensors");
///   f.write(bytes.data(), bytes.size()); f.commit();
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Writes all `n` bytes or throws ag::Error.
  void write(const void* data, size_t n);
  /// fsync, close, rename over the target, then fsync the folder so the rename is durable.
  void commit();

 private:
  std::string path_;
  std::string temp_;
  std::string dir_;
  int fd_ = -1;
  bool committed_ = false;
};

/// A regular file opened for reading, with reads that must be complete.
///   InputFile in("ckpt.safetensors");
///   in.read_at(0, buf, 8);
class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return size_; }
  /// Reads exactly `n` bytes at `offset`, or throws ag::Error (the file may shrink meanwhile).
  void read_at(uint64_t offset, void* out, size_t n) const;

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace ag::io
