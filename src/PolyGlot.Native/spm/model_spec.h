// Decides whether a loaded SentencePiece model may be encoded piece by piece (pg_spm.cpp's
// piece cache), from the model's own trainer/normalizer spec and its vocabulary.
#pragma once

#include <sentencepiece_processor.h>

#include <string>

namespace pg::spm {

// Empty when the ids of a text equal the concatenated ids of its whitespace-led pieces for this
// model; otherwise why they may not (the encoder then takes the plain path for every text).
std::string piece_split_unsafe_reason(const sentencepiece::SentencePieceProcessor& processor);

}  // namespace pg::spm
