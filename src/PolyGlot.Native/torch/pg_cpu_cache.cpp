// A caching allocator for large CPU tensors, installed as libtorch's CPU allocator when the library
// loads. Paired with src/PolyGlot.Torch/Interop/Native.CpuCache.cs.
//
// Why: a training step allocates and frees the same large tensors every step (logits, activations,
// their gradients). glibc maps a block above its mmap threshold freshly and unmaps it on free, and
// a thread other than the main one always does so above 64 MB (a non-main arena cannot hold it,
// whatever mallopt says), so every step faults in and zeroes every page of those tensors again:
// more than half of a CPU step went to the kernel. Blocks of at least kMinCachedBytes are kept
// after free and handed out again for a request of the same size class; smaller ones go to
// libtorch's own allocator, which glibc serves from its heaps without faults.
//
// Bounds (docs/training.md, "CPU memory"): a size class wastes at most 1/16 of a block; the cache
// holds (in use plus cached) at most 1.125x the peak of bytes in use, releasing the least recently
// freed blocks first; a block unused for kIdleSeconds is released, so an evaluation's or
// generation's shapes do not stay after it. POLYGLOT_CPU_CACHE=off
// in the environment keeps libtorch's allocator; pg_cpu_cache_enable switches at run time.
#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <strings.h>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>

#include "pg_torch.h"

namespace {

constexpr size_t kMinCachedBytes = size_t{256} << 10;
constexpr size_t kAlignment = 64;  // c10's alloc_cpu alignment (AVX-512 loads)
constexpr double kIdleSeconds = 30.0;

using Clock = std::chrono::steady_clock;

struct Block;
using SizeIndex = std::multimap<size_t, Block*>;
using IdleList = std::list<Block*>;

// One block of memory of a size class; while cached it sits in both indexes.
struct Block {
  void* data = nullptr;
  size_t bytes = 0;      // the size class: what was allocated
  size_t requested = 0;  // what the current user asked for (profiler reports)
  Clock::time_point freed;
  SizeIndex::iterator by_size;
  IdleList::iterator by_age;
};

// Rounds up to a multiple of 1/16 of the largest power of two not above the size (at least a
// page), so that near sizes share blocks while no block is more than 1/16 larger than asked.
size_t size_class(size_t bytes) {
  size_t power = size_t{1} << (63 - __builtin_clzll(bytes));
  size_t step = std::max<size_t>(4096, power / 16);
  return (bytes + step - 1) / step * step;
}

class CachingCpuAllocator final : public c10::Allocator {
 public:
  explicit CachingCpuAllocator(c10::Allocator* fallback) : fallback_(fallback) {}

  // allocate is const in libtorch 1.13 and not from 2.3 on, which also adds the pure copy_data:
  // both forms are declared (no `override`), and the one the installed headers declare pure is
  // the override; the other is an unused overload.
  c10::DataPtr allocate(size_t bytes) const { return allocate_block(bytes); }
  c10::DataPtr allocate(size_t bytes) { return allocate_block(bytes); }
  void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }

  // libtorch's kernels also allocate raw buffers (raw_allocate / raw_deallocate), which need the
  // context to be the data pointer and one deleter for every block, small ones included.
  c10::DeleterFnPtr raw_deleter() const override { return &CachingCpuAllocator::release; }

  // Frees every cached block (not the ones in use).
  void trim() {
    std::lock_guard<std::mutex> lock(mutex_);
    while (!idle_.empty()) free_block(idle_.front());
  }

