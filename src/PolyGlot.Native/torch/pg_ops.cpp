// Tensor operations: elementwise (by operation code), reductions, views and indexing.
// Paired with src/PolyGlot.Torch/Interop/Native.Ops.cs, whose enums mirror the codes below; the
// managed side checks them against pg_ops_names when it loads the library.
#include <iterator>

#include "pg_torch.h"

namespace {

// Each table is listed once; the enum and the names the managed side checks its own enums against
// at load (pg_ops_names) are both generated from the list.
#define PG_UNARY_OPS(X)                                                                                  \
  X(Neg) X(Exp) X(Log) X(Sqrt) X(Rsqrt) X(Abs) X(Tanh) X(Sigmoid) X(Relu) X(Silu) X(Gelu) X(GeluTanh)  \
  X(Sin) X(Cos) X(Square) X(Reciprocal) X(LogicalNot) X(Floor) X(Ceil) X(Sign) X(Erf) X(IsNan) X(IsInf)
#define PG_BINARY_OPS(X)                                                                                \
  X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(Maximum) X(Minimum) X(Eq) X(Ne) X(Lt) X(Le) X(Gt) X(Ge)         \
  X(LogicalAnd) X(LogicalOr) X(Remainder) X(FloorDivide) X(ReverseSub) X(ReverseDiv)
#define PG_REDUCE_OPS(X) X(Sum) X(Mean) X(Amax) X(Amin) X(Prod)

#define PG_OP_CODE(name) k##name,
#define PG_OP_NAME(name) #name,
enum Unary : int { PG_UNARY_OPS(PG_OP_CODE) };
enum Binary : int { PG_BINARY_OPS(PG_OP_CODE) };
enum Reduce : int { PG_REDUCE_OPS(PG_OP_CODE) };
constexpr const char* kUnaryNames[] = {PG_UNARY_OPS(PG_OP_NAME)};
constexpr const char* kBinaryNames[] = {PG_BINARY_OPS(PG_OP_NAME)};
constexpr const char* kReduceNames[] = {PG_REDUCE_OPS(PG_OP_NAME)};

at::Tensor unary(int op, const at::Tensor& x) {
  switch (op) {
    case kNeg: return at::neg(x);
    case kExp: return at::exp(x);
    case kLog: return at::log(x);
    case kSqrt: return at::sqrt(x);
    case kRsqrt: return at::rsqrt(x);
    case kAbs: return at::abs(x);
    case kTanh: return at::tanh(x);
    case kSigmoid: return at::sigmoid(x);
    case kRelu: return at::relu(x);
    case kSilu: return at::silu(x);
    case kGelu: return at::gelu(x);
    case kGeluTanh: return at::gelu(x, "tanh");
    case kSin: return at::sin(x);
    case kCos: return at::cos(x);
    case kSquare: return at::square(x);
    case kReciprocal: return at::reciprocal(x);
    case kLogicalNot: return at::logical_not(x);
    case kFloor: return at::floor(x);
    case kCeil: return at::ceil(x);
    case kSign: return at::sign(x);
    case kErf: return at::erf(x);
    case kIsNan: return at::isnan(x);
    case kIsInf: return at::isinf(x);
    default: throw std::invalid_argument("unknown unary operation " + std::to_string(op));
  }
}

// `b` is a tensor or a scalar; both paths share one switch.
template <class B>
at::Tensor binary(int op, const at::Tensor& a, const B& b) {
  switch (op) {
    case kAdd: return at::add(a, b);
    case kSub: return at::sub(a, b);
    case kMul: return at::mul(a, b);
    case kDiv: return at::div(a, b);
    case kPow: return at::pow(a, b);
    case kEq: return at::eq(a, b);
    case kNe: return at::ne(a, b);
    case kLt: return at::lt(a, b);
    case kLe: return at::le(a, b);
    case kGt: return at::gt(a, b);
    case kGe: return at::ge(a, b);
    case kRemainder: return at::remainder(a, b);
    case kFloorDivide: return at::floor_divide(a, b);
    case kReverseSub: return at::rsub(a, b);
    default: break;
  }
  if constexpr (std::is_same_v<B, at::Tensor>) {
    switch (op) {
      case kMaximum: return at::maximum(a, b);
      case kMinimum: return at::minimum(a, b);
      case kLogicalAnd: return at::logical_and(a, b);
      case kLogicalOr: return at::logical_or(a, b);
      case kReverseDiv: return at::div(b, a);
      default: break;
    }
  } else {
    switch (op) {
      case kMaximum: return at::clamp_min(a, b);
      case kMinimum: return at::clamp_max(a, b);
      case kReverseDiv: return at::mul(at::reciprocal(a), b);
      default: break;
    }
  }
  throw std::invalid_argument("unsupported binary operation " + std::to_string(op));
}

template <class B>
void binary_inplace(int op, at::Tensor& a, const B& b) {
  switch (op) {
    case kAdd: a.add_(b); return;
    case kSub: a.sub_(b); return;
    case kMul: a.mul_(b); return;
    case kDiv: a.div_(b); return;
    case kPow: a.pow_(b); return;
    default: throw std::invalid_argument("unsupported in-place operation " + std::to_string(op));
  }
}

at::Tensor reduce(int op, const at::Tensor& x, at::IntArrayRef dims, bool keepdim) {
  bool all = dims.empty();
  switch (op) {
    case kSum: return all ? at::sum(x) : at::sum(x, dims, keepdim);
    case kMean: return all ? at::mean(x) : at::mean(x, dims, keepdim);
    case kAmax: return at::amax(x, dims, keepdim);
    case kAmin: return at::amin(x, dims, keepdim);
    case kProd:
      if (all) return at::prod(x);
      if (dims.size() != 1) throw std::invalid_argument("prod reduces over one dimension");
      return at::prod(x, dims[0], keepdim);
    default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
  }
}

}  // namespace

