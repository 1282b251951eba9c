// Why the whitespace-led pieces of a text can be encoded one by one, and how that is checked.
//
// SentencePiece (bpe_model.cc) encodes the whole normalized text as one sequence of symbols
// (user-defined symbols matched first, then one character each) and repeatedly merges the
// adjacent pair whose concatenation is the best-scoring vocabulary piece, ties going to the
// leftmost pair. Cut the text before every whitespace symbol that follows a non-whitespace
// character: if no vocabulary piece or user-defined symbol contains a non-whitespace character
// followed by U+2581, no symbol ever spans a cut, so the merges on each side never see the
// other and happen in the same order as when that side is encoded alone; unknown symbols and
// byte fallback map one symbol at a time. The cut is taken on the raw text, which is sound when
// normalization maps every character on its own and only turns ' ' into U+2581: no
// precompiled character map, no dummy prefix, no whitespace folding.
//
// The generated ModelProto header is not installed with libsentencepiece, so the few spec fields
// needed are read from the serialized proto (field numbers from sentencepiece_model.proto).
#include "model_spec.h"

#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace pg::spm {
namespace {

// ModelProto
constexpr uint32_t kTrainerSpec = 2;
constexpr uint32_t kNormalizerSpec = 3;
// TrainerSpec
constexpr uint32_t kModelType = 3;  // enum: 1 unigram, 2 bpe, 3 word, 4 char
constexpr uint32_t kSplitByWhitespace = 22;
constexpr uint32_t kTreatWhitespaceAsSuffix = 24;
constexpr int kBpe = 2;
// NormalizerSpec
constexpr uint32_t kNormalizerName = 1;
constexpr uint32_t kPrecompiledCharsmap = 2;
constexpr uint32_t kAddDummyPrefix = 3;
constexpr uint32_t kRemoveExtraWhitespaces = 4;
constexpr uint32_t kEscapeWhitespaces = 5;

// One protobuf field: its number and either its varint value or its length-delimited bytes.
struct Field {
  uint32_t number = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

// Walks the fields of one serialized message (wire format: protobuf.dev/programming-guides/encoding).
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool next(Field* field) {
    if (pos_ >= data_.size()) return false;
    const uint64_t key = varint();
    field->number = static_cast<uint32_t>(key >> 3);
    field->varint = 0;
    field->bytes = {};
    switch (key & 7) {
      case 0: field->varint = varint(); break;
      case 1: skip(8); break;
      case 2: {
        const uint64_t length = varint();
        if (length > data_.size() - pos_) throw std::runtime_error("truncated SentencePiece model proto");
        field->bytes = data_.substr(pos_, length);
        pos_ += length;
        break;
      }
      case 5: skip(4); break;
      default: throw std::runtime_error("unexpected wire type in SentencePiece model proto");
    }
    return true;
  }

 private:
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) break;
      const auto byte = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw std::runtime_error("malformed varint in SentencePiece model proto");
  }

  void skip(size_t count) {
    if (count > data_.size() - pos_) throw std::runtime_error("truncated SentencePiece model proto");
    pos_ += count;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

// The spec values that decide cacheability, with the proto2 defaults of absent fields.
struct Spec {
  int model_type = 1;
  bool split_by_whitespace = true;
  bool treat_whitespace_as_suffix = false;
  std::string normalizer;
  bool has_charsmap = false;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

Spec read_spec(std::string_view model) {
  Spec spec;
  Reader top(model);
  for (Field f; top.next(&f);) {
    if (f.number == kTrainerSpec) {
      Reader trainer(f.bytes);
      for (Field t; trainer.next(&t);) {
        if (t.number == kModelType) spec.model_type = static_cast<int>(t.varint);
        if (t.number == kSplitByWhitespace) spec.split_by_whitespace = t.varint != 0;
        if (t.number == kTreatWhitespaceAsSuffix) spec.treat_whitespace_as_suffix = t.varint != 0;
      }
    } else if (f.number == kNormalizerSpec) {
      Reader normalizer(f.bytes);
      for (Field n; normalizer.next(&n);) {
        if (n.number == kNormalizerName) spec.normalizer = std::string(n.bytes);
        if (n.number == kPrecompiledCharsmap) spec.has_charsmap = !n.bytes.empty();
        if (n.number == kAddDummyPrefix) spec.add_dummy_prefix = n.varint != 0;
        if (n.number == kRemoveExtraWhitespaces) spec.remove_extra_whitespaces = n.varint != 0;
        if (n.number == kEscapeWhitespaces) spec.escape_whitespaces = n.varint != 0;
      }
    }
  }
  return spec;
}

// The first matchable piece holding a non-whitespace character followed by U+2581 ("a▁b", "a▁"),
// or an empty string. Control, unknown and byte pieces are never matched against text.
std::string piece_spanning_a_cut(const sentencepiece::SentencePieceProcessor& sp) {
  static constexpr std::string_view kSpace = "\xE2\x96\x81";
  for (int id = 0; id < sp.GetPieceSize(); ++id) {
    if (sp.IsControl(id) || sp.IsUnknown(id) || sp.IsByte(id)) continue;
    const std::string& piece = sp.IdToPiece(id);
    for (size_t at = piece.find(kSpace, 1); at != std::string::npos; at = piece.find(kSpace, at + 1))
      if (at < kSpace.size() || piece.compare(at - kSpace.size(), kSpace.size(), kSpace) != 0) return piece;
  }
  return {};
}

}  // namespace

std::string piece_split_unsafe_reason(const sentencepiece::SentencePieceProcessor& processor) {
  const Spec spec = read_spec(processor.serialized_model_proto());
  if (spec.model_type != kBpe) return "not a BPE model (unigram and other models segment the whole text at once)";
  if (!spec.split_by_whitespace) return "trained with split_by_whitespace=false (pieces may span words)";
  if (spec.treat_whitespace_as_suffix) return "trained with treat_whitespace_as_suffix=true";
  if (spec.has_charsmap) return "normalization rule '" + spec.normalizer + "' rewrites characters (only identity is cut on raw text)";
  if (spec.add_dummy_prefix) return "normalizer adds a dummy prefix";
  if (spec.remove_extra_whitespaces) return "normalizer removes extra whitespace";
  if (!spec.escape_whitespaces) return "normalizer does not escape whitespace";
  const std::string spanning = piece_spanning_a_cut(processor);
  if (!spanning.empty()) return "vocabulary piece '" + spanning + "' continues across a space";
  return {};
}

}  // namespace pg::spm
