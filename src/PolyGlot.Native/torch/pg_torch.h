// Helpers shared by the libtorch shim's translation units: tensor handles, the live-handle
// counter, and the guard that turns c10::Error into a message without the C++ backtrace.
#pragma once

#include <ATen/ATen.h>
// c10::AutoGradMode (scoped no-grad) is declared here in libtorch 1.13 and 2.x alike; 2.x no
// longer reaches the at::NoGradGuard alias through ATen/ATen.h.
#include <c10/core/GradMode.h>
#include <torch/version.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "pg_error.h"

// A managed Tensor owns exactly one heap-allocated at::Tensor (a reference to the storage);
// handles cross the ABI as opaque pointers.
using pg_tensor = at::Tensor;

namespace pg {

// Live at::Tensor handles created by this library and not yet freed (leak detection).
inline std::atomic<int64_t> live_tensors{0};

inline pg_tensor* wrap(at::Tensor&& tensor) {
  auto* handle = new at::Tensor(std::move(tensor));
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return handle;
}

// Copies of tensor data into host memory (item, copy to a managed buffer): on a GPU each one waits
// for the device, so the trainer's discipline ("at most one per step") is tested by this count.
inline std::atomic<int64_t> host_reads{0};

inline void count_host_read() { host_reads.fetch_add(1, std::memory_order_relaxed); }

inline void release(pg_tensor* handle) {
  if (handle == nullptr) return;
  delete handle;
  live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

inline const at::Tensor& ref(const pg_tensor* handle) {
  if (handle == nullptr) throw std::invalid_argument("null tensor handle (disposed tensor?)");
  return *handle;
}

inline c10::optional<at::Tensor> optional(const pg_tensor* handle) {
  if (handle == nullptr) return c10::nullopt;
  return *handle;
}

inline std::vector<at::Tensor> list(pg_tensor* const* handles, int64_t count) {
  std::vector<at::Tensor> tensors;
  tensors.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) tensors.push_back(ref(handles[i]));
  return tensors;
}

inline at::IntArrayRef dims(const int64_t* values, int64_t count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

inline at::Device device(int type, int index) {
  return at::Device(static_cast<c10::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}

inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(device(device_type, device_index));
}

// A scalar passed as double keeps integer semantics when `integral` is set, so that
// `int_tensor + 1` stays an integer tensor, as in PyTorch.
inline at::Scalar scalar(double value, int integral) {
  if (integral) return at::Scalar(static_cast<int64_t>(value));
  return at::Scalar(value);
}

// c10::Error::what() carries a C++ backtrace; users get the message alone.
template <class Body>
int checked(Body&& body) noexcept {
  return ::pg::guard([&] {
    try {
      body();
    } catch (const c10::Error& e) {
      throw std::runtime_error(e.what_without_backtrace());
    }
  });
}

// For exports that return a new object: null signals an error.
template <class T, class Body>
T* checked_ptr(Body&& body) noexcept {
  return ::pg::guard_ptr<T>([&]() -> T* {
    try {
      return body();
    } catch (const c10::Error& e) {
      throw std::runtime_error(e.what_without_backtrace());
    }
  });
}

// For exports that return a new tensor: null signals an error.
template <class Body>
pg_tensor* checked_tensor(Body&& body) noexcept {
  return checked_ptr<pg_tensor>([&] { return wrap(body()); });
}

}  // namespace pg
