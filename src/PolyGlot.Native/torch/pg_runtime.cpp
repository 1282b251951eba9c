// Process-level state: the error slot, versions, RNG seeding and state, CUDA devices and memory,
// CPU thread pools. Paired with src/PolyGlot.Torch/Interop/Native.Runtime.cs.
#include <ATen/Parallel.h>
#include <ATen/core/Generator.h>
#include <ATen/Context.h>
#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>
#include <torch/cuda.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>

#include "pg_torch.h"

#ifdef PG_WITH_CUDA
// The runtime API rather than ATen/cuda/CUDAContext.h: that header also pulls in cuBLAS, cuSPARSE
// and cuSOLVER headers, which a PyTorch machine with only nvcc may lack.
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace {

// Context::defaultGenerator exists with this signature in libtorch 1.13 and 2.x (the CUDA hooks'
// own accessor was renamed in 2.x); it throws for a CUDA device when libtorch has no CUDA.
at::Generator default_generator(int device_type, int device_index) {
  if (device_type == static_cast<int>(c10::DeviceType::CPU)) return at::detail::getDefaultCPUGenerator();
  if (device_type == static_cast<int>(c10::DeviceType::CUDA)) {
    auto index = static_cast<c10::DeviceIndex>(device_index < 0 ? 0 : device_index);
    return at::globalContext().defaultGenerator(c10::Device(c10::DeviceType::CUDA, index));
  }
  throw std::invalid_argument("no random generator for device type " + std::to_string(device_type));
}

// Counts the bytes libtorch's CPU allocator hands out and takes back on the thread that installed
// it. The allocator reports every block to the thread's PROFILER_STATE debug info when that
// reports memoryProfilingEnabled() (c10/core/CPUAllocator.cpp, ProfiledCPUMemoryReporter), the hook
// torch.profiler(profile_memory=True) uses; blocks allocated before tracking are not counted when
// freed. The totals argument is int64_t in libtorch 1.13 and size_t in 2.x: both overloads are
// declared, and the one the installed headers declare pure is the override.
class CpuMemoryTracker final : public c10::MemoryReportingInfoBase {
 public:
  bool memoryProfilingEnabled() const override { return true; }
  void reportMemoryUsage(void*, int64_t size, int64_t, int64_t, c10::Device device) { record(size, device); }
  void reportMemoryUsage(void*, int64_t size, size_t, size_t, c10::Device device) { record(size, device); }

  // Atomic: intra-op worker threads may inherit the debug info from the thread that installed it.
  std::atomic<int64_t> current{0}, peak{0};

 private:
  void record(int64_t size, c10::Device device) {
    if (!device.is_cpu()) return;
    auto now = current.fetch_add(size) + size;
    auto seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
  }
};

// A tracker installed on the calling thread until pg_cpu_memory_track_end.
struct CpuMemoryTracking {
  std::shared_ptr<CpuMemoryTracker> tracker = std::make_shared<CpuMemoryTracker>();
  c10::DebugInfoGuard guard{c10::DebugInfoKind::PROFILER_STATE, tracker};
};

}  // namespace

PG_EXPORT const char* pg_torch_last_error() noexcept { return pg::last_error().c_str(); }

PG_EXPORT const char* pg_torch_version() noexcept { return TORCH_VERSION; }

// Host reads (item, copies into host buffers) since the library was loaded, all threads.
PG_EXPORT int64_t pg_torch_host_reads() noexcept { return pg::host_reads.load(std::memory_order_relaxed); }

PG_EXPORT int pg_torch_built_with_cuda() noexcept {
#ifdef PG_WITH_CUDA
  return 1;
#else
  return 0;
#endif
}

// ---- random numbers ----------------------------------------------------------------------------

// Seeds the CPU generator and every CUDA generator, as torch.manual_seed does.
PG_EXPORT int pg_rng_manual_seed(uint64_t seed) {
  return pg::checked([&] { at::manual_seed(seed); });
}

// The generator's state as a uint8 tensor (CPU); device_type 0 = CPU, 1 = CUDA.
PG_EXPORT pg_tensor* pg_rng_get_state(int device_type, int device_index) {
  return pg::checked_tensor([&] {
    auto generator = default_generator(device_type, device_index);
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
  });
}

PG_EXPORT int pg_rng_set_state(int device_type, int device_index, pg_tensor* state) {
  return pg::checked([&] {
    auto generator = default_generator(device_type, device_index);
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(pg::ref(state));
  });
}

// ---- CUDA --------------------------------------------------------------------------------------

