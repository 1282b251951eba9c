namespace PolyGlot.Torch;

/// <summary>Element types; the values are libtorch's <c>c10::ScalarType</c> codes.</summary>
public enum DType
{
    /// <summary>Unsigned 8-bit integer (byte buffers such as RNG states).</summary>
    UInt8 = 0,

    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 3,

    /// <summary>Signed 64-bit integer (token ids, indices).</summary>
    Int64 = 4,

    /// <summary>IEEE 754 half precision.</summary>
    Float16 = 5,

    /// <summary>IEEE 754 single precision.</summary>
    Float32 = 6,

    /// <summary>IEEE 754 double precision.</summary>
    Float64 = 7,

    /// <summary>Boolean, one byte per element.</summary>
    Bool = 11,

    /// <summary>bfloat16: float32's exponent range with an 8-bit significand.</summary>
    BFloat16 = 15,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.UInt8 or DType.Bool => 1,
        DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 or DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for the floating-point types.</summary>
    public static bool IsFloatingPoint(this DType dtype) =>
        dtype is DType.Float16 or DType.BFloat16 or DType.Float32 or DType.Float64;

    /// <summary>The dtype whose elements are the managed type <typeparamref name="T"/>.</summary>
    public static DType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        throw new NotSupportedException(
            $"No tensor dtype holds {typeof(T).Name}; use float, double, long, int, bool, byte or Half, " +
            "or Tensor.FromBytes for bfloat16.");
    }

    /// <summary>Parses PyTorch-style names: float32/float, bfloat16, float16/half, int64/long, int32/int, bool, uint8, float64/double.</summary>
    public static DType Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "float32" or "float" or "fp32" => DType.Float32,
        "bfloat16" or "bf16" => DType.BFloat16,
        "float16" or "half" or "fp16" => DType.Float16,
        "float64" or "double" => DType.Float64,
        "int64" or "long" => DType.Int64,
        "int32" or "int" => DType.Int32,
        "bool" => DType.Bool,
        "uint8" or "byte" => DType.UInt8,
        _ => throw new ArgumentException(
            $"Unknown dtype '{name}'; expected one of float32, bfloat16, float16, float64, int64, int32, bool, uint8.", nameof(name)),
    };
}
