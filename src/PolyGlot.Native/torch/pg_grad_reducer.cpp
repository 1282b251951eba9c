// Gradient averaging overlapped with backward. A hook after each parameter's gradient
// accumulation counts the parameter in; as soon as every parameter of a bucket has its gradient,
// the bucket is packed and its all-reduce started, while backward goes on with earlier layers.
// Buckets start strictly in bucket order on every rank (a ready bucket waits for the ones before
// it), because the ranks' collectives must be issued in the same order. Paired with
// src/PolyGlot.Torch/Distributed/GradientReducer.cs.
//
// A parameter whose gradient accumulates more than once in a backward (a weight used twice, with
// backward run in several calls as activation checkpointing does) is expected that many times
// from the next step on; in the step where a count differs from the one expected, every bucket
// holding such a parameter is reduced again after backward. Counts come from the graph, so every
// rank takes the same decisions whatever the timing.
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <memory>
#include <mutex>

#include "pg_distributed.h"

namespace {

struct Bucket {
  std::vector<int64_t> members;  // parameter indices
  pg::dist::BucketReduce reduce;
};

// Lives as long as a hook may fire: the hooks hold it, so freeing the reducer only disarms it.
struct ReducerState {
  c10::intrusive_ptr<pg::dist::GroupBase> group;  // shared: the reducer may outlive the ProcessGroup handle
  double scale = 1.0;
  std::vector<at::Tensor> params;
  std::vector<Bucket> buckets;
  std::vector<int64_t> expected;  // accumulations per parameter per backward (the last step's counts)
  std::vector<int64_t> arrived;   // accumulations in the armed backward
  size_t next = 0;                // the next bucket to start
  bool armed = false;
  int64_t started_in_backward = 0;
  int64_t reduced_again = 0;
  std::mutex mutex;
};

std::vector<at::Tensor> grads_of(ReducerState& state, const Bucket& bucket) {
  std::vector<at::Tensor> grads;
  for (auto index : bucket.members) grads.push_back(pg::dist::grad_or_zeros(state.params[index]));
  return grads;
}

void start(ReducerState& state, Bucket& bucket) { bucket.reduce = pg::dist::start_all_reduce(*state.group, grads_of(state, bucket)); }

// Drops what an interrupted step left (a failed collective, a backward that threw after arming).
void reset(ReducerState& state) {
  for (auto& bucket : state.buckets) bucket.reduce = pg::dist::BucketReduce();
  std::fill(state.arrived.begin(), state.arrived.end(), 0);
  state.next = 0;
  state.started_in_backward = 0;
  state.reduced_again = 0;
  state.armed = false;
}

bool ready(const ReducerState& state, const Bucket& bucket) {
  for (auto index : bucket.members)
    if (state.arrived[index] < state.expected[index]) return false;
  return true;
}

// Called under the mutex after a parameter's gradient was accumulated.
void on_accumulated(ReducerState& state, int64_t index) {
  if (!state.armed) return;
  ++state.arrived[index];
  while (state.next < state.buckets.size() && ready(state, state.buckets[state.next])) {
    start(state, state.buckets[state.next]);
    ++state.next;
    ++state.started_in_backward;
  }
}

bool counts_differ(const ReducerState& state, const Bucket& bucket) {
  for (auto index : bucket.members)
    if (state.arrived[index] != state.expected[index]) return true;
  return false;
}

void finish(ReducerState& state) {
  for (; state.next < state.buckets.size(); ++state.next) start(state, state.buckets[state.next]);
  for (auto& bucket : state.buckets) pg::dist::wait_naming_lost_peer(bucket.reduce.group, bucket.reduce.work);
  for (auto& bucket : state.buckets) {
    if (!counts_differ(state, bucket)) continue;
    start(state, bucket);  // waited for by finish_all_reduce below
    ++state.reduced_again;
  }
  for (auto& bucket : state.buckets) {
    auto grads = grads_of(state, bucket);
    pg::dist::finish_all_reduce(bucket.reduce, state.scale, grads);
  }
  // A parameter without a gradient this step (0) is not waited for next step; if it gets one
  // then, its bucket is reduced again. Counts come from the graph, the same on every rank.
  state.expected = state.arrived;
}

}  // namespace

