#pragma once
// aligned_buffer<T>: a 64-byte aligned, zero-initialized, resizable array. Every arena and
// workspace in ctnn is one of these, so the kernels may assume cache-line alignment.
#include <cstddef>
#include <cstring>
#include <limits>
#include <type_traits>
#include <new>
#include <utility>

namespace ctnn {

inline constexpr std::size_t cache_line = 64;

template <class T>
class aligned_buffer {
  static_assert(std::is_trivially_copyable_v<T>, "aligned_buffer copies and zeroes with memcpy/memset");

 public:
  aligned_buffer() = default;
  explicit aligned_buffer(std::size_t n) { resize(n); }
  aligned_buffer(const aligned_buffer& o) : aligned_buffer(o.size_) {
    if (size_) std::memcpy(data_, o.data_, size_ * sizeof(T));
  }
  aligned_buffer(aligned_buffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  aligned_buffer& operator=(aligned_buffer o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~aligned_buffer() { release(); }

  /// Resizes to n elements, all zero. Contents are not preserved.
  void resize(std::size_t n) {
    if (n != size_) {
      if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
      // Allocate first: if it throws, the buffer keeps its old contents and size.
      T* fresh = n ? static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{cache_line})) : nullptr;
      release();
      data_ = fresh;
      size_ = n;
    }
    if (size_) std::memset(static_cast<void*>(data_), 0, size_ * sizeof(T));
  }
  /// Grows to at least n elements (zeroed if it grew); never shrinks.
  void reserve(std::size_t n) {
    if (n > size_) resize(n);
  }

  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  T* begin() noexcept { return data_; }
  T* end() noexcept { return data_ + size_; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }

 private:
  void release() noexcept {
    if (data_) ::operator delete(data_, std::align_val_t{cache_line});
    data_ = nullptr;
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace ctnn
