// C ABI over SentencePiece: train a model from in-memory sentences, load it, encode and decode
// (single and batched), and read the vocabulary. Error convention: common/pg_error.h.
//
// Encoding goes through a piece cache of the calling slot where the model allows it (model_spec.cpp
// says when and why): a text is cut before each run of whitespace that follows a word, each piece's
// ids come from the slot's cache, else from the model's shared cache, else from
// libsentencepiece, and the ids are concatenated.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model_spec.h"
#include "pg_error.h"
#include "piece_cache.h"

namespace sentencepiece::logging {
// Exported by libsentencepiece but not declared in its public headers.
void SetMinLogLevel(int level);
}  // namespace sentencepiece::logging

namespace {

using sentencepiece::SentencePieceProcessor;

// Status codes beyond pg::kOk / pg::kError.
constexpr int kBufferTooSmall = 1;  // the required size was written to the `needed` output

void check(const sentencepiece::util::Status& status, const char* what) {
  if (!status.ok()) throw std::runtime_error(std::string(what) + ": " + status.ToString());
}

// Feeds sentences held in one managed UTF-8 buffer (sentence i = text[offsets[i], offsets[i+1]))
// to the trainer without a temporary file.
class BufferIterator : public sentencepiece::SentenceIterator {
 public:
  BufferIterator(const uint8_t* text, const int64_t* offsets, int64_t count)
      : text_(text), offsets_(offsets), count_(count) {
    Load();
  }
  bool done() const override { return index_ >= count_; }
  void Next() override {
    ++index_;
    Load();
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void Load() {
    if (index_ < count_)
      value_.assign(reinterpret_cast<const char*>(text_ + offsets_[index_]),
                    static_cast<size_t>(offsets_[index_ + 1] - offsets_[index_]));
  }
  const uint8_t* text_;
  const int64_t* offsets_;
  int64_t count_;
  int64_t index_ = 0;
  std::string value_;
};

using pg::spm::PieceCache;
using pg::spm::SharedPieceCache;

// A loaded model with its piece caches and the shared second level behind them. The caches belong
// to slots, not to threads: a caller holds a slot while it encodes (the managed side hands them
// out), so there are never more caches than encodes that ran at once, whatever threads ran them,
// and work that moves between pool threads keeps finding its warm cache. They live as long as the model.
struct Tokenizer {
  static constexpr int64_t kMaxSlots = 1024;  // SentencePieceTokenizer.MaxCacheSlots hands out no more

  SentencePieceProcessor sp;
  size_t cache_bytes = 0;   // per slot, and again for the shared cache; 0: no cache
  std::string cache_off;    // why this model is not encoded piece by piece; empty when it is
  std::unique_ptr<SharedPieceCache> shared;  // null when cache_bytes is 0
  std::mutex mutex;         // guards `caches`
  std::vector<std::unique_ptr<PieceCache>> caches;
  std::array<std::atomic<PieceCache*>, kMaxSlots> slots{};

