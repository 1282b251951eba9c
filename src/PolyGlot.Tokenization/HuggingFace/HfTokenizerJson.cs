using System.Text.Encodings.Web;
using System.Text.Json;
using PolyGlot.Common.IO;

namespace PolyGlot.Tokenization.HuggingFace;

/// <summary>
/// Writes a SentencePiece BPE model as a Hugging Face <c>tokenizer.json</c> (the format of the
/// <c>tokenizers</c> library, which <c>AutoTokenizer</c> loads as a fast tokenizer) that gives the
/// same ids as SentencePiece: spaces become U+2581 and nothing else is normalized, no dummy prefix,
/// no pre-tokenizer, BPE merges ranked by SentencePiece's scores with byte fallback, control and
/// user-defined pieces as added tokens, and a decoder that turns U+2581 back into spaces and
/// byte pieces back into characters.
/// </summary>
public sealed class HfTokenizerJson
{
    /// <summary>The file name Hugging Face looks for.</summary>
    public const string FileName = "tokenizer.json";

    private const string Space = "\u2581";

    private readonly SentencePieceVocabulary _vocabulary;
    private readonly SpecialTokens _special;

    private HfTokenizerJson(SentencePieceVocabulary vocabulary, SpecialTokens special) => (_vocabulary, _special) = (vocabulary, special);

    /// <summary>
    /// The <c>tokenizer.json</c> of <paramref name="tokenizer"/>, its vocabulary read once; null for a
    /// model it cannot be written for (unigram models have no merges to write).
    /// </summary>
    /// <exception cref="TokenizerException">The model normalizes text or adds a dummy prefix.</exception>
    public static HfTokenizerJson? Of(SentencePieceTokenizer tokenizer)
    {
        var vocabulary = SentencePieceVocabulary.Read(tokenizer);
        return vocabulary.IsBpe ? new HfTokenizerJson(vocabulary, tokenizer.Special) : null;
    }

    /// <summary>Writes the <c>tokenizer.json</c> of <paramref name="tokenizer"/> (see <see cref="WriteTo"/>).</summary>
    /// <exception cref="TokenizerException">The model is not BPE, normalizes text or adds a dummy prefix.</exception>
    public static void Write(SentencePieceTokenizer tokenizer, string path, int? contextTokenId = null) =>
        (Of(tokenizer) ?? throw new TokenizerException(
            $"{tokenizer.ModelPath} is a unigram model; a Hugging Face tokenizer.json is written for BPE models (tokenizer.model_type: bpe)."))
        .WriteTo(path, contextTokenId);

    /// <summary>
    /// Writes the file to <paramref name="path"/> (atomically). With <paramref name="contextTokenId"/>,
    /// encoding with special tokens puts that token before the text (and between the two texts of a
    /// pair), as training saw documents.
    /// </summary>
    public void WriteTo(string path, int? contextTokenId = null)
    {
        var vocabulary = _vocabulary;
        var context = contextTokenId is { } id ? vocabulary.Pieces[id] : null;
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");
            WriteAddedTokens(json, vocabulary);
            // SentencePiece with identity normalization only escapes spaces (escape_whitespaces).
            json.WriteStartObject("normalizer");
            WriteReplace(json, " ", Space);
            json.WriteEndObject();
            // SentencePiece's BPE encoder joins pieces across the whole text; splitting it into
            // words first would forbid joins that SentencePiece makes (e.g. runs of spaces).
            json.WriteNull("pre_tokenizer");
            WritePostProcessor(json, context);
            WriteDecoder(json);
            WriteModel(json, vocabulary, _special);
            json.WriteEndObject();
        });
    }

    private static void WriteAddedTokens(Utf8JsonWriter json, SentencePieceVocabulary vocabulary)
    {
        json.WriteStartArray("added_tokens");
        foreach (var piece in vocabulary.Pieces.Where(p => p.IsSpecial || p.IsUserDefined))
        {
            json.WriteStartObject();
            json.WriteNumber("id", piece.Id);
            json.WriteString("content", piece.Text);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            // Matched in the raw text, as SentencePiece matches user-defined symbols before normalizing.
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", piece.IsSpecial);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WritePostProcessor(Utf8JsonWriter json, SentencePieceVocabulary.Piece? context)
    {
        if (context is null)
        {
            json.WriteNull("post_processor");
            return;
        }
        json.WriteStartObject("post_processor");
        json.WriteString("type", "TemplateProcessing");
        json.WriteStartArray("single");
        WriteTemplateToken(json, context.Text);
        WriteTemplateSequence(json, "A", 0);
        json.WriteEndArray();
        json.WriteStartArray("pair");
        WriteTemplateToken(json, context.Text);
        WriteTemplateSequence(json, "A", 0);
        WriteTemplateToken(json, context.Text);
        WriteTemplateSequence(json, "B", 1);
        json.WriteEndArray();
        json.WriteStartObject("special_tokens");
        json.WriteStartObject(context.Text);
        json.WriteString("id", context.Text);
        json.WriteStartArray("ids");
        json.WriteNumberValue(context.Id);
        json.WriteEndArray();
        json.WriteStartArray("tokens");
        json.WriteStringValue(context.Text);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteTemplateToken(Utf8JsonWriter json, string token)
    {
        json.WriteStartObject();
        json.WriteStartObject("SpecialToken");
        json.WriteString("id", token);
        json.WriteNumber("type_id", 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteTemplateSequence(Utf8JsonWriter json, string sequence, int typeId)
    {
        json.WriteStartObject();
        json.WriteStartObject("Sequence");
        json.WriteString("id", sequence);
        json.WriteNumber("type_id", typeId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    // SentencePiece decodes U+2581 as a space and joins byte pieces into UTF-8 characters; with no
    // dummy prefix there is no leading space to strip.
    private static void WriteDecoder(Utf8JsonWriter json)
    {
        json.WriteStartObject("decoder");
        json.WriteString("type", "Sequence");
        json.WriteStartArray("decoders");
        json.WriteStartObject();
        WriteReplace(json, Space, " ");
        json.WriteEndObject();
        foreach (var type in new[] { "ByteFallback", "Fuse" })
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteReplace(Utf8JsonWriter json, string pattern, string content)
    {
        json.WriteString("type", "Replace");
        json.WriteStartObject("pattern");
        json.WriteString("String", pattern);
        json.WriteEndObject();
        json.WriteString("content", content);
    }

    private static void WriteModel(Utf8JsonWriter json, SentencePieceVocabulary vocabulary, SpecialTokens special)
    {
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        if (special.UnkId >= 0)
            json.WriteString("unk_token", vocabulary.Pieces[special.UnkId].Text);
        else
            json.WriteNull("unk_token");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        // SentencePiece emits one unknown id for a run of unknown characters.
        json.WriteBoolean("fuse_unk", true);
        json.WriteBoolean("byte_fallback", vocabulary.ByteFallback);
        // A text that is itself a piece still goes through the merges, as in SentencePiece.
        json.WriteBoolean("ignore_merges", false);
        json.WriteStartObject("vocab");
        foreach (var piece in vocabulary.Pieces)
            json.WriteNumber(piece.Text, piece.Id);
        json.WriteEndObject();
        json.WriteStartArray("merges");
        foreach (var (left, right) in vocabulary.Merges())
        {
            json.WriteStartArray();
            json.WriteStringValue(left);
            json.WriteStringValue(right);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
