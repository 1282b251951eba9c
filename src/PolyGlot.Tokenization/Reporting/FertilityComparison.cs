using System.Text.Json;

namespace PolyGlot.Tokenization.Reporting;

/// <summary>One language's premium on one parallel set under two tokenizers.</summary>
/// <param name="Set">Parallel set.</param>
/// <param name="Language">The non-English language.</param>
/// <param name="Ours">Premium with the tokenizer under test.</param>
/// <param name="Reference">Premium with the reference (public) tokenizer.</param>
public sealed record PremiumComparison(string Set, string Language, double Ours, double Reference)
{
    /// <summary>Ours / reference: above 1 means this language pays more with ours than with the reference.</summary>
    public double Ratio => Reference == 0 ? 0 : Ours / Reference;
}

/// <summary>The verdict over every premium of the languages with held-out monolingual text (the languages the tokenizer covers).</summary>
/// <param name="Languages">Languages compared.</param>
/// <param name="OursWorst">Highest premium with ours, with its set and language.</param>
/// <param name="ReferenceWorst">Highest premium with the reference, with its set and language.</param>
/// <param name="WorseThanReference">Premiums with ours more than <see cref="FertilityComparison.Tolerance"/> above the reference's.</param>
public sealed record ComparisonSummary(IReadOnlyList<string> Languages, PremiumComparison OursWorst,
    PremiumComparison ReferenceWorst, IReadOnlyList<PremiumComparison> WorseThanReference)
{
    /// <summary>Ours is at least as fair as the reference: its worst premium is at most the reference's, and no language is more than the tolerance above it.</summary>
    public bool AsFairAsReference => OursWorst.Ours <= ReferenceWorst.Reference && WorseThanReference.Count == 0;
}

/// <summary>
/// Two fertility reports on the same text, ours and a public tokenizer's, set side by side: per
/// language and parallel set the premium under each and their ratio, and over the languages the
/// tokenizer covers (those with held-out monolingual text) the worst premium under each. A
/// tokenizer is as fair as the reference when its worst premium is at most the reference's and
/// no premium is more than <see cref="Tolerance"/> above the reference's for the same text.
/// </summary>
public sealed record FertilityComparison(FertilityReport Ours, FertilityReport Reference)
{
    /// <summary>How much higher than the reference's a language's premium may be (10%).</summary>
    public const double Tolerance = 0.10;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Premiums of every (set, language) measured by both reports.</summary>
    public IReadOnlyList<PremiumComparison> Premiums =>
        Ours.Premiums.Join(Reference.Premiums, p => (p.Set, p.Language), p => (p.Set, p.Language),
            (o, r) => new PremiumComparison(o.Set, o.Language, o.Premium, r.Premium)).ToList();

    /// <summary>The verdict over the premiums of the languages with held-out monolingual text; null when there is none.</summary>
    public ComparisonSummary? Summary()
    {
        var covered = Ours.Languages.Select(l => l.Language).ToHashSet(StringComparer.Ordinal);
        var premiums = Premiums.Where(p => covered.Contains(p.Language)).ToList();
        if (premiums.Count == 0)
            return null;
        return new ComparisonSummary(premiums.Select(p => p.Language).Distinct().Order(StringComparer.Ordinal).ToList(),
            premiums.MaxBy(p => p.Ours)!, premiums.MaxBy(p => p.Reference)!,
            premiums.Where(p => p.Ratio > 1 + Tolerance).ToList());
    }

    /// <summary>Both reports and the comparison as indented snake_case JSON.</summary>
    public string ToJson()
    {
        using var ours = JsonDocument.Parse(Ours.ToJson());
        using var reference = JsonDocument.Parse(Reference.ToJson());
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["tokenizer"] = ours.RootElement,
            ["reference"] = reference.RootElement,
            ["premiums"] = Premiums.Select(p => new Dictionary<string, object>
            {
                ["set"] = p.Set, ["language"] = p.Language, ["ours"] = p.Ours, ["reference"] = p.Reference, ["ratio"] = p.Ratio,
            }),
            ["summary"] = Summary() is not { } s ? null! : new Dictionary<string, object>
            {
                ["languages"] = s.Languages,
                ["ours_worst"] = new { set = s.OursWorst.Set, language = s.OursWorst.Language, premium = s.OursWorst.Ours },
                ["reference_worst"] = new { set = s.ReferenceWorst.Set, language = s.ReferenceWorst.Language, premium = s.ReferenceWorst.Reference },
                ["worse_than_reference"] = s.WorseThanReference.Select(p => new { set = p.Set, language = p.Language, ratio = p.Ratio }),
                ["as_fair_as_reference"] = s.AsFairAsReference,
            },
        }, Json);
    }
}