// ---- elementwise -------------------------------------------------------------------------------

PG_EXPORT pg_tensor* pg_tensor_unary(int op, pg_tensor* a) {
  return pg::checked_tensor([&] { return unary(op, pg::ref(a)); });
}

PG_EXPORT pg_tensor* pg_tensor_binary(int op, pg_tensor* a, pg_tensor* b) {
  return pg::checked_tensor([&] { return binary(op, pg::ref(a), pg::ref(b)); });
}

PG_EXPORT pg_tensor* pg_tensor_binary_scalar(int op, pg_tensor* a, double b, int integral) {
  return pg::checked_tensor([&] { return binary(op, pg::ref(a), pg::scalar(b, integral)); });
}

PG_EXPORT int pg_tensor_binary_inplace(int op, pg_tensor* a, pg_tensor* b) {
  return pg::checked([&] { binary_inplace(op, const_cast<at::Tensor&>(pg::ref(a)), pg::ref(b)); });
}

PG_EXPORT int pg_tensor_binary_scalar_inplace(int op, pg_tensor* a, double b, int integral) {
  return pg::checked([&] { binary_inplace(op, const_cast<at::Tensor&>(pg::ref(a)), pg::scalar(b, integral)); });
}

// a + alpha * b in one kernel (PyTorch's add with alpha).
PG_EXPORT pg_tensor* pg_tensor_add_scaled(pg_tensor* a, pg_tensor* b, double alpha) {
  return pg::checked_tensor([&] { return at::add(pg::ref(a), pg::ref(b), alpha); });
}

PG_EXPORT pg_tensor* pg_tensor_clamp(pg_tensor* a, double min, int has_min, double max, int has_max) {
  return pg::checked_tensor([&] {
    c10::optional<at::Scalar> lo, hi;
    if (has_min) lo = at::Scalar(min);
    if (has_max) hi = at::Scalar(max);
    return at::clamp(pg::ref(a), lo, hi);
  });
}

PG_EXPORT pg_tensor* pg_tensor_where(pg_tensor* condition, pg_tensor* a, pg_tensor* b) {
  return pg::checked_tensor([&] { return at::where(pg::ref(condition), pg::ref(a), pg::ref(b)); });
}

PG_EXPORT pg_tensor* pg_tensor_masked_fill(pg_tensor* a, pg_tensor* mask, double value) {
  return pg::checked_tensor([&] { return at::masked_fill(pg::ref(a), pg::ref(mask), at::Scalar(value)); });
}

