// Tensor handles: lifetime, metadata, creation, and raw data exchange with managed memory.
// Paired with src/PolyGlot.Torch/Interop/Native.Tensor.cs.
#include <cstring>
#include <sstream>

#include "pg_torch.h"

namespace {

// Creation kinds (mirrored by TensorFactory in Native.Tensor.cs).
enum Creation : int { kEmpty = 0, kZeros = 1, kOnes = 2, kFull = 3, kRandn = 4, kRand = 5 };

int64_t byte_size(const at::Tensor& t) {
  return t.numel() * static_cast<int64_t>(t.element_size());
}

void check_bytes(const at::Tensor& t, int64_t bytes) {
  if (bytes != byte_size(t))
    throw std::invalid_argument("buffer holds " + std::to_string(bytes) + " bytes but the tensor of shape " +
                                c10::str(t.sizes()) + " and dtype " + std::string(c10::toString(t.scalar_type())) +
                                " needs " + std::to_string(byte_size(t)));
}

}  // namespace

PG_EXPORT void pg_tensor_free(pg_tensor* t) noexcept { pg::release(t); }

PG_EXPORT int64_t pg_tensor_live_count() noexcept { return pg::live_tensors.load(std::memory_order_relaxed); }

// A new handle to the same tensor (shares storage and autograd identity).
PG_EXPORT pg_tensor* pg_tensor_alias(pg_tensor* t) {
  return pg::checked_tensor([&] { return at::Tensor(pg::ref(t)); });
}

// Metadata exports are noexcept and cannot report through the error slot: a null handle gives -1
// (or writes nothing) instead of dereferencing it.
PG_EXPORT int64_t pg_tensor_dim(pg_tensor* t) noexcept { return t == nullptr ? -1 : t->dim(); }

PG_EXPORT int64_t pg_tensor_numel(pg_tensor* t) noexcept { return t == nullptr ? -1 : t->numel(); }

PG_EXPORT void pg_tensor_sizes(pg_tensor* t, int64_t* out) noexcept {
  if (t == nullptr || out == nullptr) return;
  auto sizes = t->sizes();
  std::memcpy(out, sizes.data(), sizes.size() * sizeof(int64_t));
}

PG_EXPORT int pg_tensor_size(pg_tensor* t, int64_t dim, int64_t* out) {
  return pg::checked([&] { *out = pg::ref(t).size(dim); });
}

PG_EXPORT int pg_tensor_dtype(pg_tensor* t) noexcept { return t == nullptr ? -1 : static_cast<int>(t->scalar_type()); }

PG_EXPORT int pg_tensor_device_type(pg_tensor* t) noexcept { return t == nullptr ? -1 : static_cast<int>(t->device().type()); }

PG_EXPORT int pg_tensor_device_index(pg_tensor* t) noexcept { return t == nullptr ? -1 : t->device().index(); }

PG_EXPORT int pg_tensor_is_contiguous(pg_tensor* t) noexcept { return t == nullptr ? -1 : (t->is_contiguous() ? 1 : 0); }

PG_EXPORT int pg_tensor_item(pg_tensor* t, double* out) {
  return pg::checked([&] {
    pg::count_host_read();
    *out = pg::ref(t).item<double>();
  });
}

PG_EXPORT int pg_tensor_item_long(pg_tensor* t, int64_t* out) {
  return pg::checked([&] {
    pg::count_host_read();
    *out = pg::ref(t).item<int64_t>();
  });
}

// t.index_add_(dim, index, source): adds source's slices into t at the positions index names
// (e.g. per-token losses into per-language sums, on the device).
PG_EXPORT int pg_tensor_index_add_(pg_tensor* t, int64_t dim, pg_tensor* index, pg_tensor* source) {
  return pg::checked([&] { const_cast<at::Tensor&>(pg::ref(t)).index_add_(dim, pg::ref(index), pg::ref(source)); });
}

