using PolyGlot.Common.IO;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using PolyGlot.Data.Corpus;
using PolyGlot.Data.Shards;
using PolyGlot.Tokenization;

namespace PolyGlot.Data.Preparation;

/// <summary>Progress of one source, reported after every batch.</summary>
/// <param name="Source">Source name.</param>
/// <param name="Documents">Documents tokenized so far in this run.</param>
/// <param name="Bytes">UTF-8 bytes tokenized so far in this run.</param>
/// <param name="Tokens">Tokens produced so far in this run (eos included).</param>
/// <param name="Shards">Shards complete, including those of earlier runs.</param>
/// <param name="Elapsed">Time since the source started.</param>
/// <param name="Encoding">
/// Of <paramref name="Elapsed"/>, the time during which a batch was being encoded. Well below all of it: the encoder
/// waited for the input or for its ids to be stored (appended, shards written), and more threads would not help.
/// </param>
public sealed record PrepareProgressReport(string Source, long Documents, long Bytes, long Tokens, int Shards, TimeSpan Elapsed, TimeSpan Encoding)
{
    /// <summary>Forced cuts in the documents tokenized so far in this run (<see cref="ShardPreparer.ForcedCuts"/>).</summary>
    public long ForcedCuts { get; init; }

    /// <summary>Share of the time the encoder was busy (0 to 1).</summary>
    public double EncoderBusy => Elapsed > TimeSpan.Zero ? Math.Min(1, Encoding / Elapsed) : 0;
}

/// <summary>What happened to a source.</summary>
public enum PrepareOutcome
{
    /// <summary>Its manifest already matched the settings; nothing was done.</summary>
    UpToDate,

    /// <summary>Prepared from the start.</summary>
    Prepared,

    /// <summary>Continued after the complete shards of an interrupted run.</summary>
    Resumed,
}

/// <summary>
/// Tokenizes sources into token shards (docs/data-preparation.md): documents are read in batches of bounded
/// size, encoded in parallel (the next batch while this one is appended), terminated by eos and appended to the
/// current shard; a shard is
/// written (temporary file + rename) once it reaches the target token count, and the progress
/// file records it. The manifest is written last. Output depends only on the input and settings.
/// </summary>
public sealed class ShardPreparer
{
    /// <summary>
    /// Default of <see cref="MaxPieceBytes"/>, 256 KiB. SentencePiece holds about 230 bytes per byte of a text it cannot
    /// split into words while it encodes it (a 50 MiB line of one letter peaked at 12.2 GB), and each encoding thread's
    /// heap keeps its peak: 256 KiB pieces bound that to about 60 MB per thread (1 MiB pieces: about 250 MB; on two
    /// threads that line then peaked at 1.8 GB instead of 1.5). Prose has an exact cut every few bytes, so for tokenizers
    /// that know them the bound costs nothing; for those that know none (unigram models) documents up to 256 KiB, nearly
    /// all, stay whole, and longer ones are cut before a word.
    /// </summary>
    public const int DefaultMaxPieceBytes = 256 << 10;

    private readonly ShardPreparationConfig _config;
    private readonly ITokenizer _tokenizer;
    private readonly TokenizerFingerprint _fingerprint;
    private readonly BilingualTemplate _template;

    /// <summary>Creates a preparer for <paramref name="config"/> with a loaded tokenizer.</summary>
    public ShardPreparer(ShardPreparationConfig config, ITokenizer tokenizer)
    {
        if (tokenizer.Special.EosId < 0)
            throw new TokenizerException($"{tokenizer.ModelPath} has no eos token; shards need one to separate documents.");
        _config = config;
        _tokenizer = tokenizer;
        _template = new BilingualTemplate(config.Template);
        _fingerprint = new TokenizerFingerprint
        {
            Sha256 = tokenizer.ComputeSha256(),
            VocabSize = tokenizer.VocabSize,
            EosId = tokenizer.Special.EosId,
            BosId = tokenizer.Special.BosId,
            PadId = tokenizer.Special.PadId,
        };
    }

    /// <summary>Receives a report after every batch.</summary>
    public Action<PrepareProgressReport>? Progress { get; init; }

