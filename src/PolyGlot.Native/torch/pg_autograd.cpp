// Autograd: requires_grad, backward, gradients, detach and grad mode.
// Paired with src/PolyGlot.Torch/Interop/Native.Autograd.cs.
#include <ATen/core/grad_mode.h>

#include "pg_torch.h"

PG_EXPORT int pg_autograd_requires_grad(pg_tensor* t) noexcept { return t == nullptr ? -1 : (t->requires_grad() ? 1 : 0); }

PG_EXPORT int pg_autograd_set_requires_grad(pg_tensor* t, int value) {
  return pg::checked([&] { const_cast<at::Tensor&>(pg::ref(t)).requires_grad_(value != 0); });
}

PG_EXPORT int pg_autograd_is_leaf(pg_tensor* t) noexcept { return t == nullptr ? -1 : (t->is_leaf() ? 1 : 0); }

// Back-propagates from `t`; `gradient` may be null for a scalar `t`.
PG_EXPORT int pg_autograd_backward(pg_tensor* t, pg_tensor* gradient, int retain_graph) {
  return pg::checked([&] {
    at::Tensor seed = gradient ? pg::ref(gradient) : at::Tensor();
    pg::ref(t).backward(seed, retain_graph ? c10::optional<bool>(true) : c10::nullopt, /*create_graph=*/false);
  });
}

// The accumulated gradient, or *out = null when there is none.
PG_EXPORT int pg_autograd_grad(pg_tensor* t, pg_tensor** out) {
  return pg::checked([&] {
    const auto& grad = pg::ref(t).grad();
    *out = grad.defined() ? pg::wrap(at::Tensor(grad)) : nullptr;
  });
}

// Replaces the gradient (null clears it).
PG_EXPORT int pg_autograd_set_grad(pg_tensor* t, pg_tensor* grad) {
  return pg::checked([&] {
    auto& slot = pg::ref(t).mutable_grad();
    slot = grad ? pg::ref(grad) : at::Tensor();
  });
}

// Clears (set_to_none) or zeroes the gradients of all `count` tensors in one call.
PG_EXPORT int pg_autograd_zero_grads(pg_tensor* const* tensors, int64_t count, int set_to_none) {
  return pg::checked([&] {
    for (int64_t i = 0; i < count; ++i) {
      auto& grad = pg::ref(tensors[i]).mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad.reset();
      } else {
        if (grad.grad_fn()) grad = grad.detach();
        grad.zero_();
      }
    }
  });
}

PG_EXPORT pg_tensor* pg_autograd_detach(pg_tensor* t) {
  return pg::checked_tensor([&] { return pg::ref(t).detach(); });
}

PG_EXPORT int pg_autograd_grad_enabled() noexcept { return at::GradMode::is_enabled() ? 1 : 0; }

// Grad mode is thread-local in libtorch: it applies to the calling thread only.
PG_EXPORT void pg_autograd_set_grad_enabled(int enabled) noexcept { at::GradMode::set_enabled(enabled != 0); }