PG_EXPORT pg_tensor* pg_tensor_create(int kind, const int64_t* shape, int64_t ndim, double value, int dtype,
                                      int device_type, int device_index, int requires_grad) {
  return pg::checked_tensor([&] {
    auto sizes = pg::dims(shape, ndim);
    auto options = pg::options(dtype, device_type, device_index);
    at::Tensor t;
    switch (kind) {
      case kEmpty: t = at::empty(sizes, options); break;
      case kZeros: t = at::zeros(sizes, options); break;
      case kOnes: t = at::ones(sizes, options); break;
      case kFull: t = at::full(sizes, at::Scalar(value), options); break;
      case kRandn: t = at::randn(sizes, options); break;
      case kRand: t = at::rand(sizes, options); break;
      default: throw std::invalid_argument("unknown creation kind " + std::to_string(kind));
    }
    if (requires_grad) t.requires_grad_(true);
    return t;
  });
}

PG_EXPORT pg_tensor* pg_tensor_arange(double start, double end, double step, int dtype, int device_type,
                                      int device_index) {
  return pg::checked_tensor(
      [&] { return at::arange(at::Scalar(start), at::Scalar(end), at::Scalar(step), pg::options(dtype, device_type, device_index)); });
}

PG_EXPORT pg_tensor* pg_tensor_randint(int64_t low, int64_t high, const int64_t* shape, int64_t ndim, int dtype,
                                       int device_type, int device_index) {
  return pg::checked_tensor(
      [&] { return at::randint(low, high, pg::dims(shape, ndim), pg::options(dtype, device_type, device_index)); });
}

// Zeros/ones/full/randn shaped like `t` (same dtype and device).
PG_EXPORT pg_tensor* pg_tensor_create_like(int kind, pg_tensor* t, double value) {
  return pg::checked_tensor([&] {
    const auto& x = pg::ref(t);
    switch (kind) {
      case kEmpty: return at::empty_like(x);
      case kZeros: return at::zeros_like(x);
      case kOnes: return at::ones_like(x);
      case kFull: return at::full_like(x, at::Scalar(value));
      case kRandn: return at::randn_like(x);
      case kRand: return at::rand_like(x);
      default: throw std::invalid_argument("unknown creation kind " + std::to_string(kind));
    }
  });
}

// Copies `bytes` of contiguous little-endian elements from managed memory into a new tensor on
// the given device: one copy (from_blob views the caller's buffer only for the duration of the call).
PG_EXPORT pg_tensor* pg_tensor_from_data(const void* data, int64_t bytes, const int64_t* shape, int64_t ndim,
                                         int dtype, int device_type, int device_index) {
  return pg::checked_tensor([&] {
    auto cpu = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
    auto view = at::from_blob(const_cast<void*>(data), pg::dims(shape, ndim), cpu);
    check_bytes(view, bytes);
    return view.to(pg::device(device_type, device_index), view.scalar_type(), /*non_blocking=*/false,
                   /*copy=*/true);
  });
}

// Like pg_tensor_from_data for a CUDA device, without waiting for the copy: the data goes into a
// page-locked staging tensor from libtorch's caching host allocator, which holds it until the
// asynchronous copy has finished, and the copy is queued on the current stream. Other devices
// take the plain path.
PG_EXPORT pg_tensor* pg_tensor_from_data_async(const void* data, int64_t bytes, const int64_t* shape, int64_t ndim,
                                               int dtype, int device_type, int device_index) {
  return pg::checked_tensor([&] {
    auto target = pg::device(device_type, device_index);
    auto cpu = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
    if (!target.is_cuda()) {
      auto view = at::from_blob(const_cast<void*>(data), pg::dims(shape, ndim), cpu);
      check_bytes(view, bytes);
      return view.to(target, view.scalar_type(), /*non_blocking=*/false, /*copy=*/true);
    }
    auto staging = at::empty(pg::dims(shape, ndim), cpu.pinned_memory(true));
    check_bytes(staging, bytes);
    if (bytes > 0) std::memcpy(staging.data_ptr(), data, static_cast<size_t>(bytes));
    return staging.to(target, staging.scalar_type(), /*non_blocking=*/true, /*copy=*/true);
  });
}

