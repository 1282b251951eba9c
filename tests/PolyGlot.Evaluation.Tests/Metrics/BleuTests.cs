using PolyGlot.Evaluation.Metrics;

namespace PolyGlot.Evaluation.Tests.Metrics;

/// <summary>
/// Expected scores are sacreBLEU's own test values (github.com/mjpost/sacrebleu, test/test_bleu.py
/// and test/test_sentence_bleu.py), reproduced to 0.01 BLEU or tighter.
/// </summary>
public sealed class BleuTests
{
    private static readonly string[][] References =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    private static readonly string[] Hypotheses = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

    // sacreBLEU takes reference streams; ours takes the references of each hypothesis.
    private static IReadOnlyList<IReadOnlyList<string>> PerSegment(string[][] streams) =>
        Enumerable.Range(0, streams[0].Length).Select(i => (IReadOnlyList<string>)streams.Select(s => s[i]).ToList()).ToList();

    [Theory]
    [InlineData(true, 48.530827)]
    [InlineData(false, 49.1919566)]
    public void CorpusScoreMatchesSacreBleu_When_TwoReferencesPerSegment(bool tokenize13a, double expected)
    {
        // Given sacreBLEU's README corpus with two references per segment
        var bleu = new Bleu { Tokenize13a = tokenize13a };
        // When scored at corpus level, Then sacreBLEU's published score
        Assert.Equal(expected, bleu.CorpusScore(Hypotheses, PerSegment(References)), 4);
    }

    [Fact]
    public void ZeroScore_When_EveryHypothesisEmpty()
    {
        // Given three empty hypotheses (kept, not dropped), Then BLEU is 0
        Assert.Equal(0.0, new Bleu().CorpusScore(["", "", ""], PerSegment(References)));
    }

    [Fact]
    public void ScoreMatchesSacreBleu_When_StatisticsGiven()
    {
        // Given sacreBLEU's test_scoring statistics, Then its score 0.8375922397
        var stats = new Bleu.Statistics([9, 7, 5, 3], [10, 8, 6, 4], 11, 11);
        Assert.Equal(83.75922397, new Bleu().Score(stats), 6);
    }

    [Theory]
    [InlineData("a little test", "a test", 3.218297948685433)]
    [InlineData("test", "a test", 36.78794411714425)]
    [InlineData("a test", "a test", 100.0)]
    public void EffectiveOrderScoreMatchesSacreBleu_When_LengthsDiffer(string hypothesis, string reference, double expected)
    {
        // Given raw_corpus_bleu's settings (no tokenization, floor 0.01, effective order), including a longer hypothesis
        var bleu = new Bleu { Tokenize13a = false, Smoothing = BleuSmoothing.Floor, FloorValue = 0.01, EffectiveOrder = true };
        // Then sacreBLEU's test_effective_order scores
        Assert.Equal(expected, bleu.CorpusScore([hypothesis], [[reference]]), 6);
    }

    [Theory]
    [InlineData(BleuSmoothing.Exp, true, 8.493)]
    [InlineData(BleuSmoothing.None, true, 0.0)]
    [InlineData(BleuSmoothing.Floor, true, 4.51688)]
    [InlineData(BleuSmoothing.Exp, false, 7.347)]
    public void SentenceScoreMatchesSacreBleu_When_Romanian(BleuSmoothing smoothing, bool tokenize13a, double expected)
    {
        // Given sacreBLEU's sentence-level Romanian example (diacritics in two encodings)
        var bleu = new Bleu { Smoothing = smoothing, Tokenize13a = tokenize13a, EffectiveOrder = true };
        var score = bleu.CorpusScore(["Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;"],
            [["producţia de zahăr brut se exprimă în zahăr alb;"]]);
        // Then test_sentence_bleu.py's expected score within its 1e-3
        Assert.Equal(expected, score, 0.001);
    }

    [Fact]
    public void PunctuationSplit_When_Tokenized13a()
    {
        // Given a sentence with a contraction, a decimal number and an entity
        var tokens = Tokenizer13a.Tokenize("It wasn't 3.5 &quot;km&quot;, was it?");
        // Then quotes, comma and question mark are split off; the apostrophe (outside mteval's ranges) and the decimal point stay
        Assert.Equal("It wasn't 3.5 \" km \" , was it ?", tokens);
    }
}
