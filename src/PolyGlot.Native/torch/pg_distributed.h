// What the collectives' translation units share: a process's membership of a c10d group and the
// flat-buffer packing every collective runs on.
#pragma once

#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "pg_torch.h"

namespace pg::dist {

// The process-group interface the collectives run on: c10d::ProcessGroup in libtorch 1.13, split
// into ProcessGroup (dispatcher front) and Backend (the implementation) in 2.x.
#if TORCH_VERSION_MAJOR >= 2
using GroupBase = c10d::Backend;
#else
using GroupBase = c10d::ProcessGroup;
#endif

// One flat buffer holding the tensors' elements in order, and the way back. The collectives run
// on such buffers, so a list of small tensors costs one call.
at::Tensor pack(const std::vector<at::Tensor>& tensors);
void unpack(const at::Tensor& buffer, std::vector<at::Tensor>& tensors);

// Gradient buckets: indices of consecutive tensors of one dtype and device, a new bucket started
// once the current one holds `bucket_bytes` or more.
std::vector<std::vector<int64_t>> buckets_of(const std::vector<at::Tensor>& tensors, int64_t bucket_bytes);

using WorkPtr = decltype(std::declval<GroupBase&>().allreduce(std::declval<std::vector<at::Tensor>&>()));

// One bucket's all-reduce in flight: the flat buffer it runs on, and its work.
struct BucketReduce {
  std::vector<at::Tensor> buffer;
  WorkPtr work;
};

// The gradient of `param`, made zeros where it has none: every rank then reduces the same layout.
at::Tensor& grad_or_zeros(at::Tensor& param);

// Packs `grads` and starts their sum over the group.
BucketReduce start_all_reduce(GroupBase& group, const std::vector<at::Tensor>& grads);

// Waits for `reduce`, scales the sum by `scale`, writes it back into `grads` and releases the buffer.
void finish_all_reduce(BucketReduce& reduce, double scale, std::vector<at::Tensor>& grads);

}  // namespace pg::dist

// One process's membership of a group: the store, the group, and what it was created with.
struct pg_dist {
  c10::intrusive_ptr<c10d::Store> store;  // the "default_pg" view of the TCPStore
  c10::intrusive_ptr<pg::dist::GroupBase> group;
  std::string backend;
  int rank = 0;
  int world = 1;
  std::chrono::milliseconds timeout{0};
};

namespace pg::dist {

inline pg_dist& group_of(pg_dist* dist) {
  if (dist == nullptr) throw std::invalid_argument("null process group handle (disposed group?)");
  return *dist;
}

}  // namespace pg::dist
