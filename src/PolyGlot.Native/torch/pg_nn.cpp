// Neural-network functions a decoder-only transformer needs, forward and backward (autograd
// records every op). Paired with src/PolyGlot.Torch/Interop/Native.Nn.cs.
#include "pg_torch.h"

namespace {

// RMSNorm (Zhang & Sennrich 2019) as Llama computes it: normalise in float32, cast back to the
// input dtype, then scale: weight * (x / sqrt(mean(x^2) + eps)).
at::Tensor rms_norm(const at::Tensor& x, const c10::optional<at::Tensor>& weight, double eps) {
  auto input_type = x.scalar_type();
  auto xf = x.to(at::kFloat);
  auto normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  auto y = normed.to(input_type);
  return weight.has_value() ? y * *weight : y;
}

// Rotary position embedding (Su et al. 2021, "rotate half" layout used by GPT-NeoX and Llama):
// x * cos + rotate_half(x) * sin, rotate_half([x1, x2]) = [-x2, x1] over the last dimension.
at::Tensor apply_rotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  auto half = x.size(-1) / 2;
  auto x1 = x.narrow(-1, 0, half);
  auto x2 = x.narrow(-1, half, x.size(-1) - half);
  return x * cos + at::cat({-x2, x1}, -1) * sin;
}

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     const c10::optional<at::Tensor>& mask, double dropout, bool causal) {
#if TORCH_VERSION_MAJOR >= 2
  // The fused kernels (flash / memory-efficient on CUDA, flash on CPU from 2.2).
  return at::scaled_dot_product_attention(q, k, v, mask, dropout, causal);
#else
  // 1.13's private equivalent (math path), differentiable; returns (output, weights).
  return std::get<0>(at::_scaled_dot_product_attention(q, k, v, mask, dropout, /*need_attn_weights=*/false, causal));
#endif
}

// Which kernel attention() runs for these inputs, as c10's sdp::SDPBackend numbers it: 0 math,
// 1 flash, 2 memory-efficient, 3 cuDNN, 4 a backend registered out of tree. 2.x asks the same
// dispatcher that scaled_dot_product_attention asks; 1.13 has only the math path.
int attention_backend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                      const c10::optional<at::Tensor>& mask, double dropout, bool causal) {
#if TORCH_VERSION_MAJOR >= 2
  return static_cast<int>(at::_fused_sdp_choice(q, k, v, mask, dropout, causal));
#else
  return 0;
#endif
}

}  // namespace

PG_EXPORT pg_tensor* pg_nn_matmul(pg_tensor* a, pg_tensor* b) {
  return pg::checked_tensor([&] { return at::matmul(pg::ref(a), pg::ref(b)); });
}

// y = x W^T + b, W of shape (out, in); bias may be null.
PG_EXPORT pg_tensor* pg_nn_linear(pg_tensor* x, pg_tensor* weight, pg_tensor* bias) {
  return pg::checked_tensor([&] { return at::linear(pg::ref(x), pg::ref(weight), pg::optional(bias)); });
}

PG_EXPORT pg_tensor* pg_nn_embedding(pg_tensor* weight, pg_tensor* indices, int64_t padding_idx) {
  return pg::checked_tensor([&] { return at::embedding(pg::ref(weight), pg::ref(indices), padding_idx); });
}

// Softmax (log_softmax when `log` is set) along `dim`, optionally computed in `dtype` (-1: input's).
PG_EXPORT pg_tensor* pg_nn_softmax(pg_tensor* x, int64_t dim, int dtype, int log) {
  return pg::checked_tensor([&] {
    c10::optional<at::ScalarType> type;
    if (dtype >= 0) type = static_cast<at::ScalarType>(dtype);
    return log ? at::log_softmax(pg::ref(x), dim, type) : at::softmax(pg::ref(x), dim, type);
  });
}

PG_EXPORT pg_tensor* pg_nn_layer_norm(pg_tensor* x, const int64_t* shape, int64_t ndim, pg_tensor* weight,
                                      pg_tensor* bias, double eps) {
  return pg::checked_tensor([&] {
    return at::layer_norm(pg::ref(x), pg::dims(shape, ndim), pg::optional(weight), pg::optional(bias), eps);
  });
}

PG_EXPORT pg_tensor* pg_nn_rms_norm(pg_tensor* x, pg_tensor* weight, double eps) {
  return pg::checked_tensor([&] { return rms_norm(pg::ref(x), pg::optional(weight), eps); });
}

// Scaled dot-product attention over (B, H, T, D) tensors; scale 1/sqrt(D). Grouped-query
// attention repeats K/V heads before the call.
PG_EXPORT pg_tensor* pg_nn_attention(pg_tensor* q, pg_tensor* k, pg_tensor* v, pg_tensor* mask, double dropout,
                                     int causal) {
  return pg::checked_tensor(
      [&] { return attention(pg::ref(q), pg::ref(k), pg::ref(v), pg::optional(mask), dropout, causal != 0); });
}

// The kernel pg_nn_attention takes for these arguments (numbers above), into *backend.
PG_EXPORT int pg_nn_attention_backend(pg_tensor* q, pg_tensor* k, pg_tensor* v, pg_tensor* mask, double dropout,
                                      int causal, int* backend) {
  return pg::checked([&] {
    *backend = attention_backend(pg::ref(q), pg::ref(k), pg::ref(v), pg::optional(mask), dropout, causal != 0);
  });
}

// Cross-entropy over logits (N, C) and class targets (N); reduction 0 none, 1 mean, 2 sum
// (at::Reduction); targets equal to ignore_index contribute nothing (and not to the mean's count).
PG_EXPORT pg_tensor* pg_nn_cross_entropy(pg_tensor* logits, pg_tensor* targets, pg_tensor* weight, int reduction,
                                         int64_t ignore_index, double label_smoothing) {
  return pg::checked_tensor([&] {
    return at::cross_entropy_loss(pg::ref(logits), pg::ref(targets), pg::optional(weight), reduction, ignore_index,
                                  label_smoothing);
  });
}

PG_EXPORT pg_tensor* pg_nn_dropout(pg_tensor* x, double p, int train) {
  return pg::checked_tensor([&] { return at::dropout(pg::ref(x), p, train != 0); });
}

PG_EXPORT pg_tensor* pg_nn_apply_rotary(pg_tensor* x, pg_tensor* cos, pg_tensor* sin) {
  return pg::checked_tensor([&] { return apply_rotary(pg::ref(x), pg::ref(cos), pg::ref(sin)); });
}

// cos and sin tables of shape (T, D) for positions [0, T) and head dimension D:
// inv_freq_i = theta^(-2i/D), angle(t, i) = t * inv_freq_i, repeated over both halves.
PG_EXPORT int pg_nn_rotary_tables(int64_t positions, int64_t head_dim, double theta, int dtype, int device_type,
                                  int device_index, pg_tensor** cos, pg_tensor** sin) {
  return pg::checked([&] {
    auto options = at::TensorOptions().dtype(at::kFloat).device(pg::device(device_type, device_index));
    auto exponents = at::arange(0, head_dim, 2, options) / static_cast<double>(head_dim);
    auto inv_freq = at::pow(theta, exponents).reciprocal();
    auto angles = at::outer(at::arange(positions, options), inv_freq);
    auto full = at::cat({angles, angles}, -1);
    auto type = static_cast<at::ScalarType>(dtype);
    *cos = pg::wrap(full.cos().to(type));
    *sin = pg::wrap(full.sin().to(type));
  });
}