// Copies the tensor's elements (any device, any strides) into a caller buffer laid out
// contiguously: one copy, converting layout and device on the way.
PG_EXPORT int pg_tensor_copy_to(pg_tensor* t, void* data, int64_t bytes) {
  return pg::checked([&] {
    const auto& x = pg::ref(t);
    check_bytes(x, bytes);
    if (bytes == 0) return;
    pg::count_host_read();
    auto target = at::from_blob(data, x.sizes(), at::TensorOptions().dtype(x.scalar_type()));
    c10::AutoGradMode no_grad(/*enabled=*/false);
    target.copy_(x);
  });
}

// Overwrites the tensor's elements in place from a contiguous caller buffer of the same dtype
// (e.g. loading weights into existing parameters).
PG_EXPORT int pg_tensor_copy_from(pg_tensor* t, const void* data, int64_t bytes) {
  return pg::checked([&] {
    const auto& x = pg::ref(t);
    check_bytes(x, bytes);
    if (bytes == 0) return;
    auto source = at::from_blob(const_cast<void*>(data), x.sizes(), at::TensorOptions().dtype(x.scalar_type()));
    c10::AutoGradMode no_grad(/*enabled=*/false);
    const_cast<at::Tensor&>(x).copy_(source);
  });
}

PG_EXPORT pg_tensor* pg_tensor_to(pg_tensor* t, int dtype, int device_type, int device_index, int non_blocking,
                                  int copy) {
  return pg::checked_tensor([&] {
    return pg::ref(t).to(pg::device(device_type, device_index), static_cast<at::ScalarType>(dtype),
                         non_blocking != 0, copy != 0);
  });
}

PG_EXPORT pg_tensor* pg_tensor_clone(pg_tensor* t) {
  return pg::checked_tensor([&] { return pg::ref(t).clone(); });
}

PG_EXPORT pg_tensor* pg_tensor_contiguous(pg_tensor* t) {
  return pg::checked_tensor([&] { return pg::ref(t).contiguous(); });
}

// Text of the tensor as libtorch prints it (for diagnostics).
PG_EXPORT int pg_tensor_to_string(pg_tensor* t, char* buffer, int64_t capacity, int64_t* needed) {
  return pg::checked([&] {
    std::ostringstream stream;
    stream << pg::ref(t);
    auto text = stream.str();
    *needed = static_cast<int64_t>(text.size()) + 1;
    if (*needed <= capacity) std::memcpy(buffer, text.c_str(), text.size() + 1);
  });
}

// Frees (bytes = 0) or allocates anew (bytes > 0, contents undefined) the storage under t, keeping
// its sizes, strides and version counter. Fully sharded training releases a gathered parameter's
// memory between uses while autograd graphs still refer to that storage; refilling it before
// backward makes the saved tensors valid again (FSDP resizes storages for the same reason: set_()
// would bump the version counter and autograd would refuse the graph). Uses the storage's own
// allocator, so it works on every device.
PG_EXPORT int pg_tensor_storage_resize(pg_tensor* t, int64_t bytes) {
  return pg::checked([&] {
    if (bytes < 0) throw std::invalid_argument("storage size must not be negative, got " + std::to_string(bytes));
    auto* storage = pg::ref(t).storage().unsafeGetStorageImpl();
    if (!storage->resizable())
      throw std::invalid_argument("the tensor's storage is not resizable (it wraps memory libtorch does not own)");
    if (bytes == 0) {
      storage->set_data_ptr_noswap(at::DataPtr(nullptr, storage->device()));
    } else {
      storage->set_data_ptr_noswap(storage->allocator()->allocate(static_cast<size_t>(bytes)));
    }
    storage->set_nbytes(static_cast<size_t>(bytes));
  });
}

PG_EXPORT int64_t pg_tensor_storage_nbytes(pg_tensor* t) noexcept {
  return t == nullptr ? -1 : static_cast<int64_t>(t->storage().nbytes());
}

// A new handle to t's storage and shape with its own version counter and no autograd history
// (Python's tensor.data): writing through it does not mark graphs that saved t as modified. A
// fully sharded parameter is refilled this way before the backward of the graph that saved it.
PG_EXPORT pg_tensor* pg_tensor_untracked_alias(pg_tensor* t) {
  return pg::checked_tensor([&] { return pg::ref(t).variable_data(); });
}