  // The cache of `slot`; null when the model has none or the slot is negative (encode uncached).
  PieceCache* slot_cache(int64_t slot) {
    if (cache_bytes == 0 || slot < 0) return nullptr;
    if (slot >= kMaxSlots) throw std::invalid_argument("piece cache slot out of range");
    if (PieceCache* cache = slots[slot].load(std::memory_order_acquire)) return cache;
    std::lock_guard<std::mutex> lock(mutex);
    if (PieceCache* cache = slots[slot].load(std::memory_order_relaxed)) return cache;
    caches.push_back(std::make_unique<PieceCache>(cache_bytes));
    slots[slot].store(caches.back().get(), std::memory_order_release);
    return caches.back().get();
  }
};

Tokenizer* cast_tokenizer(void* handle) {
  if (handle == nullptr) throw std::invalid_argument("null tokenizer handle");
  return static_cast<Tokenizer*>(handle);
}

SentencePieceProcessor* cast(void* handle) { return &cast_tokenizer(handle)->sp; }

absl::string_view view(const uint8_t* text, int64_t length) {
  return absl::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(length));
}

void encode_plain(SentencePieceProcessor& sp, absl::string_view text, std::vector<int>& out) {
  thread_local std::vector<int> ids;
  check(sp.Encode(text, &ids), "encode failed");
  out.insert(out.end(), ids.begin(), ids.end());
}

// A whitespace symbol as the normalizer sees it: ' ' (escaped to U+2581) or U+2581 itself.
// Returns its length in bytes at `p`, or 0.
inline size_t whitespace_at(const char* p, const char* end) {
  if (*p == ' ') return 1;
  if (static_cast<unsigned char>(*p) == 0xE2 && end - p >= 3 && static_cast<unsigned char>(p[1]) == 0x96 &&
      static_cast<unsigned char>(p[2]) == 0x81)
    return 3;
  return 0;
}

// Encodes `text` piece by piece (model_spec.cpp: why the ids are the same as encoding it whole).
// Pieces too long to cache are gathered with their neighbours and encoded in one call.
void encode_cached(Tokenizer& t, PieceCache& cache, absl::string_view text, std::vector<int>& out) {
  const char* const end = text.data() + text.size();
  const char* pending = nullptr;  // start of not-yet-encoded long pieces
  uint64_t pieces = 0, hits = 0, hit_bytes = 0, shared_hits = 0, shared_hit_bytes = 0;
  const char* piece = text.data();
  while (piece < end) {
    // A piece: a run of whitespace (possibly empty), then everything up to the next whitespace.
    const char* p = piece;
    for (size_t n; p < end && (n = whitespace_at(p, end)) != 0;) p += n;
    while (p < end && whitespace_at(p, end) == 0) ++p;
    const auto size = static_cast<size_t>(p - piece);
    if (size > PieceCache::kMaxPieceBytes) {
      if (pending == nullptr) pending = piece;
      piece = p;
      continue;
    }
    if (pending != nullptr) {
      encode_plain(t.sp, absl::string_view(pending, static_cast<size_t>(piece - pending)), out);
      pending = nullptr;
    }
    const std::string_view key(piece, size);
    const uint64_t hash = PieceCache::hash(key);
    uint32_t count = 0;
    ++pieces;
    if (const int32_t* ids = cache.find(key, hash, &count)) {
      out.insert(out.end(), ids, ids + count);
      ++hits;
      hit_bytes += size;
    } else {
      const size_t before = out.size();
      if (t.shared->find(key, hash, out)) {
        ++hits;
        hit_bytes += size;
        ++shared_hits;
        shared_hit_bytes += size;
      } else {
        encode_plain(t.sp, absl::string_view(piece, size), out);
        t.shared->insert(key, hash, out.data() + before, out.size() - before);
      }
      cache.insert(key, hash, out.data() + before, out.size() - before);
    }
    piece = p;
  }
  if (pending != nullptr) encode_plain(t.sp, absl::string_view(pending, static_cast<size_t>(end - pending)), out);
  auto& c = cache.counters;
  c.add(c.pieces, pieces);
  c.add(c.hits, hits);
  c.add(c.hit_bytes, hit_bytes);
  c.add(c.bytes, text.size());
  c.add(c.shared_hits, shared_hits);
  c.add(c.shared_hit_bytes, shared_hit_bytes);
}

}  // namespace

PG_EXPORT const char* pg_spm_last_error() { return pg::last_error().c_str(); }

// Sets SentencePiece's log threshold (0 info, 1 warning, 2 error); training logs at info level.
PG_EXPORT void pg_spm_set_log_level(int level) { sentencepiece::logging::SetMinLogLevel(level); }

// Trains a model and writes it to `model_path`. `options` holds one SentencePiece trainer option
// per line as key=value (e.g. "vocab_size=8000\nmodel_type=bpe"), so values may contain spaces;
// the sentences come from the buffer, not from an input file. The model is serialized in memory
// rather than saved under model_prefix, so its bytes do not depend on where it is written.
PG_EXPORT int pg_spm_train(const char* options, const uint8_t* text, const int64_t* offsets,
                           int64_t count, const char* model_path) {
  return pg::guard([&] {
    if (count <= 0) throw std::invalid_argument("no training sentences");
    std::unordered_map<std::string, std::string> kwargs;
    std::istringstream lines(options);
    for (std::string line; std::getline(lines, line);) {
      const auto eq = line.find('=');
      if (line.empty()) continue;
      if (eq == std::string::npos) throw std::invalid_argument("trainer option without '=': " + line);
      kwargs[line.substr(0, eq)] = line.substr(eq + 1);
    }
    BufferIterator sentences(text, offsets, count);
    std::string model;
    check(sentencepiece::SentencePieceTrainer::Train(kwargs, &sentences, &model), "training failed");
    std::ofstream out(model_path, std::ios::binary | std::ios::trunc);
    out.write(model.data(), static_cast<std::streamsize>(model.size()));
    out.close();
    if (!out) throw std::runtime_error(std::string("cannot write ") + model_path);
  });
}

