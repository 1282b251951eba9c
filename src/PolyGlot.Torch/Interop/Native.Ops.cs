using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>Unary operation codes (pg_ops.cpp, enum Unary).</summary>
internal enum UnaryOp
{
    Neg, Exp, Log, Sqrt, Rsqrt, Abs, Tanh, Sigmoid, Relu, Silu, Gelu, GeluTanh,
    Sin, Cos, Square, Reciprocal, LogicalNot, Floor, Ceil, Sign, Erf, IsNan, IsInf,
}

/// <summary>Binary operation codes (pg_ops.cpp, enum Binary).</summary>
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge,
    LogicalAnd, LogicalOr, Remainder, FloorDivide, ReverseSub, ReverseDiv,
}

/// <summary>Reduction codes (pg_ops.cpp, enum Reduce).</summary>
internal enum ReduceOp
{
    Sum, Mean, Amax, Amin, Prod,
}

/// <summary>Elementwise ops, reductions, views and indexing (pg_ops.cpp).</summary>
internal static unsafe partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_tensor_unary")]
    public static partial nint Unary(UnaryOp op, nint a);

    [LibraryImport(Library, EntryPoint = "pg_tensor_binary")]
    public static partial nint Binary(BinaryOp op, nint a, nint b);

    [LibraryImport(Library, EntryPoint = "pg_tensor_binary_scalar")]
    public static partial nint BinaryScalar(BinaryOp op, nint a, double b, int integral);

    [LibraryImport(Library, EntryPoint = "pg_tensor_binary_inplace")]
    public static partial int BinaryInPlace(BinaryOp op, nint a, nint b);

    [LibraryImport(Library, EntryPoint = "pg_tensor_binary_scalar_inplace")]
    public static partial int BinaryScalarInPlace(BinaryOp op, nint a, double b, int integral);

    [LibraryImport(Library, EntryPoint = "pg_tensor_add_scaled")]
    public static partial nint AddScaled(nint a, nint b, double alpha);

    [LibraryImport(Library, EntryPoint = "pg_tensor_clamp")]
    public static partial nint Clamp(nint a, double min, int hasMin, double max, int hasMax);

    [LibraryImport(Library, EntryPoint = "pg_tensor_where")]
    public static partial nint Where(nint condition, nint a, nint b);

    [LibraryImport(Library, EntryPoint = "pg_tensor_masked_fill")]
    public static partial nint MaskedFill(nint a, nint mask, double value);

    [LibraryImport(Library, EntryPoint = "pg_tensor_fill")]
    public static partial int Fill(nint a, double value, int integral);

    [LibraryImport(Library, EntryPoint = "pg_tensor_copy")]
    public static partial int Copy(nint destination, nint source);

    [LibraryImport(Library, EntryPoint = "pg_tensor_normal")]
    public static partial int Normal(nint a, double mean, double std);

    [LibraryImport(Library, EntryPoint = "pg_tensor_uniform")]
    public static partial int Uniform(nint a, double low, double high);

    [LibraryImport(Library, EntryPoint = "pg_tensor_reduce")]
    public static partial nint Reduce(ReduceOp op, nint a, long* dims, long ndims, int keepdim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_max_dim")]
    public static partial int MaxDim(nint a, long dim, int keepdim, int minimum, nint* values, nint* indices);

    [LibraryImport(Library, EntryPoint = "pg_tensor_argmax")]
    public static partial nint ArgMax(nint a, long dim, int hasDim, int keepdim, int minimum);

    [LibraryImport(Library, EntryPoint = "pg_tensor_view")]
    public static partial nint View(nint a, long* shape, long ndim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_reshape")]
    public static partial nint Reshape(nint a, long* shape, long ndim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_expand")]
    public static partial nint Expand(nint a, long* shape, long ndim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_repeat")]
    public static partial nint Repeat(nint a, long* repeats, long ndim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_repeat_interleave")]
    public static partial nint RepeatInterleave(nint a, long repeats, long dim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_permute")]
    public static partial nint Permute(nint a, long* dims, long ndim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_transpose")]
    public static partial nint Transpose(nint a, long dim0, long dim1);

    [LibraryImport(Library, EntryPoint = "pg_tensor_narrow")]
    public static partial nint Narrow(nint a, long dim, long start, long length);

    [LibraryImport(Library, EntryPoint = "pg_tensor_slice")]
    public static partial nint Slice(nint a, long dim, long start, long end, long step);

    [LibraryImport(Library, EntryPoint = "pg_tensor_select")]
    public static partial nint Select(nint a, long dim, long index);

    [LibraryImport(Library, EntryPoint = "pg_tensor_unsqueeze")]
    public static partial nint Unsqueeze(nint a, long dim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_squeeze")]
    public static partial nint Squeeze(nint a, long dim, int hasDim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_flatten")]
    public static partial nint Flatten(nint a, long startDim, long endDim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_cat")]
    public static partial nint Cat(nint* tensors, long count, long dim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_stack")]
    public static partial nint Stack(nint* tensors, long count, long dim);

    [LibraryImport(Library, EntryPoint = "pg_tensor_split")]
    public static partial int Split(nint a, long size, long dim, nint* output, long capacity, long* count);

    [LibraryImport(Library, EntryPoint = "pg_tensor_triangle")]
    public static partial nint Triangle(nint a, long diagonal, int upper);

    [LibraryImport(Library, EntryPoint = "pg_tensor_index_select")]
    public static partial nint IndexSelect(nint a, long dim, nint index);

    [LibraryImport(Library, EntryPoint = "pg_tensor_gather")]
    public static partial nint Gather(nint a, long dim, nint index);

    [LibraryImport(Library, EntryPoint = "pg_tensor_outer")]
    public static partial nint Outer(nint a, nint b);
}
