using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>Neural-network functions (pg_nn.cpp).</summary>
internal static unsafe partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_nn_matmul")]
    public static partial nint MatMul(nint a, nint b);

    [LibraryImport(Library, EntryPoint = "pg_nn_linear")]
    public static partial nint Linear(nint x, nint weight, nint bias);

    [LibraryImport(Library, EntryPoint = "pg_nn_embedding")]
    public static partial nint Embedding(nint weight, nint indices, long paddingIdx);

    [LibraryImport(Library, EntryPoint = "pg_nn_softmax")]
    public static partial nint Softmax(nint x, long dim, int dtype, int log);

    [LibraryImport(Library, EntryPoint = "pg_nn_layer_norm")]
    public static partial nint LayerNorm(nint x, long* shape, long ndim, nint weight, nint bias, double eps);

    [LibraryImport(Library, EntryPoint = "pg_nn_rms_norm")]
    public static partial nint RmsNorm(nint x, nint weight, double eps);

    [LibraryImport(Library, EntryPoint = "pg_nn_attention")]
    public static partial nint Attention(nint q, nint k, nint v, nint mask, double dropout, int causal);

    [LibraryImport(Library, EntryPoint = "pg_nn_attention_backend")]
    public static partial int AttentionBackend(nint q, nint k, nint v, nint mask, double dropout, int causal, int* backend);

    [LibraryImport(Library, EntryPoint = "pg_nn_cross_entropy")]
    public static partial nint CrossEntropy(nint logits, nint targets, nint weight, int reduction, long ignoreIndex, double labelSmoothing);

    [LibraryImport(Library, EntryPoint = "pg_nn_dropout")]
    public static partial nint Dropout(nint x, double p, int train);

    [LibraryImport(Library, EntryPoint = "pg_nn_apply_rotary")]
    public static partial nint ApplyRotary(nint x, nint cos, nint sin);

    [LibraryImport(Library, EntryPoint = "pg_nn_rotary_tables")]
    public static partial int RotaryTables(long positions, long headDim, double theta, int dtype, int deviceType,
        int deviceIndex, nint* cos, nint* sin);
}