// The score of piece `id` (log probability for unigram, merge rank for BPE).
PG_EXPORT int pg_spm_piece_score(void* handle, int32_t id, float* score) {
  return pg::guard([&] {
    auto* sp = cast(handle);
    if (id < 0 || id >= sp->GetPieceSize()) throw std::out_of_range("token id out of range");
    *score = sp->GetScore(id);
  });
}

// Loads a model. `cache_bytes` bounds the piece cache of each slot and, once more, the
// model's shared cache (0: no cache); models that cannot be encoded piece by piece get none
// either (pg_spm_cache_off says why).
PG_EXPORT void* pg_spm_load(const char* path, int64_t cache_bytes) {
  return pg::guard_ptr<void>([&]() -> void* {
    if (cache_bytes < 0) throw std::invalid_argument("negative piece cache size");
    auto tokenizer = std::make_unique<Tokenizer>();
    check(tokenizer->sp.Load(path), "cannot load SentencePiece model");
    tokenizer->cache_off = cache_bytes == 0 ? "piece cache disabled" : pg::spm::piece_split_unsafe_reason(tokenizer->sp);
    tokenizer->cache_bytes = tokenizer->cache_off.empty() ? static_cast<size_t>(cache_bytes) : 0;
    if (tokenizer->cache_bytes > 0) tokenizer->shared = std::make_unique<SharedPieceCache>(tokenizer->cache_bytes);
    return tokenizer.release();
  });
}

PG_EXPORT void pg_spm_free(void* handle) { delete static_cast<Tokenizer*>(handle); }

// Why this model is encoded without the piece cache, or an empty string when it uses one
// (owned by the model; valid until pg_spm_free).
PG_EXPORT const char* pg_spm_cache_off(void* handle) {
  return pg::guard_ptr<const char>([&]() -> const char* { return cast_tokenizer(handle)->cache_off.c_str(); });
}

// Sums the counters of every slot's cache into stats[0..6]: pieces looked up, hits (either
// level), bytes encoded, bytes served from a cache, resets of the slots' caches, and of the
// hits those from the shared cache and their bytes; stats[7] is the shared cache's resets.
PG_EXPORT int pg_spm_cache_stats(void* handle, int64_t* stats) {
  return pg::guard([&] {
    auto* t = cast_tokenizer(handle);
    std::fill(stats, stats + 8, 0);
    if (t->shared != nullptr) stats[7] = static_cast<int64_t>(t->shared->resets());
    std::lock_guard<std::mutex> lock(t->mutex);
    for (const auto& cache : t->caches) {
      const auto& c = cache->counters;
      stats[0] += static_cast<int64_t>(c.pieces.load(std::memory_order_relaxed));
      stats[1] += static_cast<int64_t>(c.hits.load(std::memory_order_relaxed));
      stats[2] += static_cast<int64_t>(c.bytes.load(std::memory_order_relaxed));
      stats[3] += static_cast<int64_t>(c.hit_bytes.load(std::memory_order_relaxed));
      stats[4] += static_cast<int64_t>(c.resets.load(std::memory_order_relaxed));
      stats[5] += static_cast<int64_t>(c.shared_hits.load(std::memory_order_relaxed));
      stats[6] += static_cast<int64_t>(c.shared_hit_bytes.load(std::memory_order_relaxed));
    }
  });
}

PG_EXPORT int pg_spm_piece_size(void* handle) {
  int size = -1;
  pg::guard([&] { size = cast(handle)->GetPieceSize(); });
  return size;
}

// Writes unk, bos, eos and pad ids (-1 where the model has none) into ids[0..3].
PG_EXPORT int pg_spm_special_ids(void* handle, int32_t* ids) {
  return pg::guard([&] {
    auto* sp = cast(handle);
    ids[0] = sp->unk_id();
    ids[1] = sp->bos_id();
    ids[2] = sp->eos_id();
    ids[3] = sp->pad_id();
  });
}

