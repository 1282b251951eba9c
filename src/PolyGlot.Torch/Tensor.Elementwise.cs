using PolyGlot.Torch.Interop;

namespace PolyGlot.Torch;

public sealed partial class Tensor
{
    private Tensor Unary(UnaryOp op) => Native.Wrap(Native.Unary(op, Handle), op, this);

    private Tensor Binary(BinaryOp op, Tensor other) => Native.Wrap(Native.Binary(op, Handle, other.Handle), op, this, other);

    private Tensor Binary(BinaryOp op, double scalar) => Native.Wrap(Native.BinaryScalar(op, Handle, scalar, 0), op, this);

    private Tensor Binary(BinaryOp op, long scalar) => Native.Wrap(Native.BinaryScalar(op, Handle, scalar, 1), op, this);

    /// <summary>Elementwise sum (broadcasting).</summary>
    public Tensor Add(Tensor other) => Binary(BinaryOp.Add, other);

    /// <summary>this + alpha * other in one kernel.</summary>
    public Tensor Add(Tensor other, double alpha) => Native.Wrap(Native.AddScaled(Handle, other.Handle, alpha), nameof(Add), this, other);

    /// <summary>Adds a scalar.</summary>
    public Tensor Add(double scalar) => Binary(BinaryOp.Add, scalar);

    /// <summary>Adds an integer scalar (integer tensors stay integer).</summary>
    public Tensor Add(long scalar) => Binary(BinaryOp.Add, scalar);

    /// <summary>Elementwise difference.</summary>
    public Tensor Sub(Tensor other) => Binary(BinaryOp.Sub, other);

    /// <summary>Subtracts a scalar.</summary>
    public Tensor Sub(double scalar) => Binary(BinaryOp.Sub, scalar);

    /// <summary>Elementwise product.</summary>
    public Tensor Mul(Tensor other) => Binary(BinaryOp.Mul, other);

    /// <summary>Multiplies by a scalar.</summary>
    public Tensor Mul(double scalar) => Binary(BinaryOp.Mul, scalar);

    /// <summary>Multiplies by an integer scalar (integer tensors stay integer).</summary>
    public Tensor Mul(long scalar) => Binary(BinaryOp.Mul, scalar);

    /// <summary>Elementwise true division.</summary>
    public Tensor Div(Tensor other) => Binary(BinaryOp.Div, other);

    /// <summary>Divides by a scalar.</summary>
    public Tensor Div(double scalar) => Binary(BinaryOp.Div, scalar);

