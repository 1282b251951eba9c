// A bounded map from the UTF-8 bytes of a text piece to its token ids, owned by one thread
// (no locks): open addressing over an arena. When the entry count or the arena reaches its
// bound the whole map is cleared, which keeps memory fixed and lookups free of eviction
// bookkeeping; frequent pieces are back after their next miss.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace pg::spm {

// Totals of one cache. Only the owning thread writes them (relaxed stores, no read-modify-write);
// pg_spm_cache_stats reads them from any thread.
struct CacheCounters {
  std::atomic<uint64_t> pieces{0};     // pieces looked up
  std::atomic<uint64_t> hits{0};       // of those, found
  std::atomic<uint64_t> bytes{0};      // UTF-8 bytes of all encoded text, cached or not
  std::atomic<uint64_t> hit_bytes{0};  // of those, in pieces found in the cache
  std::atomic<uint64_t> resets{0};     // times the cache was full and cleared

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

}  // namespace pg::spm