struct pg_grad_reducer {
  std::shared_ptr<ReducerState> state;
  // The accumulators must outlive every backward: a parameter's accumulator is otherwise recreated
  // (without the hook) once no graph holds it.
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
};

namespace {

pg_grad_reducer* create(pg_dist* dist, pg_tensor* const* params, int64_t count, int64_t bucket_bytes, double scale) {
  pg::dist::group_of(dist);
  auto state = std::make_shared<ReducerState>();
  state->group = dist->group;
  state->scale = scale;
  state->params = pg::list(params, count);
  for (int64_t i = 0; i < count; ++i)
    if (!state->params[i].is_leaf() || !state->params[i].requires_grad())
      throw std::invalid_argument("parameter " + std::to_string(i) + " is not a leaf that requires grad");
  for (auto& members : pg::dist::buckets_of(state->params, bucket_bytes)) {
    state->buckets.emplace_back();
    state->buckets.back().members = std::move(members);
  }
  state->expected.assign(static_cast<size_t>(count), 1);
  state->arrived.assign(static_cast<size_t>(count), 0);
  auto reducer = std::make_unique<pg_grad_reducer>();
  reducer->state = state;
  for (int64_t i = 0; i < count; ++i) {
    auto accumulator = torch::autograd::impl::grad_accumulator(state->params[i]);
    std::weak_ptr<ReducerState> weak = state;
    accumulator->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
        [weak, i](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
          if (auto live = weak.lock()) {
            std::lock_guard<std::mutex> lock(live->mutex);
            on_accumulated(*live, i);
          }
          return outputs;
        }));
    reducer->accumulators.push_back(std::move(accumulator));
  }
  return reducer.release();
}

}  // namespace

// Creates a reducer over `count` parameters (leaf tensors that require grad), bucketed in the
// order given (pass the last layers first: their gradients are final first) into buckets of about
// `bucket_bytes`; the averaged gradient is the sum over ranks times `scale`.
PG_EXPORT pg_grad_reducer* pg_grad_reducer_create(pg_dist* dist, pg_tensor* const* params, int64_t count, int64_t bucket_bytes,
                                                  double scale) {
  return pg::checked_ptr<pg_grad_reducer>([&] { return create(dist, params, count, bucket_bytes, scale); });
}

PG_EXPORT void pg_grad_reducer_free(pg_grad_reducer* reducer) noexcept { delete reducer; }

// The next backward computes the final gradients of this step: start buckets as they complete.
// A step that was interrupted after arming (an exception in backward or in a collective) is dropped.
PG_EXPORT int pg_grad_reducer_arm(pg_grad_reducer* reducer) {
  return pg::checked([&] {
    if (reducer == nullptr) throw std::invalid_argument("null gradient reducer (disposed?)");
    auto& state = *reducer->state;
    std::lock_guard<std::mutex> lock(state.mutex);
    reset(state);
    state.armed = true;
  });
}

PG_EXPORT int64_t pg_grad_reducer_buckets(pg_grad_reducer* reducer) noexcept {
  return reducer == nullptr ? -1 : static_cast<int64_t>(reducer->state->buckets.size());
}

// After backward: starts the buckets not started yet (a parameter without a gradient counts as
// zeros), waits for all, reduces again where accumulation counts changed, and writes the averaged
// gradients. `started_in_backward` and `reduced_again` (either may be null) report what happened.
PG_EXPORT int pg_grad_reducer_finish(pg_grad_reducer* reducer, int64_t* started_in_backward, int64_t* reduced_again) {
  return pg::checked([&] {
    if (reducer == nullptr) throw std::invalid_argument("null gradient reducer (disposed?)");
    auto& state = *reducer->state;
    std::lock_guard<std::mutex> lock(state.mutex);
    if (!state.armed) throw std::logic_error("the gradient reducer was not armed before backward");
    state.armed = false;
    try {
      finish(state);
    } catch (...) {
      reset(state);
      throw;
    }
    if (started_in_backward != nullptr) *started_in_backward = state.started_in_backward;
    if (reduced_again != nullptr) *reduced_again = state.reduced_again;
  });
}
