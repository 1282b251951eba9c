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
#include <memory>
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

// One bucket's all-reduce in flight: the flat buffer it runs on, its work, and the group it runs
// in (to name a lost rank if the work fails).
struct BucketReduce {
  std::vector<at::Tensor> buffer;
  WorkPtr work;
  const GroupBase* group = nullptr;
};

// The gradient of `param`, made zeros where it has none: every rank then reduces the same layout.
at::Tensor& grad_or_zeros(at::Tensor& param);

// Packs `grads` and starts their sum over the group.
BucketReduce start_all_reduce(GroupBase& group, const std::vector<at::Tensor>& grads);

// Waits for `reduce`, scales the sum by `scale`, writes it back into `grads` and releases the buffer.
void finish_all_reduce(BucketReduce& reduce, double scale, std::vector<at::Tensor>& grads);

// Who the members of a group are, as each published itself at the rendezvous (pg_dist_peers.cpp):
// the address its collectives use and a label for messages ("node-2 (198.51.100.2 on eth0)"). A
// member that published nothing (a Python rank) has empty fields.
struct Peer {
  std::string address;
  std::string label;
};

struct Peers {
  int rank = 0;
  std::chrono::milliseconds timeout{0};
  std::vector<Peer> members;
};

// Publishes this rank's address and label in `store` (before the group forms, so that every rank
// has published once the group exists), and reads every member's back afterwards.
void publish_peer(c10d::Store& store, int rank, const std::string& address, const std::string& label);
std::shared_ptr<const Peers> read_peers(c10d::Store& store, int rank, int world, std::chrono::milliseconds timeout);

// The ranks among 1..world-1 that have not published themselves: who never joined a rendezvous.
std::vector<int> missing_peers(c10d::Store& store, int world);

// The groups whose failures can name the lost rank: registered when a group forms, removed when
// its handle is freed.
void register_peers(const GroupBase* group, std::shared_ptr<const Peers> peers);
void forget_peers(const GroupBase* group);

// Waits for `work`; a failure is rethrown naming the rank (and its node) that was lost, when the
// backend's message or the group's size tells which, and what to do.
void wait_naming_lost_peer(const GroupBase* group, const WorkPtr& work);

// "ranks 1, 2 and 3" (at most 8 listed, then "and N more").
std::string rank_list(const std::vector<int>& ranks);

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
