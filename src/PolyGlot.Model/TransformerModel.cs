using PolyGlot.Model.Configuration;
using PolyGlot.Model.Layers;
using PolyGlot.Model.Layouts;
using PolyGlot.Model.Parameters;
using PolyGlot.Torch;
using PolyGlot.Torch.Runtime;

namespace PolyGlot.Model;

/// <summary>
/// A decoder-only transformer in one of two layouts (<see cref="ModelConfig.Layout"/>):
/// <c>polylm</c>, GPT-2's (token + learned position embeddings, pre-LayerNorm blocks with a GELU
/// MLP and biases, final LayerNorm, head tied to the token embedding or not), and <c>llama</c>
/// (token embedding, pre-RMSNorm blocks with rotary positions, grouped-query attention and a
/// SwiGLU MLP, no biases, final RMSNorm, untied head). Parameters are float32 master weights owned
/// by the model; activations belong to the caller's dispose scope.
/// </summary>
public sealed partial class TransformerModel : IDisposable
{
    /// <summary>Targets equal to this id contribute nothing to the loss (PyTorch's default ignore index).</summary>
    public const long IgnoreIndex = -100;

    private readonly ParameterTable _table;
    private readonly Tensor _tokens;
    private readonly Tensor? _head;
    private readonly IPositionEncoding _positions;
    private readonly TransformerBlock[] _layers;
    private readonly Norm _finalNorm;
    private long _lossChunkPositions;

    private TransformerModel(ModelConfig config, Device device, DType dtype)
    {
        Config = config;
        Device = device;
        _table = new ParameterTable(device, dtype);
        long v = config.VocabSize, d = config.DModel;
        var std = config.InitStd;
        // Output projections that write into the residual stream get std / sqrt(2L), so that the
        // stream's variance does not grow with depth (GPT-2 paper, section 2.3; Megatron-LM's
        // scaled_init_method_normal, which PolyLM trained with).
        var residualStd = std / Math.Sqrt(2.0 * config.NLayers);
        var layout = ModelLayout.Of(config);
        _tokens = _table.Normal("embed.tokens.weight", ParameterKind.Embedding, std, v, d);
        _positions = layout.CreatePositions(_table, std, dtype, device);
        _layers = new TransformerBlock[config.NLayers];
        var blockUnits = new List<IReadOnlyList<ModelParameter>>();
        for (var i = 0; i < _layers.Length; i++)
        {
            var first = _table.All.Count;
            _layers[i] = new TransformerBlock(_table, i, config, layout, std, residualStd);
            blockUnits.Add(_table.All.Skip(first).ToList());
        }
        _finalNorm = layout.CreateNorm(_table, "final_norm");
        if (!config.TiedEmbeddings)
            _head = _table.Normal("head.weight", ParameterKind.Matrix, std, v, d);
        var inBlocks = blockUnits.SelectMany(u => u).ToHashSet();
        UnitParameters = [_table.All.Where(p => !inBlocks.Contains(p)).ToList(), .. blockUnits];
    }

    /// <summary>The shape the model was built from.</summary>
    public ModelConfig Config { get; }

    /// <summary>Where parameters and activations live.</summary>
    public Device Device { get; }

    /// <summary>The dtype of matrix multiplications (float32 unless set to bfloat16).</summary>
    public ComputePrecision Precision { get; set; } = ComputePrecision.Float32;

    /// <summary>
    /// Positions per chunk of the loss (<see cref="TokenLosses"/>, <see cref="Loss"/>): 0 takes the
    /// float32 logits of all B·T positions at once; N &gt; 0 runs <see cref="Functional.ChunkedCrossEntropy"/>,
    /// which holds at most N x V float32 logits at a time and recomputes them in backward (same
    /// loss and gradients). With V = 256,000 and B·T = 2,048 each float32 (B·T, V) tensor of the
    /// plain loss takes 2,048 x 256,000 x 4 B = 2.1 GB, and its backward holds four at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0.</exception>
    public long LossChunkPositions
    {
        get => _lossChunkPositions;
        set => _lossChunkPositions = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Loss chunk positions must be 0 (no chunking) or positive.");
    }

