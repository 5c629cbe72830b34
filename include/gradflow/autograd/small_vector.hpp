// A vector that keeps its first N elements inside the object: the backward graph's edge lists
// and gradient lists have one to three entries, and a heap block for each cost two mallocs per
// op on the 1,000-op chain (bench/analysis.md). Beyond N it moves to the heap like std::vector.
// Converts to and from std::vector<T> (the custom-Function API's variable_list).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace gf::autograd {

template <class T, std::size_t N>
class SmallVector {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using iterator = T*;
  using const_iterator = const T*;
  using reference = T&;
  using const_reference = const T&;

  SmallVector() = default;
  explicit SmallVector(size_type n) { resize(n); }
  SmallVector(size_type n, const T& v) {
    reserve(n);
    for (size_type i = 0; i < n; ++i) push_back(v);
  }
  SmallVector(std::initializer_list<T> il) {
    reserve(il.size());
    for (const T& v : il) push_back(v);
  }
  SmallVector(const std::vector<T>& v) {  // NOLINT(google-explicit-constructor)
    reserve(v.size());
    for (const T& x : v) push_back(x);
  }
  SmallVector(std::vector<T>&& v) {  // NOLINT(google-explicit-constructor)
    reserve(v.size());
    for (T& x : v) push_back(std::move(x));
  }
  template <class It, class = decltype(*std::declval<It>())>
  SmallVector(It first, It last) {
    for (; first != last; ++first) push_back(*first);
  }
  SmallVector(const SmallVector& o) {
    reserve(o.size_);
    for (const T& x : o) push_back(x);
  }
  SmallVector(SmallVector&& o) noexcept { take(std::move(o)); }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) {
      clear();
      reserve(o.size_);
      for (const T& x : o) push_back(x);
    }
    return *this;
  }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      destroy();
      take(std::move(o));
    }
    return *this;
  }
  SmallVector& operator=(std::initializer_list<T> il) {
    clear();
    reserve(il.size());
    for (const T& v : il) push_back(v);
    return *this;
  }
  ~SmallVector() { destroy(); }

  operator std::vector<T>() const& { return std::vector<T>(begin(), end()); }  // NOLINT
  operator std::vector<T>() && {                                               // NOLINT
    return std::vector<T>(std::make_move_iterator(begin()), std::make_move_iterator(end()));
  }

  size_type size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_type capacity() const { return cap_; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_type i) { return data_[i]; }
  const T& operator[](size_type i) const { return data_[i]; }
  T& front() { return data_[0]; }
  const T& front() const { return data_[0]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }
  iterator begin() { return data_; }
  iterator end() { return data_ + size_; }
  const_iterator begin() const { return data_; }
  const_iterator end() const { return data_ + size_; }

  void reserve(size_type n) {
    if (n <= cap_) return;
    T* fresh = static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
    for (size_type i = 0; i < size_; ++i) {
      new (fresh + i) T(std::move(data_[i]));
      data_[i].~T();
    }
    release_heap();
    data_ = fresh;
    cap_ = static_cast<uint32_t>(n);
  }
  void push_back(const T& v) { emplace_back(v); }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  template <class... A>
  T& emplace_back(A&&... a) {
    if (size_ == cap_) {
      T tmp(std::forward<A>(a)...);  // a may refer into this vector
      reserve(std::max<size_type>(2 * cap_, 4));
      return *new (data_ + size_++) T(std::move(tmp));
    }
    return *new (data_ + size_++) T(std::forward<A>(a)...);
  }
  void pop_back() { data_[--size_].~T(); }
  void resize(size_type n) {
    reserve(n);
    while (size_ > n) pop_back();
    while (size_ < n) new (data_ + size_++) T();
  }
  void clear() {
    while (size_ > 0) pop_back();
  }

  friend bool operator==(const SmallVector& a, const SmallVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  bool on_heap() const { return data_ != inline_ptr(); }
  T* inline_ptr() { return reinterpret_cast<T*>(inline_); }
  const T* inline_ptr() const { return reinterpret_cast<const T*>(inline_); }
  void release_heap() {
    if (on_heap()) ::operator delete(data_, std::align_val_t(alignof(T)));
  }
  void destroy() {
    clear();
    release_heap();
    data_ = inline_ptr();
    cap_ = N;
  }
  // *this is empty and inline; o is left empty and inline.
  void take(SmallVector&& o) {
    if (o.on_heap()) {
      data_ = o.data_;
      size_ = o.size_;
      cap_ = o.cap_;
    } else {
      data_ = inline_ptr();
      cap_ = N;
      for (size_type i = 0; i < o.size_; ++i) {
        new (data_ + i) T(std::move(o.data_[i]));
        o.data_[i].~T();
      }
      size_ = o.size_;
    }
    o.data_ = o.inline_ptr();
    o.size_ = 0;
    o.cap_ = N;
  }

  alignas(T) unsigned char inline_[N * sizeof(T)];
  T* data_ = inline_ptr();
  uint32_t size_ = 0;
  uint32_t cap_ = N;
};

}  // namespace gf::autograd
