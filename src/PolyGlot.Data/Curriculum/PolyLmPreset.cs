namespace PolyGlot.Data.Curriculum;

/// <summary>
/// The PolyLM curriculum (Wei et al. 2023, "PolyLM: An Open Source Polyglot Large Language
/// Model"): the non-English share rises from 30% in the first stage to 60% in the final stage, and
/// bilingual (parallel) data is part of the mixture. The paper gives the two non-English shares;
/// the stage boundary and the bilingual share are ours, chosen as follows.
/// <list type="bullet">
/// <item>Stage 1, the first 80% of the run: english 0.65, non-english 0.30, bilingual 0.05.</item>
/// <item>Final stage, the last 20%: english 0.30, non-english 0.60, bilingual 0.10.</item>
/// </list>
/// "non-english" counts monolingual non-English text only, so the 30% / 60% of the paper are met
/// exactly; bilingual documents, half non-English themselves, come on top and double with the
/// non-English share. The change is a step, as between the paper's stages; an 80/20 split keeps
/// most of the run on the broad mixture and gives the final stage about as many tokens as a
/// low-resource language needs to profit from repetition without many epochs.
/// </summary>
public static class PolyLmPreset
{
    /// <summary>The name used in configuration: <c>preset: polylm</c>.</summary>
    public const string Name = "polylm";

    /// <summary>Group of English monolingual sources.</summary>
    public const string English = "english";

    /// <summary>Group of non-English monolingual sources.</summary>
    public const string NonEnglish = "non-english";

    /// <summary>Group of bilingual (translation pair) sources.</summary>
    public const string Bilingual = "bilingual";

    /// <summary>The fraction of the run's tokens at which the final stage starts.</summary>
    public const double FirstStageEnd = 0.8;

    /// <summary>Group weights of the first stage.</summary>
    public static IReadOnlyDictionary<string, double> FirstStage { get; } = new Dictionary<string, double>
    {
        [English] = 0.65, [NonEnglish] = 0.30, [Bilingual] = 0.05,
    };

    /// <summary>Group weights of the final stage.</summary>
    public static IReadOnlyDictionary<string, double> FinalStage { get; } = new Dictionary<string, double>
    {
        [English] = 0.30, [NonEnglish] = 0.60, [Bilingual] = 0.10,
    };
}