    /// <summary>True while training: dropout (when configured) is active.</summary>
    public bool Training { get; set; } = true;

    /// <summary>All parameters with their names, in a fixed order.</summary>
    public IReadOnlyList<ModelParameter> Parameters => _table.All;

    /// <summary>
    /// The parameters by unit, the granularity of fully sharded training: unit 0 holds those
    /// outside the blocks (embeddings, final norm, head), unit i + 1 those of block i, each in model order.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<ModelParameter>> UnitParameters { get; }

    /// <summary>
    /// A sharding strategy's hooks around each unit of the training pass; with them,
    /// <see cref="BackwardTokenLosses"/> runs backward unit by unit (the same gradients). Null: one
    /// backward over the whole graph. Other passes (evaluation, generation) never call them.
    /// </summary>
    public IParameterUnits? Units { get; set; }

    /// <summary>Parameter counts of this shape (see <see cref="ModelSize"/>).</summary>
    public ModelSize Size => ModelSize.Of(Config);

    /// <summary>
    /// Builds the model with weights drawn after seeding the default generator with
    /// <paramref name="seed"/>: N(0, init_std²) for matrices and embeddings, N(0, init_std² / 2L)
    /// for the projections into the residual stream, zero biases, unit norm gains.
    /// </summary>
    public static TransformerModel Create(ModelConfig config, Device device, ulong seed) => Create(config, device, seed, DType.Float32);

    /// <summary>
    /// As <see cref="Create(ModelConfig, Device, ulong)"/>, with parameters (and rotary tables) in
    /// <paramref name="dtype"/>: float64 gives the same weights as float32, for numerical
    /// references of the float32 and bf16 paths (<c>polyglot doctor</c>'s self-test).
    /// </summary>
    public static TransformerModel Create(ModelConfig config, Device device, ulong seed, DType dtype)
    {
        // Seeding the process-wide generator and drawing the weights are one step: two models created at once on
        // different threads (doctor's self-test beside other work, tests run in parallel) would otherwise interleave
        // their draws, and a model's weights would depend on timing.
        lock (SeededCreation)
        {
            Rng.ManualSeed(seed);
            return new TransformerModel(config, device, dtype);
        }
    }

    private static readonly Lock SeededCreation = new();

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    public ModelParameter Parameter(string name) => _table[name];

    /// <summary>
    /// Next-token logits: (B, T) int64 token ids -> (B, T, V) in the compute dtype. With
    /// <paramref name="documents"/>, each packed document attends only to itself and its positions
    /// start at 0.
    /// </summary>
    /// <exception cref="ArgumentException">T exceeds <c>max_seq_len</c>.</exception>
    public Tensor Forward(Tensor inputIds, DocumentLayout? documents = null) =>
        Functional.Linear(HiddenStates(inputIds, documents), HeadWeight);  // (B, T, V)

    /// <summary>The final hidden states, after the last norm: (B, T) int64 token ids -> (B, T, C) in the compute dtype.</summary>
    /// <exception cref="ArgumentException">T exceeds <c>max_seq_len</c>.</exception>
    public Tensor HiddenStates(Tensor inputIds, DocumentLayout? documents = null)
    {
        var (x, rotary, mask) = Embed(inputIds, documents);  // (B, T, C)
        foreach (var layer in _layers)
            x = layer.Forward(x, rotary, mask, Precision, Training);
        return FinalHidden(x);
    }

    // The last block's output (B, T, C) through the final norm, in the compute dtype.
    private Tensor FinalHidden(Tensor x) => Precision.ToCompute(_finalNorm.Forward(x));

