// Optimizer steps over all parameters in one native call: AdamW and global gradient-norm
// clipping. Paired with src/PolyGlot.Torch/Interop/Native.Optim.cs.
#include <cmath>
#include <map>
#include <tuple>

#include "pg_torch.h"

namespace {

struct AdamWHyper {
  int64_t step;  // 1-based step count after this update
  double lr, beta1, beta2, eps;
};

// Decoupled weight decay (Loshchilov & Hutter 2019) then Adam, exactly as torch.optim.AdamW
// computes it (single-tensor path of PyTorch 1.13, algorithm in its documentation):
//   p *= 1 - lr*wd;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
//   p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
// The moment updates and the parameter update run as multi-tensor (_foreach) kernels.
void adamw_foreach(std::vector<at::Tensor>& params, std::vector<at::Tensor>& grads, std::vector<at::Tensor>& m,
                   std::vector<at::Tensor>& v, const std::vector<double>& decay, const AdamWHyper& h) {
  for (size_t i = 0; i < params.size(); ++i)
    if (decay[i] != 0.0) params[i].mul_(1.0 - h.lr * decay[i]);
  at::_foreach_mul_(m, h.beta1);
  at::_foreach_add_(m, grads, 1.0 - h.beta1);
  at::_foreach_mul_(v, h.beta2);
  at::_foreach_addcmul_(v, grads, grads, 1.0 - h.beta2);
  double bias1 = 1.0 - std::pow(h.beta1, static_cast<double>(h.step));
  double bias2 = 1.0 - std::pow(h.beta2, static_cast<double>(h.step));
  auto denom = at::_foreach_sqrt(v);
  at::_foreach_div_(denom, std::sqrt(bias2));
  at::_foreach_add_(denom, h.eps);
  at::_foreach_addcdiv_(params, m, denom, -h.lr / bias1);
}

#define PG_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))
// at::_fused_adamw_ has a CUDA kernel from 2.1 and a CPU kernel from 2.4.
#if defined(PG_WITH_CUDA) && PG_TORCH_AT_LEAST(2, 1)
#define PG_FUSED_ADAMW_CUDA 1
#endif
#if PG_TORCH_AT_LEAST(2, 4)
#define PG_FUSED_ADAMW_CPU 1
#endif
#if defined(PG_FUSED_ADAMW_CUDA) || defined(PG_FUSED_ADAMW_CPU)
#define PG_FUSED_ADAMW 1
// The fused kernel (one pass, or one CUDA launch per chunk of tensors), grouped by weight decay
// because the kernel takes one decay value, and by dtype and device because it takes lists of one
// of each. It reads the step count from a float tensor per parameter.
void adamw_fused(std::vector<at::Tensor>& params, std::vector<at::Tensor>& grads, std::vector<at::Tensor>& m,
                 std::vector<at::Tensor>& v, const std::vector<double>& decay, const AdamWHyper& h) {
  using GroupKey = std::tuple<double, int, int>;  // weight decay, dtype, device index
  std::map<GroupKey, std::vector<size_t>> groups;
  for (size_t i = 0; i < params.size(); ++i)
    groups[{decay[i], static_cast<int>(params[i].scalar_type()), params[i].get_device()}].push_back(i);
  for (auto& [key, indices] : groups) {
    const double wd = std::get<0>(key);
    auto step = at::full({}, static_cast<double>(h.step), params[indices[0]].options().dtype(at::kFloat));
    std::vector<at::Tensor> p, g, a, b, steps;
    for (auto i : indices) {
      p.push_back(params[i]);
      g.push_back(grads[i]);
      a.push_back(m[i]);
      b.push_back(v[i]);
      steps.push_back(step);
    }
    at::_fused_adamw_(p, g, a, b, /*max_exp_avg_sqs=*/{}, steps, h.lr, h.beta1, h.beta2, wd, h.eps,
                      /*amsgrad=*/false, /*maximize=*/false);
  }
}
#endif

// Whether this build's AdamW step runs the fused kernel for parameters on `device_type`
// (c10::DeviceType: 0 CPU, 1 CUDA): CUDA from 2.1 in a CUDA build, CPU from 2.4.
bool fused_on(c10::DeviceType device_type) {
#ifdef PG_FUSED_ADAMW_CUDA
  if (device_type == c10::DeviceType::CUDA) return true;
#endif
#ifdef PG_FUSED_ADAMW_CPU
  if (device_type == c10::DeviceType::CPU) return true;
#endif
  return false;
}

bool all_fused(const std::vector<at::Tensor>& tensors) {
  for (const auto& t : tensors)
    if (!fused_on(t.device().type())) return false;
  return !tensors.empty();
}

}  // namespace