PG_EXPORT int pg_tensor_fill(pg_tensor* a, double value, int integral) {
  return pg::checked([&] { const_cast<at::Tensor&>(pg::ref(a)).fill_(pg::scalar(value, integral)); });
}

PG_EXPORT int pg_tensor_copy(pg_tensor* destination, pg_tensor* source) {
  return pg::checked([&] { const_cast<at::Tensor&>(pg::ref(destination)).copy_(pg::ref(source)); });
}

PG_EXPORT int pg_tensor_normal(pg_tensor* a, double mean, double std) {
  return pg::checked([&] { const_cast<at::Tensor&>(pg::ref(a)).normal_(mean, std); });
}

PG_EXPORT int pg_tensor_uniform(pg_tensor* a, double low, double high) {
  return pg::checked([&] { const_cast<at::Tensor&>(pg::ref(a)).uniform_(low, high); });
}

// ---- reductions --------------------------------------------------------------------------------

// Reduces over `dims` (all dimensions when ndims == 0).
PG_EXPORT pg_tensor* pg_tensor_reduce(int op, pg_tensor* a, const int64_t* dims, int64_t ndims, int keepdim) {
  return pg::checked_tensor([&] { return reduce(op, pg::ref(a), pg::dims(dims, ndims), keepdim != 0); });
}

// Maximum (or minimum) along one dimension with its indices.
PG_EXPORT int pg_tensor_max_dim(pg_tensor* a, int64_t dim, int keepdim, int minimum, pg_tensor** values,
                                pg_tensor** indices) {
  return pg::checked([&] {
    auto result = minimum ? at::min(pg::ref(a), dim, keepdim != 0) : at::max(pg::ref(a), dim, keepdim != 0);
    *values = pg::wrap(std::move(std::get<0>(result)));
    *indices = pg::wrap(std::move(std::get<1>(result)));
  });
}

// Index of the maximum (minimum) along `dim`, or of the flattened tensor when has_dim == 0.
PG_EXPORT pg_tensor* pg_tensor_argmax(pg_tensor* a, int64_t dim, int has_dim, int keepdim, int minimum) {
  return pg::checked_tensor([&] {
    c10::optional<int64_t> d;
    if (has_dim) d = dim;
    return minimum ? at::argmin(pg::ref(a), d, keepdim != 0) : at::argmax(pg::ref(a), d, keepdim != 0);
  });
}

// ---- views and shape ---------------------------------------------------------------------------

PG_EXPORT pg_tensor* pg_tensor_view(pg_tensor* a, const int64_t* shape, int64_t ndim) {
  return pg::checked_tensor([&] { return pg::ref(a).view(pg::dims(shape, ndim)); });
}

PG_EXPORT pg_tensor* pg_tensor_reshape(pg_tensor* a, const int64_t* shape, int64_t ndim) {
  return pg::checked_tensor([&] { return pg::ref(a).reshape(pg::dims(shape, ndim)); });
}

PG_EXPORT pg_tensor* pg_tensor_expand(pg_tensor* a, const int64_t* shape, int64_t ndim) {
  return pg::checked_tensor([&] { return pg::ref(a).expand(pg::dims(shape, ndim)); });
}

PG_EXPORT pg_tensor* pg_tensor_repeat(pg_tensor* a, const int64_t* repeats, int64_t ndim) {
  return pg::checked_tensor([&] { return pg::ref(a).repeat(pg::dims(repeats, ndim)); });
}

PG_EXPORT pg_tensor* pg_tensor_repeat_interleave(pg_tensor* a, int64_t repeats, int64_t dim) {
  return pg::checked_tensor([&] { return at::repeat_interleave(pg::ref(a), repeats, dim); });
}

PG_EXPORT pg_tensor* pg_tensor_permute(pg_tensor* a, const int64_t* dims, int64_t ndim) {
  return pg::checked_tensor([&] { return pg::ref(a).permute(pg::dims(dims, ndim)); });
}

PG_EXPORT pg_tensor* pg_tensor_transpose(pg_tensor* a, int64_t dim0, int64_t dim1) {
  return pg::checked_tensor([&] { return pg::ref(a).transpose(dim0, dim1); });
}