    // The residual stream's start (token + learned position embeddings, dropout) with what every
    // block needs: rotary tables and the document mask.
    private (Tensor X, (Tensor, Tensor)? Rotary, Tensor? Mask) Embed(Tensor inputIds, DocumentLayout? documents)
    {
        var T = inputIds.Size(1);
        if (T > Config.MaxSeqLen)
            throw new ArgumentException(
                $"The input holds {T} positions, but the model was built for model.max_seq_len = {Config.MaxSeqLen}.", nameof(inputIds));
        var x = _positions.AddTo(Functional.Embedding(_tokens, inputIds), 0, documents?.Positions);  // (B, T, C)
        var rotary = _positions.Rotary(0, T, documents?.Positions, Precision);
        var mask = documents?.AttentionMask(Precision.DType);
        if (Training && Config.Dropout > 0)
            x = Functional.Dropout(x, Config.Dropout, training: true);
        return (x, rotary, mask);
    }

    /// <summary>
    /// Generation's step: runs the new positions <paramref name="inputIds"/> (B, n) after the ones
    /// already in <paramref name="cache"/> (a prompt into an empty cache, then one token at a time),
    /// appends their keys and values to it, and returns the float32 next-token logits of the last
    /// new position, (B, V).
    /// </summary>
    /// <exception cref="ArgumentException">The cache would exceed <c>max_seq_len</c>, or a filled cache got more than one position.</exception>
    public Tensor NextTokenLogits(Tensor inputIds, KeyValueCache cache)
    {
        long n = inputIds.Size(1), offset = cache.Length;
        if (offset + n > Config.MaxSeqLen)
            throw new ArgumentException(
                $"The cache holds {offset} positions; {n} more exceed model.max_seq_len = {Config.MaxSeqLen}.", nameof(inputIds));
        var x = _positions.AddTo(Functional.Embedding(_tokens, inputIds), offset, null);  // (B, n, C)
        var rotary = _positions.Rotary(offset, n, null, Precision);
        for (var i = 0; i < _layers.Length; i++)
            x = _layers[i].Forward(x, rotary, null, Precision, training: false, cache.Layer(i));
        cache.Length = offset + n;
        var last = FinalHidden(x.Narrow(1, n - 1, 1));  // (B, 1, C)
        return Precision.ToFloat32(Functional.Linear(last, HeadWeight)).Select(1, 0);  // (B, V)
    }

    /// <summary>
    /// Cross-entropy of every position, in float32: (B, T) inputs and targets -> (B·T) losses,
    /// 0 where the target is <see cref="IgnoreIndex"/>.
    /// </summary>
    public Tensor TokenLosses(Tensor inputIds, Tensor targets, DocumentLayout? documents = null) =>
        CrossEntropy(inputIds, targets, Reduction.None, documents);

    /// <summary>Mean cross-entropy over the positions whose target is not <see cref="IgnoreIndex"/>.</summary>
    public Tensor Loss(Tensor inputIds, Tensor targets) => CrossEntropy(inputIds, targets, Reduction.Mean);

    /// <summary>Frees parameters and tables.</summary>
    public void Dispose()
    {
        _table.Dispose();
        _positions.Dispose();
    }

    // The head: the untied head or the token embedding, (V, C) in the compute dtype.
    private Tensor HeadWeight => Precision.ToCompute(_head ?? _tokens);

    private Tensor CrossEntropy(Tensor inputIds, Tensor targets, Reduction reduction, DocumentLayout? documents = null) =>
        CrossEntropyOfHidden(HiddenStates(inputIds, documents), targets, reduction);

    // hidden: (B, T, C) after the final norm.
    private Tensor CrossEntropyOfHidden(Tensor hidden, Tensor targets, Reduction reduction)
    {
        var flatTargets = targets.Reshape(-1);  // (B·T)
        if (LossChunkPositions > 0)
            return Functional.ChunkedCrossEntropy(hidden.Reshape(-1, Config.DModel), HeadWeight, flatTargets,  // (B·T, C)
                IgnoreIndex, LossChunkPositions, reduction);
        var logits = Precision.ToFloat32(Functional.Linear(hidden, HeadWeight)).View(-1, Config.VocabSize);  // (B·T, V)
        return Functional.CrossEntropy(logits, flatTargets, IgnoreIndex, reduction);  // (B·T) or ()
    }
}