PG_EXPORT int pg_cuda_is_available() noexcept {
  try {
    return torch::cuda::is_available() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

PG_EXPORT int64_t pg_cuda_device_count() noexcept {
  try {
    return static_cast<int64_t>(torch::cuda::device_count());
  } catch (...) {
    return 0;
  }
}

PG_EXPORT int pg_cuda_synchronize(int64_t device_index) {
  return pg::checked([&] { torch::cuda::synchronize(device_index); });
}

// The device's name (NUL-terminated, cut to name_capacity bytes) and out[0] total memory in bytes,
// out[1] compute capability major, out[2] minor, out[3] multiprocessor count.
PG_EXPORT int pg_cuda_device_properties(int device_index, char* name, int name_capacity, int64_t* out) {
  return pg::checked([&] {
#ifdef PG_WITH_CUDA
    auto count = static_cast<int>(torch::cuda::device_count());
    if (device_index < 0 || device_index >= count)
      throw std::invalid_argument("CUDA device " + std::to_string(device_index) + " does not exist (" +
                                  std::to_string(count) + " device(s))");
    cudaDeviceProp props{};
    cudaError_t status = cudaGetDeviceProperties(&props, device_index);
    if (status != cudaSuccess)
      throw std::runtime_error("cudaGetDeviceProperties(" + std::to_string(device_index) + "): " + cudaGetErrorString(status));
    if (name_capacity > 0) {
      std::strncpy(name, props.name, static_cast<size_t>(name_capacity) - 1);
      name[name_capacity - 1] = '\0';
    }
    out[0] = static_cast<int64_t>(props.totalGlobalMem);
    out[1] = props.major;
    out[2] = props.minor;
    out[3] = props.multiProcessorCount;
#else
    throw std::runtime_error("CUDA device properties need libpolyglot_torch built against a CUDA libtorch (this build is libtorch " +
                             std::string(TORCH_VERSION) + ", CPU only)");
#endif
  });
}

// Caching-allocator statistics in bytes: out[0] allocated now, out[1] allocated peak,
// out[2] reserved now, out[3] reserved peak (aggregate over pool kinds).
PG_EXPORT int pg_cuda_memory_stats(int device_index, int64_t* out) {
  return pg::checked([&] {
#ifdef PG_WITH_CUDA
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device_index);
    constexpr size_t aggregate = 0;  // StatType::AGGREGATE
    out[0] = stats.allocated_bytes[aggregate].current;
    out[1] = stats.allocated_bytes[aggregate].peak;
    out[2] = stats.reserved_bytes[aggregate].current;
    out[3] = stats.reserved_bytes[aggregate].peak;
#else
    throw std::runtime_error("CUDA memory statistics need libpolyglot_torch built against a CUDA libtorch (this build is " +
                             std::string("libtorch ") + TORCH_VERSION + ", CPU only)");
#endif
  });
}

PG_EXPORT int pg_cuda_reset_peak_memory(int device_index) {
  return pg::checked([&] {
#ifdef PG_WITH_CUDA
    c10::cuda::CUDACachingAllocator::resetPeakStats(device_index);
#else
    throw std::runtime_error("CUDA memory statistics need libpolyglot_torch built against a CUDA libtorch");
#endif
  });
}

PG_EXPORT int pg_cuda_empty_cache() {
  return pg::checked([&] {
#ifdef PG_WITH_CUDA
    c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  });
}

// ---- CPU memory --------------------------------------------------------------------------------

// Starts counting CPU tensor memory allocated on this thread; end it on the same thread.
PG_EXPORT int pg_cpu_memory_track_begin(void** handle) {
  return pg::checked([&] { *handle = new CpuMemoryTracking(); });
}

// out[0]: bytes allocated and not yet freed since the start, out[1]: the highest out[0] seen.
PG_EXPORT int pg_cpu_memory_track_read(void* handle, int64_t* out) {
  return pg::checked([&] {
    auto& tracker = *static_cast<CpuMemoryTracking*>(handle)->tracker;
    out[0] = tracker.current;
    out[1] = tracker.peak;
  });
}

PG_EXPORT int pg_cpu_memory_track_end(void* handle) {
  return pg::checked([&] { delete static_cast<CpuMemoryTracking*>(handle); });
}

// ---- CPU threads -------------------------------------------------------------------------------

PG_EXPORT int pg_threads_set(int count) {
  return pg::checked([&] { at::set_num_threads(count); });
}

PG_EXPORT int pg_threads_get() noexcept { return at::get_num_threads(); }

// Inter-op pool size; libtorch accepts it only once, before any inter-op work starts.
PG_EXPORT int pg_threads_set_interop(int count) {
  return pg::checked([&] { at::set_num_interop_threads(count); });
}

PG_EXPORT int pg_threads_get_interop() noexcept { return at::get_num_interop_threads(); }
