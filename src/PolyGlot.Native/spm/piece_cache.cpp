#include "piece_cache.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pg::spm {

void PieceCache::check_size(size_t max_bytes) {
  if (max_bytes < kMinBytes || max_bytes > kMaxBytes)
    throw std::invalid_argument("piece cache of " + std::to_string(max_bytes) + " bytes is outside " +
                                std::to_string(kMinBytes) + ".." + std::to_string(kMaxBytes));
}

PieceCache::PieceCache(size_t max_bytes) {
  check_size(max_bytes);
  // About a quarter of the budget for slots (8 bytes each, a power of two, at most half full),
  // the rest for the arena: 12 words per entry when the entry bound is reached, room for a
  // word of ~20 bytes with its ids.
  size_t slots = 1024;
  while (slots * 2 * sizeof(Slot) <= max_bytes / 4) slots *= 2;
  slots_.assign(slots, Slot{0, 0});
  mask_ = slots - 1;
  max_entries_ = slots / 2;
  arena_.resize((max_bytes - slots * sizeof(Slot)) / sizeof(uint32_t));
}

uint64_t PieceCache::hash(std::string_view piece) {
  // 8 bytes at a time, each mixed in with a multiply and shift (splitmix64's finalizer constants).
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ piece.size();
  const char* p = piece.data();
  size_t left = piece.size();
  while (left > 0) {
    uint64_t word = 0;
    const size_t take = std::min<size_t>(left, 8);
    std::memcpy(&word, p, take);
    h = (h ^ word) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
    p += take;
    left -= take;
  }
  h *= 0x94D049BB133111EBULL;
  return h ^ (h >> 29);
}

const int32_t* PieceCache::find(std::string_view piece, uint64_t hash, uint32_t* count) const {
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.offset == 0) return nullptr;
    if (slot.tag != tag) continue;
    const uint32_t* entry = &arena_[slot.offset - 1];
    const uint32_t ids = entry[0] & 0xFFFF;
    if ((entry[0] >> 16) == piece.size() && std::memcmp(entry + 1 + ids, piece.data(), piece.size()) == 0) {
      *count = ids;
      return reinterpret_cast<const int32_t*>(entry + 1);
    }
  }
}

void PieceCache::insert(std::string_view piece, uint64_t hash, const int* ids, size_t count) {
  const size_t words = entry_words(piece.size(), count);
  if (piece.size() > kMaxPieceBytes || count > 0xFFFF || words > arena_.size()) return;
  if (entries_ >= max_entries_ || used_words_ + words > arena_.size()) clear();
  uint32_t* entry = &arena_[used_words_];
  entry[0] = static_cast<uint32_t>(piece.size() << 16 | count);
  std::memcpy(entry + 1, ids, count * sizeof(int32_t));
  std::memcpy(entry + 1 + count, piece.data(), piece.size());
  size_t i = hash & mask_;
  while (slots_[i].offset != 0) i = (i + 1) & mask_;
  slots_[i] = Slot{static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(used_words_ + 1)};
  used_words_ += words;
  ++entries_;
}

SharedPieceCache::SharedPieceCache(size_t max_bytes) {
  PieceCache::check_size(max_bytes);
  size_t shards = 1;
  while (shards < kMaxShards && max_bytes / (shards * 2) >= PieceCache::kMinBytes) shards *= 2;
  shards_.reserve(shards);
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>(max_bytes / shards));
}

bool SharedPieceCache::find(std::string_view piece, uint64_t hash, std::vector<int>& out) {
  Shard& shard = shard_of(hash);
  std::lock_guard<std::mutex> lock(shard.mutex);
  uint32_t count = 0;
  const int32_t* ids = shard.cache.find(piece, hash, &count);
  if (ids == nullptr) return false;
  // Copied under the lock: another thread's insert may clear the shard and reuse its arena.
  out.insert(out.end(), ids, ids + count);
  return true;
}

void SharedPieceCache::insert(std::string_view piece, uint64_t hash, const int* ids, size_t count) {
  Shard& shard = shard_of(hash);
  std::lock_guard<std::mutex> lock(shard.mutex);
  uint32_t present = 0;
  if (shard.cache.find(piece, hash, &present) == nullptr) shard.cache.insert(piece, hash, ids, count);
}

uint64_t SharedPieceCache::resets() const {
  uint64_t total = 0;
  for (const auto& shard : shards_) total += shard->cache.counters.resets.load(std::memory_order_relaxed);
  return total;
}

void PieceCache::clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{0, 0});
  used_words_ = 0;
  entries_ = 0;
  counters.add(counters.resets, 1);
}

}  // namespace pg::spm