    /// <summary>Elementwise power.</summary>
    public Tensor Pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);

    /// <summary>Raises every element to <paramref name="exponent"/>.</summary>
    public Tensor Pow(double exponent) => Binary(BinaryOp.Pow, exponent);

    /// <summary>Elementwise maximum of two tensors.</summary>
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, other);

    /// <summary>Elementwise minimum of two tensors.</summary>
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, other);

    /// <summary>Elementwise remainder (Python's sign convention).</summary>
    public Tensor Remainder(long divisor) => Binary(BinaryOp.Remainder, divisor);

    /// <summary>Elementwise floor division by an integer.</summary>
    public Tensor FloorDivide(long divisor) => Binary(BinaryOp.FloorDivide, divisor);

    /// <summary>Clamps every element into [min, max]; a null bound is open.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Native.Wrap(Native.Clamp(Handle, min ?? 0, min.HasValue ? 1 : 0, max ?? 0, max.HasValue ? 1 : 0), nameof(Clamp), this);

    /// <summary>-x.</summary>
    public Tensor Neg() => Unary(UnaryOp.Neg);

    /// <summary>e^x.</summary>
    public Tensor Exp() => Unary(UnaryOp.Exp);

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Unary(UnaryOp.Log);

    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);

    /// <summary>1 / sqrt(x).</summary>
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);

    /// <summary>|x|.</summary>
    public Tensor Abs() => Unary(UnaryOp.Abs);

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary(UnaryOp.Tanh);

    /// <summary>Logistic sigmoid.</summary>
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);

    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => Unary(UnaryOp.Relu);

    /// <summary>x * sigmoid(x).</summary>
    public Tensor Silu() => Unary(UnaryOp.Silu);

    /// <summary>GELU, exact (erf) or with the tanh approximation GPT-2 uses.</summary>
    public Tensor Gelu(bool approximateTanh = false) => Unary(approximateTanh ? UnaryOp.GeluTanh : UnaryOp.Gelu);

    /// <summary>Sine.</summary>
    public Tensor Sin() => Unary(UnaryOp.Sin);

    /// <summary>Cosine.</summary>
    public Tensor Cos() => Unary(UnaryOp.Cos);

    /// <summary>x².</summary>
    public Tensor Square() => Unary(UnaryOp.Square);

    /// <summary>1 / x.</summary>
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal);

    /// <summary>Boolean negation.</summary>
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);

    /// <summary>Elementwise and of two boolean tensors.</summary>
    public Tensor LogicalAnd(Tensor other) => Binary(BinaryOp.LogicalAnd, other);

    /// <summary>Elementwise or of two boolean tensors.</summary>
    public Tensor LogicalOr(Tensor other) => Binary(BinaryOp.LogicalOr, other);

    /// <summary>Rounds down.</summary>
    public Tensor Floor() => Unary(UnaryOp.Floor);

    /// <summary>Rounds up.</summary>
    public Tensor Ceil() => Unary(UnaryOp.Ceil);

    /// <summary>-1, 0 or 1.</summary>
    public Tensor Sign() => Unary(UnaryOp.Sign);

    /// <summary>Gauss error function.</summary>
    public Tensor Erf() => Unary(UnaryOp.Erf);

    /// <summary>True where the element is NaN.</summary>
    public Tensor IsNan() => Unary(UnaryOp.IsNan);

    /// <summary>True where the element is infinite.</summary>
    public Tensor IsInf() => Unary(UnaryOp.IsInf);

    /// <summary>Elementwise ==, as a bool tensor.</summary>
    public Tensor Eq(Tensor other) => Binary(BinaryOp.Eq, other);

    /// <summary>Elementwise == scalar.</summary>
    public Tensor Eq(double scalar) => Binary(BinaryOp.Eq, scalar);

    /// <summary>Elementwise !=.</summary>
    public Tensor Ne(Tensor other) => Binary(BinaryOp.Ne, other);

    /// <summary>Elementwise != scalar.</summary>
    public Tensor Ne(double scalar) => Binary(BinaryOp.Ne, scalar);

    /// <summary>Elementwise &lt;.</summary>
    public Tensor Lt(Tensor other) => Binary(BinaryOp.Lt, other);

    /// <summary>Elementwise &lt; scalar.</summary>
    public Tensor Lt(double scalar) => Binary(BinaryOp.Lt, scalar);

    /// <summary>Elementwise &lt;=.</summary>
    public Tensor Le(Tensor other) => Binary(BinaryOp.Le, other);

    /// <summary>Elementwise &lt;= scalar.</summary>
    public Tensor Le(double scalar) => Binary(BinaryOp.Le, scalar);

    /// <summary>Elementwise &gt;.</summary>
    public Tensor Gt(Tensor other) => Binary(BinaryOp.Gt, other);

    /// <summary>Elementwise &gt; scalar.</summary>
    public Tensor Gt(double scalar) => Binary(BinaryOp.Gt, scalar);

    /// <summary>Elementwise &gt;=.</summary>
    public Tensor Ge(Tensor other) => Binary(BinaryOp.Ge, other);

    /// <summary>Elementwise &gt;= scalar.</summary>
    public Tensor Ge(double scalar) => Binary(BinaryOp.Ge, scalar);

    /// <summary>Elements of <paramref name="whenTrue"/> where <paramref name="condition"/> holds, else of <paramref name="whenFalse"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse) =>
        Native.Wrap(Native.Where(condition.Handle, whenTrue.Handle, whenFalse.Handle), nameof(Where));

    /// <summary>A copy with <paramref name="value"/> wherever the bool <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Native.Wrap(Native.MaskedFill(Handle, mask.Handle, value), nameof(MaskedFill), this, mask);

    /// <summary>Sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);

    /// <summary>Tensor plus scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.Add(b);

    /// <summary>Scalar plus tensor.</summary>
    public static Tensor operator +(double a, Tensor b) => b.Add(a);

    /// <summary>Difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);

    /// <summary>Tensor minus scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);

    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(double a, Tensor b) => b.Binary(BinaryOp.ReverseSub, a);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);

    /// <summary>Tensor times scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);

    /// <summary>Scalar times tensor.</summary>
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);

    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);

    /// <summary>Tensor divided by scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.Div(b);

    /// <summary>Scalar divided by tensor.</summary>
    public static Tensor operator /(double a, Tensor b) => b.Binary(BinaryOp.ReverseDiv, a);
}
