// C ABI over SentencePiece: train a model from in-memory sentences, load it, encode and decode
// (single and batched), and read the vocabulary. Error convention: common/pg_error.h.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <stdexcept>
#include <string>
#include <vector>

#include "pg_error.h"

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

SentencePieceProcessor* cast(void* handle) {
  if (handle == nullptr) throw std::invalid_argument("null tokenizer handle");
  return static_cast<SentencePieceProcessor*>(handle);
}

absl::string_view view(const uint8_t* text, int64_t length) {
  return absl::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(length));
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

PG_EXPORT void* pg_spm_load(const char* path) {
  return pg::guard_ptr<void>([&]() -> void* {
    auto processor = std::make_unique<SentencePieceProcessor>();
    check(processor->Load(path), "cannot load SentencePiece model");
    return processor.release();
  });
}

PG_EXPORT void pg_spm_free(void* handle) { delete static_cast<SentencePieceProcessor*>(handle); }

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

// Encodes `count` texts (text i = text[offsets[i], offsets[i+1])) in one call. Ids are written
// back to back into `ids`, document i at ids[id_offsets[i], id_offsets[i+1]). When `capacity` is
// too small nothing is copied, `*needed` receives the total and kBufferTooSmall is returned.
PG_EXPORT int pg_spm_encode_batch(void* handle, const uint8_t* text, const int64_t* offsets,
                                  int64_t count, int32_t* ids, int64_t capacity,
                                  int64_t* id_offsets, int64_t* needed) {
  int status = pg::kOk;
  int guarded = pg::guard([&] {
    auto* sp = cast(handle);
    thread_local std::vector<int> pieces;
    int64_t written = 0;
    id_offsets[0] = 0;
    for (int64_t i = 0; i < count; ++i) {
      check(sp->Encode(view(text + offsets[i], offsets[i + 1] - offsets[i]), &pieces), "encode failed");
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