PG_EXPORT pg_tensor* pg_tensor_narrow(pg_tensor* a, int64_t dim, int64_t start, int64_t length) {
  return pg::checked_tensor([&] { return pg::ref(a).narrow(dim, start, length); });
}

PG_EXPORT pg_tensor* pg_tensor_slice(pg_tensor* a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return pg::checked_tensor([&] { return pg::ref(a).slice(dim, start, end, step); });
}

PG_EXPORT pg_tensor* pg_tensor_select(pg_tensor* a, int64_t dim, int64_t index) {
  return pg::checked_tensor([&] { return pg::ref(a).select(dim, index); });
}

PG_EXPORT pg_tensor* pg_tensor_unsqueeze(pg_tensor* a, int64_t dim) {
  return pg::checked_tensor([&] { return pg::ref(a).unsqueeze(dim); });
}

// Removes dimension `dim` of size 1, or every size-1 dimension when has_dim == 0.
PG_EXPORT pg_tensor* pg_tensor_squeeze(pg_tensor* a, int64_t dim, int has_dim) {
  return pg::checked_tensor([&] { return has_dim ? pg::ref(a).squeeze(dim) : pg::ref(a).squeeze(); });
}

PG_EXPORT pg_tensor* pg_tensor_flatten(pg_tensor* a, int64_t start_dim, int64_t end_dim) {
  return pg::checked_tensor([&] { return pg::ref(a).flatten(start_dim, end_dim); });
}

PG_EXPORT pg_tensor* pg_tensor_cat(pg_tensor* const* tensors, int64_t count, int64_t dim) {
  return pg::checked_tensor([&] { return at::cat(pg::list(tensors, count), dim); });
}

PG_EXPORT pg_tensor* pg_tensor_stack(pg_tensor* const* tensors, int64_t count, int64_t dim) {
  return pg::checked_tensor([&] { return at::stack(pg::list(tensors, count), dim); });
}

// Splits into pieces of `size` along `dim`; writes up to `capacity` handles and the count.
PG_EXPORT int pg_tensor_split(pg_tensor* a, int64_t size, int64_t dim, pg_tensor** out, int64_t capacity,
                              int64_t* count) {
  return pg::checked([&] {
    auto pieces = pg::ref(a).split(size, dim);
    *count = static_cast<int64_t>(pieces.size());
    if (*count > capacity) return;
    for (size_t i = 0; i < pieces.size(); ++i) out[i] = pg::wrap(std::move(pieces[i]));
  });
}

PG_EXPORT pg_tensor* pg_tensor_triangle(pg_tensor* a, int64_t diagonal, int upper) {
  return pg::checked_tensor([&] { return upper ? at::triu(pg::ref(a), diagonal) : at::tril(pg::ref(a), diagonal); });
}

// ---- indexing ----------------------------------------------------------------------------------

PG_EXPORT pg_tensor* pg_tensor_index_select(pg_tensor* a, int64_t dim, pg_tensor* index) {
  return pg::checked_tensor([&] { return at::index_select(pg::ref(a), dim, pg::ref(index)); });
}

PG_EXPORT pg_tensor* pg_tensor_gather(pg_tensor* a, int64_t dim, pg_tensor* index) {
  return pg::checked_tensor([&] { return at::gather(pg::ref(a), dim, pg::ref(index)); });
}

PG_EXPORT pg_tensor* pg_tensor_outer(pg_tensor* a, pg_tensor* b) {
  return pg::checked_tensor([&] { return at::outer(pg::ref(a), pg::ref(b)); });
}

// The names of one operation table's codes, in code order (table 0: unary, 1: binary, 2: reduce):
// sets *names and returns the count, or -1 for an unknown table.
PG_EXPORT int pg_ops_names(int table, const char* const** names) noexcept {
  switch (table) {
    case 0: *names = kUnaryNames; return static_cast<int>(std::size(kUnaryNames));
    case 1: *names = kBinaryNames; return static_cast<int>(std::size(kBinaryNames));
    case 2: *names = kReduceNames; return static_cast<int>(std::size(kReduceNames));
    default: *names = nullptr; return -1;
  }
}
