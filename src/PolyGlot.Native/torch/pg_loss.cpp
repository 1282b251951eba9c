// Losses that need their own backward. Paired with src/PolyGlot.Torch/Interop/Native.Loss.cs.
//
// Chunked cross-entropy of a linear head: the plain path materialises float32 logits of shape
// (N, V) and autograd keeps their log-softmax for backward, whose peak holds four such tensors:
// with V = 256,000 and N = 2,048 positions each is 2.1 GB. Looping over chunks
// in eager autograd does not help, since every chunk's logits stay saved. This function computes
// the loss chunk by chunk of positions, keeps only its inputs, and recomputes each chunk's logits
// in backward: one extra (N, C) x (C, V) matmul for memory that no longer grows with N.
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <string>

#include "pg_torch.h"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Positions [start, start + count) of a chunk.
struct Chunk {
  int64_t start, count;
};

template <class Body>
void for_each_chunk(int64_t positions, int64_t chunk, Body&& body) {
  for (int64_t start = 0; start < positions; start += chunk) body(Chunk{start, std::min(chunk, positions - start)});
}

// hidden_chunk W^T in the compute dtype, then float32: (n, C) x (V, C) -> (n, V).
at::Tensor float_logits(const at::Tensor& hidden, const at::Tensor& weight, Chunk c) {
  return at::mm(hidden.narrow(0, c.start, c.count), weight.t()).to(at::kFloat);
}

void check_inputs(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& targets, int64_t chunk) {
  auto shape = [](const at::Tensor& t) {
    std::string s = "(";
    for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + ")";
  };
  if (chunk <= 0)
    throw std::invalid_argument("chunked cross-entropy: the chunk must hold at least one position, got " +
                                std::to_string(chunk));
  if (hidden.dim() != 2 || weight.dim() != 2 || targets.dim() != 1)
    throw std::invalid_argument("chunked cross-entropy: expected hidden (N, C), weight (V, C) and targets (N), got " +
                                shape(hidden) + ", " + shape(weight) + " and " + shape(targets));
  if (hidden.size(1) != weight.size(1) || hidden.size(0) != targets.size(0))
    throw std::invalid_argument("chunked cross-entropy: shapes do not match: hidden " + shape(hidden) + ", weight " +
                                shape(weight) + ", targets " + shape(targets));
  if (targets.scalar_type() != at::kLong)
    throw std::invalid_argument(std::string("chunked cross-entropy: targets must be int64, got ") +
                                c10::toString(targets.scalar_type()));
  if (hidden.scalar_type() != weight.scalar_type())
    throw std::invalid_argument(std::string("chunked cross-entropy: hidden and weight must share a dtype, got ") +
                                c10::toString(hidden.scalar_type()) + " and " + c10::toString(weight.scalar_type()));
}

// Both directions take log-softmax with at::log_softmax, the kernel of the plain path, and form
// the gradient in the order log_softmax_backward does (softmax * w, then -w at the target): the
// chunked loss then rounds as the plain one does. A saved log-sum-exp per position would spare
// backward one pass over each chunk, but at::logsumexp sums in another order, and the rounding
// difference, small in the logits' gradient, grows through the blocks' backward past 1e-5.
struct ChunkedCrossEntropy : public torch::autograd::Function<ChunkedCrossEntropy> {
  // Per-position losses (N) in float32, 0 where the target is ignore_index. Autograd runs this with
  // gradient recording off.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& hidden, const at::Tensor& weight,
                            const at::Tensor& targets, int64_t ignore_index, int64_t chunk) {
    auto losses = at::empty({hidden.size(0)}, hidden.options().dtype(at::kFloat));
    for_each_chunk(hidden.size(0), chunk, [&](Chunk c) {
      auto log_probs = at::log_softmax(float_logits(hidden, weight, c), 1);  // (n, V)
      auto t = targets.narrow(0, c.start, c.count);
      auto ignored = t.eq(ignore_index);
      auto picked = log_probs.gather(1, t.masked_fill(ignored, 0).unsqueeze(1)).squeeze(1);  // (n)
      losses.narrow(0, c.start, c.count).copy_(picked.neg_().masked_fill_(ignored, 0));
    });
    ctx->save_for_backward({hidden, weight, targets});
    ctx->saved_data["ignore_index"] = ignore_index;
    ctx->saved_data["chunk"] = chunk;
    return losses;
  }

  // d loss_i / d logits_ij = softmax_ij - [j == target_i]; rows of ignored targets are 0.
  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    c10::AutoGradMode no_grad(false);
    auto saved = ctx->get_saved_variables();
    const auto &hidden = saved[0], &weight = saved[1], &targets = saved[2];
    auto ignore_index = ctx->saved_data["ignore_index"].toInt();
    auto chunk = ctx->saved_data["chunk"].toInt();
    auto grad_losses = grad_outputs[0].to(at::kFloat);  // (N)
    bool want_hidden = ctx->needs_input_grad(0), want_weight = ctx->needs_input_grad(1);

    auto grad_hidden = want_hidden ? at::empty_like(hidden, at::MemoryFormat::Contiguous) : at::Tensor();
    // The weight gradient sums over every chunk: accumulate in float32 so that a bfloat16 head is
    // rounded once, as one (V, N) x (N, C) matmul would be, not once per chunk.
    auto grad_weight = want_weight ? at::zeros(weight.sizes(), weight.options().dtype(at::kFloat)) : at::Tensor();
    bool float_inputs = hidden.scalar_type() == at::kFloat;
    for_each_chunk(hidden.size(0), chunk, [&](Chunk c) {
      auto t = targets.narrow(0, c.start, c.count);
      auto ignored = t.eq(ignore_index);
      auto scale = grad_losses.narrow(0, c.start, c.count).masked_fill(ignored, 0).unsqueeze(1);  // (n, 1)
      auto grad_logits = at::log_softmax(float_logits(hidden, weight, c), 1);                     // (n, V)
      grad_logits.exp_().mul_(scale);                                                             // softmax * w
      grad_logits.scatter_add_(1, t.masked_fill(ignored, 0).unsqueeze(1), -scale);                // -w at the target
      grad_logits = grad_logits.to(hidden.scalar_type());
      auto h = hidden.narrow(0, c.start, c.count);
      if (want_hidden) {
        auto out = grad_hidden.narrow(0, c.start, c.count);
        at::mm_out(out, grad_logits, weight);  // (n, V) x (V, C)
      }
      if (want_weight) {
        if (float_inputs)
          grad_weight.addmm_(grad_logits.t(), h);  // (V, n) x (n, C), in place
        else
          grad_weight.add_(at::mm(grad_logits.t(), h));
      }
    });
    if (want_weight) grad_weight = grad_weight.to(weight.scalar_type());
    return {grad_hidden, grad_weight, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

// Per-position cross-entropy of logits = hidden W^T without materialising all of them: hidden (N, C)
// and weight (V, C) in the compute dtype, targets (N) int64; losses (N) in float32, 0 where the
// target equals ignore_index; chunk = positions per chunk. Differentiable in hidden and weight.
PG_EXPORT pg_tensor* pg_loss_chunked_cross_entropy(pg_tensor* hidden, pg_tensor* weight, pg_tensor* targets,
                                                   int64_t ignore_index, int64_t chunk) {
  return pg::checked_tensor([&] {
    check_inputs(pg::ref(hidden), pg::ref(weight), pg::ref(targets), chunk);
    return ChunkedCrossEntropy::apply(pg::ref(hidden), pg::ref(weight), pg::ref(targets), ignore_index, chunk);
  });
}