  // in use, cached, peak in use, hits, misses, released, blocks cached
  void stats(int64_t* out) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t values[] = {static_cast<int64_t>(in_use_), static_cast<int64_t>(cached_), static_cast<int64_t>(peak_in_use_),
                        hits_, misses_, released_, static_cast<int64_t>(idle_.size())};
    std::memcpy(out, values, sizeof values);
  }

  static CachingCpuAllocator& instance();

 private:
  c10::DataPtr allocate_block(size_t bytes) const {
    if (bytes < kMinCachedBytes) {
      // Under this allocator's deleter too (raw_deleter's promise); release hands it back.
      void* data = fallback_->raw_allocate(bytes);
      return {data, data, &CachingCpuAllocator::release, c10::Device(c10::DeviceType::CPU)};
    }
    Block* block = take(size_class(bytes), bytes);
    c10::reportMemoryUsageToProfiler(block->data, static_cast<int64_t>(bytes), 0, 0, c10::Device(c10::DeviceType::CPU));
    return {block->data, block->data, &CachingCpuAllocator::release, c10::Device(c10::DeviceType::CPU)};
  }

  Block* take(size_t bytes, size_t requested) const {
    std::lock_guard<std::mutex> lock(mutex_);
    release_idle(Clock::now());
    Block* block;
    auto found = by_size_.find(bytes);
    if (found != by_size_.end()) {
      // The most recently freed block of the class: its pages are the likeliest to be in cache.
      block = std::prev(by_size_.upper_bound(bytes))->second;
      unlink(block);
      ++hits_;
    } else {
      void* data = nullptr;
      if (posix_memalign(&data, kAlignment, bytes) != 0) {
        // Cached blocks of other classes may be what stands in the way.
        while (!idle_.empty()) free_block(idle_.front());
        TORCH_CHECK(posix_memalign(&data, kAlignment, bytes) == 0, "not enough memory for a CPU tensor of ", requested,
                    " bytes (", bytes, " with its size class); every cached block was released first");
      }
      block = new Block{data, bytes};
      ++misses_;
    }
    block->requested = requested;
    in_use_blocks_.emplace(block->data, block);
    in_use_ += bytes;
    peak_in_use_ = std::max(peak_in_use_, in_use_);
    return block;
  }

  static void release(void* data) { instance().put_back(data); }

  void put_back(void* data) const {
    std::unique_lock<std::mutex> lock(mutex_);
    auto found = in_use_blocks_.find(data);
    if (found == in_use_blocks_.end()) {
      // A small block of the fallback allocator.
      lock.unlock();
      fallback_->raw_deleter()(data);
      return;
    }
    Block* block = found->second;
    in_use_blocks_.erase(found);
    c10::reportMemoryUsageToProfiler(data, -static_cast<int64_t>(block->requested), 0, 0, c10::Device(c10::DeviceType::CPU));
    auto now = Clock::now();
    in_use_ -= block->bytes;
    block->freed = now;
    block->by_size = by_size_.emplace(block->bytes, block);
    block->by_age = idle_.insert(idle_.end(), block);
    cached_ += block->bytes;
    // Oldest first, down to the bound on what the cache holds from the system.
    while (in_use_ + cached_ > held_bound() && !idle_.empty()) free_block(idle_.front());
    release_idle(now);
  }

  // A step's blocks, all freed at its end, add up to more than its peak in use (not every size is
  // in use at once): 1/8 above the peak keeps a step's whole set (9% above on polylm-small).
  size_t held_bound() const { return peak_in_use_ + peak_in_use_ / 8; }

  void release_idle(Clock::time_point now) const {
    while (!idle_.empty() && std::chrono::duration<double>(now - idle_.front()->freed).count() > kIdleSeconds)
      free_block(idle_.front());
  }

  void unlink(Block* block) const {
    by_size_.erase(block->by_size);
    idle_.erase(block->by_age);
    cached_ -= block->bytes;
  }

  void free_block(Block* block) const {
    unlink(block);
    std::free(block->data);
    delete block;
    ++released_;
  }

  c10::Allocator* fallback_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, Block*> in_use_blocks_;
  mutable SizeIndex by_size_;
  mutable IdleList idle_;  // cached blocks, least recently freed first
  mutable size_t in_use_ = 0, cached_ = 0, peak_in_use_ = 0;
  mutable int64_t hits_ = 0, misses_ = 0, released_ = 0;
};

// libtorch's allocator as it was before this library replaced it (restored when disabled).
c10::Allocator* g_default_allocator = nullptr;

CachingCpuAllocator& CachingCpuAllocator::instance() {
  // Never destroyed: tensors freed during process exit still return their blocks here. Made
  // before it can be installed, so GetCPUAllocator still answers libtorch's own.
  static auto* allocator = new CachingCpuAllocator(g_default_allocator = c10::GetCPUAllocator());
  return *allocator;
}

// SetCPUAllocator replaces an allocator of the same or lower priority; c10 registers its own at 0.
constexpr uint8_t kPriority = 0;

void enable(bool on) {
  auto& cache = CachingCpuAllocator::instance();
  c10::SetCPUAllocator(on ? static_cast<c10::Allocator*>(&cache) : g_default_allocator, kPriority);
}

// POLYGLOT_CPU_CACHE=off (or 0, false, no, in any case) keeps libtorch's allocator.
bool disabled_by_environment() {
  const char* value = std::getenv("POLYGLOT_CPU_CACHE");
  if (value == nullptr) return false;
  for (const char* off : {"off", "0", "false", "no"})
    if (strcasecmp(value, off) == 0) return true;
  return false;
}

// At load, before any tensor of this library exists: every process of PolyGlot gets the cache.
__attribute__((constructor)) void install_at_load() {
  try {
    if (!disabled_by_environment()) enable(true);
  } catch (...) {
    // libtorch's own allocator stays; pg_cpu_cache_enable reports the reason when asked.
  }
}

}  // namespace

PG_EXPORT int pg_cpu_cache_enable(int on) {
  return pg::checked([&] { enable(on != 0); });
}

PG_EXPORT int pg_cpu_cache_enabled() noexcept {
  return c10::GetCPUAllocator() == &CachingCpuAllocator::instance() ? 1 : 0;
}

PG_EXPORT int pg_cpu_cache_trim() {
  return pg::checked([&] { CachingCpuAllocator::instance().trim(); });
}

// out[0..6]: bytes in use, bytes cached, peak bytes in use, hits, misses, blocks released, blocks cached.
PG_EXPORT int pg_cpu_cache_stats(int64_t* out) {
  return pg::checked([&] { CachingCpuAllocator::instance().stats(out); });
}
