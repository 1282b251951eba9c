// A bounded map from the UTF-8 bytes of a text piece to its token ids, used by one encode at a
// time (a cache slot; no locks): open addressing over an arena. When the entry count or the arena reaches its
// bound the whole map is cleared, which keeps memory fixed and lookups free of eviction
// bookkeeping; frequent pieces are back after their next miss.
//
// Behind the slots' own caches sits one SharedPieceCache per model, consulted only on a miss,
// so that a piece one slot has encoded is not encoded again by every other slot.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace pg::spm {

// Totals of one cache. Only the encode holding its slot writes them (for a shard of the shared
// cache, the thread holding its mutex; relaxed stores, no read-modify-write); pg_spm_cache_stats reads them
// from any thread.
struct CacheCounters {
  std::atomic<uint64_t> pieces{0};            // pieces looked up
  std::atomic<uint64_t> hits{0};              // of those, found in this cache or the shared one
  std::atomic<uint64_t> bytes{0};             // UTF-8 bytes of all encoded text, cached or not
  std::atomic<uint64_t> hit_bytes{0};         // of those, in pieces found in either cache
  std::atomic<uint64_t> resets{0};            // times the cache was full and cleared
  std::atomic<uint64_t> shared_hits{0};       // of the hits, those found in the shared cache
  std::atomic<uint64_t> shared_hit_bytes{0};  // and their bytes

  void add(std::atomic<uint64_t>& counter, uint64_t value) {
    counter.store(counter.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
  }
};

class PieceCache {
 public:
  // Pieces longer than this are never cached (long words, CJK runs without spaces: rarely repeated).
  static constexpr size_t kMaxPieceBytes = 64;
  // Smallest cache that still holds a useful number of pieces.
  static constexpr size_t kMinBytes = 64 * 1024;
  // Arena positions are 32-bit word indices.
  static constexpr size_t kMaxBytes = size_t{1} << 32;

  explicit PieceCache(size_t max_bytes);

  // Throws std::invalid_argument unless kMinBytes <= max_bytes <= kMaxBytes.
  static void check_size(size_t max_bytes);

  // The ids of `piece` (hash from hash()) or nullptr; `*count` receives how many.
  const int32_t* find(std::string_view piece, uint64_t hash, uint32_t* count) const;

  // Adds `piece` (not present, at most kMaxPieceBytes) with its ids, clearing the cache first when full.
  void insert(std::string_view piece, uint64_t hash, const int* ids, size_t count);

  static uint64_t hash(std::string_view piece);

  CacheCounters counters;

 private:
  struct Slot {
    uint32_t tag;     // high half of the hash
    uint32_t offset;  // arena index of the entry + 1; 0 marks an empty slot
  };
  // An entry in the arena: header word (key bytes << 16 | id count), ids, key bytes padded to 4.
  static size_t entry_words(size_t key_bytes, size_t ids) { return 1 + ids + (key_bytes + 3) / 4; }
  void clear();

  std::vector<Slot> slots_;
  std::vector<uint32_t> arena_;
  size_t mask_ = 0;
  size_t used_words_ = 0;
  size_t entries_ = 0;
  size_t max_entries_ = 0;
};

// The second level: one per model, shared by all its encoding threads, looked up only after a
// miss in the thread's own cache (the hot path stays lock-free). Sharded by hash, each shard a
// PieceCache behind its own mutex, so threads rarely wait for one another; a full shard is
// cleared alone. The mutex is held only to copy ids in or out, never while encoding.
class SharedPieceCache {
 public:
  static constexpr size_t kMaxShards = 64;

  // `max_bytes` bounds all shards together (PieceCache::check_size applies to it); shards are
  // never smaller than PieceCache::kMinBytes, so a small budget gets fewer of them.
  explicit SharedPieceCache(size_t max_bytes);

  // Appends the ids of `piece` to `out` and returns true when present.
  bool find(std::string_view piece, uint64_t hash, std::vector<int>& out);

  // Adds `piece` (at most PieceCache::kMaxPieceBytes) with its ids unless another thread
  // added it since this one missed it.
  void insert(std::string_view piece, uint64_t hash, const int* ids, size_t count);

  // Times a shard was full and cleared, over all shards.
  uint64_t resets() const;

 private:
  struct alignas(64) Shard {
    explicit Shard(size_t bytes) : cache(bytes) {}
    std::mutex mutex;
    PieceCache cache;
  };
  // Bits 26..31 of the hash: a shard's PieceCache takes its slot from the low bits (at most 2^21
  // slots in a shard of at most 4 GiB / 64) and its tag from the high half, so all three differ.
  Shard& shard_of(uint64_t hash) { return *shards_[(hash >> 26) & (shards_.size() - 1)]; }

  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace pg::spm