    /// <summary>Discard existing output whose settings or tokenizer differ, instead of refusing.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Most UTF-8 bytes of a document encoded at once (at least 4): a longer one is encoded in pieces, cut where the
    /// tokenizer's ids do not change (<see cref="ITokenizer.Cuts"/>); where no such place lies within the bound, a
    /// forced cut goes before a word, else at a character boundary. Shards depend on it only through forced cuts.
    /// </summary>
    public int MaxPieceBytes
    {
        get => _maxPieceBytes;
        init => _maxPieceBytes = value >= DocumentPieces.MinMaxBytes
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxPieceBytes), value, $"must be at least {DocumentPieces.MinMaxBytes} bytes");
    }

    private readonly int _maxPieceBytes = DefaultMaxPieceBytes;

    /// <summary>
    /// Cuts the last <see cref="Prepare(CorpusSourceConfig)"/> made inside text with no exact place to cut within
    /// <see cref="MaxPieceBytes"/> (documents already in shards of an interrupted run not counted): the ids next to
    /// each may differ from those of the document encoded whole.
    /// </summary>
    public long ForcedCuts { get; private set; }

    /// <summary>The directory of <paramref name="source"/> under the output root.</summary>
    public string DirectoryFor(CorpusSourceConfig source) => Path.Combine(_config.Output, source.Name);

    /// <summary>Prepares one source (or confirms it is up to date) and returns what was done.</summary>
    public PrepareOutcome Prepare(CorpusSourceConfig source)
    {
        var directory = DirectoryFor(source);
        ForcedCuts = 0;
        // The settings hash resolves the source's files: a missing source fails here, before any
        // output directory exists.
        var settingsHash = SettingsHash(source);
        var created = !Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        try
        {
            return Prepare(source, directory, settingsHash);
        }
        catch when (created)
        {
            // Failed before a shard was written (e.g. the first file holds no documents): no empty folder stays behind.
            if (!Directory.EnumerateFileSystemEntries(directory).Any())
                Directory.Delete(directory);
            throw;
        }
    }

    private PrepareOutcome Prepare(CorpusSourceConfig source, string directory, string settingsHash)
    {
        if (File.Exists(Path.Combine(directory, ShardManifest.FileName)))
        {
            var existing = ShardManifest.Load(directory);
            if (existing.SettingsHash == settingsHash)
                return PrepareOutcome.UpToDate;
            RefuseOrClear(directory, Describe(existing.Tokenizer.Sha256, existing.SettingsHash, settingsHash));
        }
        var progress = PrepareProgress.TryLoad(directory);
        if (progress is not null && progress.SettingsHash != settingsHash)
        {
            RefuseOrClear(directory, "an interrupted run used different settings or another tokenizer");
            progress = null;
        }
        progress ??= new PrepareProgress { SettingsHash = settingsHash };
        var resumed = KeepVerifiedShards(directory, progress);
        RemoveStrayFiles(directory, progress);
        Run(source, directory, progress);
        return resumed ? PrepareOutcome.Resumed : PrepareOutcome.Prepared;
    }

    private void Run(CorpusSourceConfig source, string directory, PrepareProgress progress)
    {
        var clock = Stopwatch.StartNew();
        var skip = progress.Shards.Sum(s => s.Documents);
        var threads = _config.Threads > 0 ? _config.Threads : Environment.ProcessorCount;
        var flusher = new ShardFlusher(directory, progress, source.Name, threads);
        var shard = new ShardBuffer(source.Name);
        long documents = 0, bytes = 0, tokens = 0;
        var pieces = new DocumentPieces(_tokenizer.Cuts, MaxPieceBytes);
        using var encoder = new EncodedBatches(_tokenizer, threads);
        try
        {
            // Documents already in complete shards are read again (the order is fixed) but not tokenized.
            var batches = Prefetch.Ahead(DocumentBatches.Read(source, _template, _config.BothDirections, skip, _config.BatchBytes, pieces));
            foreach (var encoded in encoder.Encode(batches))
            {
                using var _ = encoded;
                var (batch, ids) = (encoded.Documents, encoded.Ids);
                for (var i = 0; i < batch.Count; i++)
                {
                    var documentBytes = batch.BytesOf(i);
                    tokens += shard.Add(ids, batch.PiecesOf(i), _fingerprint.EosId, batch.Languages[i], documentBytes);
                    bytes += documentBytes;
                    if (shard.Tokens >= _config.ShardTokens)
                        shard = flusher.Submit(shard);
                }
                documents += batch.Count;
                ForcedCuts += batch.ForcedCuts;
                Progress?.Invoke(new PrepareProgressReport(source.Name, documents, bytes, tokens, flusher.CompletedShards, clock.Elapsed, encoder.EncodingTime)
                    { ForcedCuts = ForcedCuts });
            }
            if (shard.Documents > 0)
                flusher.Submit(shard);
        }
        catch
        {
            // A shard in flight is finished (and recorded) even when reading failed, so a re-run
            // can keep it; the original failure is what the caller sees.
            flusher.DrainQuietly();
            throw;
        }
        flusher.Drain();
        if (progress.Shards.Count == 0)
            throw new CorpusFormatException(source.Path, null, $"source '{source.Name}' produced no documents");
        WriteManifest(source, directory, progress);
    }

    private void WriteManifest(CorpusSourceConfig source, string directory, PrepareProgress progress)
    {
        var tokensPerLanguage = Sum(progress.Shards.Select(s => s.TokensPerLanguage));
        new ShardManifest
        {
            Source = source.Name,
            Kind = source.IsBilingual ? SourceKinds.Bilingual : SourceKinds.Monolingual,
            Languages = [.. tokensPerLanguage.Keys],
            Template = source.IsBilingual ? _template.Text : null,
            Tokenizer = _fingerprint,
            Documents = progress.Shards.Sum(s => s.Documents),
            Tokens = progress.Shards.Sum(s => s.Tokens),
            TokensPerLanguage = tokensPerLanguage,
            BytesPerLanguage = Sum(progress.ShardBytesPerLanguage),
            Shards = progress.Shards,
            SettingsHash = progress.SettingsHash,
        }.Save(directory);
        File.Delete(Path.Combine(directory, PrepareProgress.FileName));
    }

    // A shard listed in the progress file counts only if it is still there, unchanged; the
    // first one that is not ends the list (everything after it is redone).
    private static bool KeepVerifiedShards(string directory, PrepareProgress progress)
    {
        var kept = progress.Shards.TakeWhile(s =>
        {
            var path = Path.Combine(directory, s.File);
            return File.Exists(path) && FileHash.Sha256Hex(path) == s.Sha256;
        }).ToList();
        progress.Shards = kept;
        progress.ShardBytesPerLanguage = progress.ShardBytesPerLanguage.Take(kept.Count).ToList();
        return kept.Count > 0;
    }

    private static SortedDictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
    {
        var total = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (language, count) in counts.SelectMany(c => c))
            total[language] = total.GetValueOrDefault(language) + count;
        return total;
    }

    // Temporary files of an interrupted write and shards not in the progress file are never trusted.
    private static void RemoveStrayFiles(string directory, PrepareProgress progress)
    {
        var keep = progress.Shards.Select(s => s.File).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".tmp", StringComparison.Ordinal) || (name.StartsWith("shard-", StringComparison.Ordinal) && !keep.Contains(name)))
                File.Delete(file);
        }
    }

    private void RefuseOrClear(string directory, string reason)
    {
        if (!Force)
            throw new InvalidDataException(
                $"{directory} was prepared differently: {reason}. Shards made with another tokenizer or settings " +
                "must not be mixed; pass --force to delete and redo them, or choose another prepare.output.");
        foreach (var file in Directory.GetFiles(directory))
            File.Delete(file);
    }

    private string Describe(string manifestTokenizer, string? manifestSettings, string settingsHash) =>
        manifestTokenizer != _fingerprint.Sha256
            ? $"its manifest names tokenizer sha256 {manifestTokenizer}, but {_tokenizer.ModelPath} has sha256 {_fingerprint.Sha256}"
            : $"its manifest records settings {manifestSettings}, the current settings are {settingsHash}";

    // Everything that changes the shard bytes: the source, template, direction, shard size, tokenizer.
    private string SettingsHash(CorpusSourceConfig source)
    {
        var settings = JsonSerializer.SerializeToUtf8Bytes(new
        {
            ShardManifest.CurrentVersion,
            source.Name, source.Path, source.Format, source.Documents, source.Lang, source.LangField, source.TextField,
            source.SrcLang, source.TgtLang, source.SrcField, source.TgtField, source.SrcLangField, source.TgtLangField,
            Files = CorpusReader.ResolveFiles(source).Select(f => (Path.GetFileName(f), new FileInfo(f).Length)).Select(x => $"{x.Item1}:{x.Item2}"),
            Template = source.IsBilingual ? _config.Template : null,
            BothDirections = source.IsBilingual && _config.BothDirections,
            _config.ShardTokens,
            Tokenizer = _fingerprint.Sha256,
        });
        return Convert.ToHexStringLower(SHA256.HashData(settings));
    }
}