// Piece kinds as bit flags: 1 unknown, 2 control, 4 unused, 8 byte.
PG_EXPORT int pg_spm_piece_flags(void* handle, int32_t id) {
  int flags = -1;
  pg::guard([&] {
    auto* sp = cast(handle);
    if (id < 0 || id >= sp->GetPieceSize()) throw std::out_of_range("token id out of range");
    flags = (sp->IsUnknown(id) ? 1 : 0) | (sp->IsControl(id) ? 2 : 0) | (sp->IsUnused(id) ? 4 : 0) |
            (sp->IsByte(id) ? 8 : 0);
  });
  return flags;
}

// The piece text of `id` (owned by the model; valid until pg_spm_free), or null on error.
PG_EXPORT const char* pg_spm_id_to_piece(void* handle, int32_t id) {
  return pg::guard_ptr<const char>([&]() -> const char* {
    auto* sp = cast(handle);
    if (id < 0 || id >= sp->GetPieceSize()) throw std::out_of_range("token id out of range");
    return sp->IdToPiece(id).c_str();
  });
}

// The id of `piece`, or the unk id when the vocabulary has no such piece.
PG_EXPORT int32_t pg_spm_piece_to_id(void* handle, const char* piece) {
  int32_t id = -1;
  pg::guard([&] { id = cast(handle)->PieceToId(piece); });
  return id;
}

// Encodes `count` texts (text i = text[offsets[i], offsets[i+1])) in one call, through the piece
// cache of `slot` (0 .. 1023, held by no other call meanwhile; negative: no cache). Ids are written
// back to back into `ids`, document i at ids[id_offsets[i], id_offsets[i+1]). When `capacity` is
// too small nothing is copied, `*needed` receives the total and kBufferTooSmall is returned.
// (Named anew when the slot was added: a managed side built for the old call fails to bind to it
// instead of passing shifted arguments.)
PG_EXPORT int pg_spm_encode_batch_in_slot(void* handle, int64_t slot, const uint8_t* text, const int64_t* offsets,
                                  int64_t count, int32_t* ids, int64_t capacity,
                                  int64_t* id_offsets, int64_t* needed) {
  int status = pg::kOk;
  int guarded = pg::guard([&] {
    auto* t = cast_tokenizer(handle);
    PieceCache* cache = t->slot_cache(slot);
    thread_local std::vector<int> pieces;
    int64_t written = 0;
    id_offsets[0] = 0;
    for (int64_t i = 0; i < count; ++i) {
      const auto one = view(text + offsets[i], offsets[i + 1] - offsets[i]);
      pieces.clear();
      if (cache != nullptr)
        encode_cached(*t, *cache, one, pieces);
      else
        check(t->sp.Encode(one, &pieces), "encode failed");  // straight into the buffer, no copy
      const auto n = static_cast<int64_t>(pieces.size());
      if (status == pg::kOk && written + n <= capacity)
        std::memcpy(ids + written, pieces.data(), static_cast<size_t>(n) * sizeof(int32_t));
      else
        status = kBufferTooSmall;
      written += n;
      id_offsets[i + 1] = written;
    }
    *needed = written;
  });
  return guarded == pg::kOk ? status : guarded;
}

// Decodes ids into UTF-8 text. When `capacity` is too small nothing is copied, `*needed`
// receives the length and kBufferTooSmall is returned.
PG_EXPORT int pg_spm_decode(void* handle, const int32_t* ids, int64_t count, uint8_t* out,
                            int64_t capacity, int64_t* needed) {
  int status = pg::kOk;
  int guarded = pg::guard([&] {
    auto* sp = cast(handle);
    const int size = sp->GetPieceSize();
    std::vector<int> input(ids, ids + count);
    for (int id : input)
      if (id < 0 || id >= size)
        throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary (size " +
                                std::to_string(size) + ")");
    std::string text;
    check(sp->Decode(input, &text), "decode failed");
    *needed = static_cast<int64_t>(text.size());
    if (*needed > capacity)
      status = kBufferTooSmall;
    else
      std::memcpy(out, text.data(), text.size());
  });
  return guarded == pg::kOk ? status : guarded;
}