// One AdamW update of `count` parameters with their first (exp_avg) and second (exp_avg_sq)
// moment buffers and per-parameter weight decay; parameters without a gradient are skipped.
PG_EXPORT int pg_optim_adamw_step(pg_tensor* const* params, pg_tensor* const* exp_avgs, pg_tensor* const* exp_avg_sqs,
                                  const double* weight_decays, int64_t count, int64_t step, double lr, double beta1,
                                  double beta2, double eps) {
  return pg::checked([&] {
    if (step < 1) throw std::invalid_argument("AdamW step count must be >= 1, got " + std::to_string(step));
    c10::AutoGradMode no_grad(/*enabled=*/false);
    std::vector<at::Tensor> p, g, m, v;
    std::vector<double> decay;
    for (int64_t i = 0; i < count; ++i) {
      const auto& param = pg::ref(params[i]);
      const auto& grad = param.grad();
      if (!grad.defined()) continue;
      p.push_back(param);
      g.push_back(grad);
      m.push_back(pg::ref(exp_avgs[i]));
      v.push_back(pg::ref(exp_avg_sqs[i]));
      decay.push_back(weight_decays[i]);
    }
    if (p.empty()) return;
    AdamWHyper hyper{step, lr, beta1, beta2, eps};
#ifdef PG_FUSED_ADAMW
    if (all_fused(p)) {
      adamw_fused(p, g, m, v, decay, hyper);
      return;
    }
#endif
    (void)all_fused;
    adamw_foreach(p, g, m, v, decay, hyper);
  });
}

// Which kernel pg_optim_adamw_step runs for parameters on `device_type` (0 CPU, 1 CUDA), into
// *fused: 1 the fused kernel (at::_fused_adamw_), 0 the multi-tensor (_foreach) kernels.
PG_EXPORT int pg_optim_adamw_fused(int device_type, int* fused) {
  return pg::checked([&] { *fused = fused_on(static_cast<c10::DeviceType>(device_type)) ? 1 : 0; });
}

// Scales all gradients so that their global 2-norm is at most max_norm, as
// torch.nn.utils.clip_grad_norm_ does: total = ||(||g_i||_2)_i||_2, coef = min(1, max/(total+1e-6)),
// every gradient multiplied by coef. Returns the total norm before clipping as a 0-dim tensor on
// the gradients' device (undefined when no parameter has a gradient); nothing is read to the host.
namespace {
at::Tensor clip_grad_norm(pg_tensor* const* params, int64_t count, double max_norm) {
  c10::AutoGradMode no_grad(/*enabled=*/false);
  std::vector<at::Tensor> grads;
  for (int64_t i = 0; i < count; ++i) {
    const auto& grad = pg::ref(params[i]).grad();
    if (grad.defined()) grads.push_back(grad);
  }
  if (grads.empty()) return at::Tensor();
  auto device = grads[0].device();
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
  for (const auto& g : grads) norms.push_back(at::norm(g, 2).to(device));
  auto total = at::norm(at::stack(norms), 2);
  auto coef = at::clamp_max(max_norm / (total + 1e-6), 1.0);
  for (auto& g : grads) g.mul_(coef.to(g.device()));
  return total;
}
}  // namespace

// The clipping above, returning the total norm as a float32 0-dim tensor on the device (zero when
// no parameter has a gradient), so that the caller decides when to read it.
PG_EXPORT pg_tensor* pg_optim_clip_grad_norm_tensor(pg_tensor* const* params, int64_t count, double max_norm) {
  return pg::checked_tensor([&] {
    auto total = clip_grad_norm(params, count, max_norm);
    return total.defined() ? total : at::zeros({}, at::TensorOptions().dtype(at::kFloat));
  });
}
