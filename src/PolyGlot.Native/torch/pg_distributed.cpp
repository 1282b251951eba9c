// Collectives over libtorch's c10d: a TCPStore rendezvous, a Gloo (CPU) or NCCL (CUDA) process
// group, and the operations data-parallel training needs, on flat buffers. Paired with
// src/PolyGlot.Torch/Interop/Native.Distributed.cs.
//
// The rendezvous keys follow torch.distributed's default group, so a PolyGlot rank and a Python
// rank on the same libtorch can form one group; the tests use that to check the collectives
// against torch.distributed itself. 1.13: TCPStore -> prefix "default_pg" -> prefix "0" -> process
// group, then a store-based barrier and the group's sequence number. 2.x: prefix "default_pg" ->
// "0/" -> one backend per device type under "<device>/" ("cpu/" for Gloo, "cuda/" for NCCL), then
// the sequence number; no barrier (torch.distributed 2.x has one only with TORCH_DIST_INIT_BARRIER=1).
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#ifdef PG_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef PG_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <sstream>
#include <thread>

#include "pg_distributed.h"

using pg::dist::GroupBase;
using pg::dist::group_of;
using pg::dist::pack;
using pg::dist::unpack;

namespace {

constexpr int kOpSum = 0;
constexpr int kOpMax = 1;
constexpr int kOpMin = 2;

c10d::ReduceOp reduce_op(int op) {
  switch (op) {
    case kOpSum: return c10d::ReduceOp::SUM;
    case kOpMax: return c10d::ReduceOp::MAX;
    case kOpMin: return c10d::ReduceOp::MIN;
    default: throw std::invalid_argument("unknown reduce operation " + std::to_string(op));
  }
}

std::string seconds(std::chrono::milliseconds timeout) {
  std::ostringstream text;
  text << timeout.count() / 1000.0 << " s";
  return text.str();
}

}  // namespace

namespace {

// From 2.4 a TCPStore asks for the libuv server by default, and a libtorch built without libuv
// (Debian's 2.6) refuses that request, as server and as client, before opening any socket; the
// classic server is then taken instead, as USE_LIBUV=0 does for torch.distributed. Both speak the
// same protocol, so ranks may differ in which one they would have run.
c10::intrusive_ptr<c10d::TCPStore> make_tcp_store(const std::string& host, c10d::TCPStoreOptions options) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  if (options.useLibUV) {
    try {
      return c10::make_intrusive<c10d::TCPStore>(host, options);
    } catch (const c10::Error& e) {
      if (std::string(e.what_without_backtrace()).find("without libuv") == std::string::npos) throw;
    }
    options.useLibUV = false;
  }
#endif
  return c10::make_intrusive<c10d::TCPStore>(host, options);
}

// Rank 0 hosts the store; the others connect to it. Rank 0 waits for the others only after it has
// published itself (see host_rendezvous), so that a rank that never comes can be named.
c10::intrusive_ptr<c10d::TCPStore> connect_store(const std::string& host, int port, int rank, int world,
                                                 std::chrono::milliseconds timeout) {
  if (port <= 0 || port > 65535) throw std::invalid_argument("MASTER_PORT must be in 1..65535, got " + std::to_string(port));
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(port);
  options.isServer = rank == 0;
  options.numWorkers = static_cast<std::size_t>(world);
  options.waitWorkers = rank != 0;
  options.timeout = timeout;
  try {
    return make_tcp_store(host, options);
  } catch (const std::exception& e) {
    std::string reason = e.what();
    if (const auto* error = dynamic_cast<const c10::Error*>(&e)) reason = error->what_without_backtrace();
    if (rank == 0)
      throw std::runtime_error("rank 0 could not host the rendezvous on port " + std::to_string(port) +
                               " or not all " + std::to_string(world) + " ranks connected within " + seconds(timeout) +
                               " (if the port is in use, choose another MASTER_PORT): " + reason);
    throw std::runtime_error("rank " + std::to_string(rank) + " could not reach " + host + ":" + std::to_string(port) +
                             " within " + seconds(timeout) + " (is rank 0 running, are MASTER_ADDR/MASTER_PORT right?): " + reason);
  }
}

// Rank 0's wait for every rank to connect to its store (TCPStore::waitForWorkers, which counts
// connections, Python ranks too). It measures whole seconds and stops one second after the
// timeout, so it is given a second less; 1.13 then returns without an error, 2.x throws. On a
// timeout the store still runs, so the ranks that never published themselves are the ones that
// never came.
void wait_for_ranks(c10d::TCPStore& tcp, int port, int world, std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto shortened = std::max(timeout - std::chrono::milliseconds(1000), std::chrono::milliseconds(1));
  tcp.setTimeout(shortened);
  bool timed_out = false;
  try {
    tcp.waitForWorkers();
    timed_out = std::chrono::steady_clock::now() - start >= shortened;
  } catch (const std::exception&) {
    timed_out = true;
  }
  tcp.setTimeout(timeout);
  if (!timed_out) return;
  auto missing = pg::dist::missing_peers(tcp, world);
  if (missing.empty()) return;  // all came, just at the limit
  throw std::runtime_error("rank 0 hosts the rendezvous on port " + std::to_string(port) + ", but " +
                           pg::dist::rank_list(missing) + " did not join within " + seconds(timeout) + " (" +
                           std::to_string(world - static_cast<int>(missing.size())) + " of " + std::to_string(world) +
                           " ranks came): start the same command on every node, and check that each reaches this host on "
                           "port " + std::to_string(port) + " (MASTER_ADDR, MASTER_PORT, a firewall)");
}

// How this rank's collectives reach the others: the interfaces named by GLOO_SOCKET_IFNAME, else
// the address chosen by the caller (the one that reaches MASTER_ADDR), else libtorch's default
// (this host's name, falling back to loopback). `label` names this rank in messages.
struct GlooBinding {
  std::vector<std::string> interfaces;
  std::string address;
  std::string label;
};

#ifdef PG_WITH_GLOO
// A failure to connect the full mesh is nearly always an address the other ranks cannot reach
// (a loopback address, or an interface of another network), so the message says which one this
// rank offered.
c10::intrusive_ptr<GroupBase> create_gloo(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world,
                                          std::chrono::milliseconds timeout, const GlooBinding& binding) {
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  for (const auto& name : binding.interfaces) options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
  if (options->devices.empty())
    options->devices.push_back(binding.address.empty() ? c10d::ProcessGroupGloo::createDefaultDevice()
                                                       : c10d::ProcessGroupGloo::createDeviceForHostname(binding.address));
  options->threads = static_cast<int>(options->devices.size()) * 2;
  try {
    return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world, options);
  } catch (const std::exception& e) {
    std::string reason = e.what();
    if (const auto* error = dynamic_cast<const c10::Error*>(&e)) reason = error->what_without_backtrace();
    throw std::runtime_error("rank " + std::to_string(rank) + " joined the rendezvous, but its Gloo connections to the other " +
                             std::to_string(world - 1) + " rank(s) failed within " + seconds(timeout) + " (this rank offered " +
                             (binding.label.empty() ? std::string("libtorch's default address") : binding.label) +
                             "; every node must reach the others there: set GLOO_SOCKET_IFNAME on each node to an interface "
                             "they reach each other on): " + reason);
  }
}
#endif

#ifdef PG_WITH_NCCL
c10::intrusive_ptr<GroupBase> create_nccl(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world,
                                          std::chrono::milliseconds timeout) {
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world, options);
}
#endif

c10::intrusive_ptr<GroupBase> create_group(const std::string& backend, const c10::intrusive_ptr<c10d::Store>& store,
                                           int rank, int world, std::chrono::milliseconds timeout, const GlooBinding& binding) {
  if (backend == "gloo") {
#ifdef PG_WITH_GLOO
    return create_gloo(store, rank, world, timeout, binding);
#else
    throw std::runtime_error(std::string("this libpolyglot_torch was built without Gloo (libtorch ") + TORCH_VERSION +
                             "); use backend nccl on GPUs or rebuild against a libtorch with Gloo");
#endif
  }
  if (backend == "nccl") {
#ifdef PG_WITH_NCCL
    return create_nccl(store, rank, world, timeout);
#else
    throw std::runtime_error(std::string("backend nccl needs libpolyglot_torch built against a CUDA libtorch with NCCL "
                                         "(this one is libtorch ") + TORCH_VERSION +
                             ", without NCCL: a CPU libtorch, or no nccl.h was found when it was built). On GPUs, "
                             "install NCCL's headers (pip's nvidia-nccl, or set NCCL_INCLUDE_DIR), delete "
                             "artifacts/native-build and run scripts/setup.sh again; on CPUs use backend gloo");
#endif
  }
  throw std::invalid_argument("unknown distributed backend '" + backend + "' (expected gloo or nccl)");
}

#if TORCH_VERSION_MAJOR < 2
// torch.distributed's store-based barrier after creating the default group: every rank adds 1 to
// a counter and waits until all have.
void store_barrier(c10d::Store& store, int world, std::chrono::milliseconds timeout) {
  const std::string key = "store_based_barrier_key:1";
  store.add(key, 1);
  auto start = std::chrono::steady_clock::now();
  while (store.add(key, 0) < world) {
    if (std::chrono::steady_clock::now() - start > timeout)
      throw std::runtime_error("timed out after " + seconds(timeout) + " waiting for all " + std::to_string(world) +
                               " ranks to create the process group");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}
#endif

void finish(const pg_dist& dist, const pg::dist::WorkPtr& work) { pg::dist::wait_naming_lost_peer(dist.group.get(), work); }

at::Tensor flat_dense(const at::Tensor& tensor, const char* what) {
  if (!tensor.is_contiguous()) throw std::invalid_argument(std::string(what) + " must be a contiguous tensor");
  return tensor.view({-1});
}

}  // namespace

at::Tensor pg::dist::pack(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> flat;
  flat.reserve(tensors.size());
  for (const auto& t : tensors) flat.push_back(t.reshape({-1}));
  return at::cat(flat);
}

std::vector<std::vector<int64_t>> pg::dist::buckets_of(const std::vector<at::Tensor>& tensors, int64_t bucket_bytes) {
  if (bucket_bytes <= 0) throw std::invalid_argument("the gradient bucket size must be positive");
  std::vector<std::vector<int64_t>> buckets;
  int64_t bytes = bucket_bytes;
  for (int64_t i = 0; i < static_cast<int64_t>(tensors.size()); ++i) {
    const auto& t = tensors[i];
    const auto* previous = buckets.empty() ? nullptr : &tensors[buckets.back().front()];
    bool same_kind = previous != nullptr && previous->scalar_type() == t.scalar_type() && previous->device() == t.device();
    if (!same_kind || bytes >= bucket_bytes) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().push_back(i);
    bytes += t.numel() * static_cast<int64_t>(t.element_size());
  }
  return buckets;
}

void pg::dist::unpack(const at::Tensor& buffer, std::vector<at::Tensor>& tensors) {
  int64_t offset = 0;
  for (auto& t : tensors) {
    t.copy_(buffer.narrow(0, offset, t.numel()).view_as(t));
    offset += t.numel();
  }
}

at::Tensor& pg::dist::grad_or_zeros(at::Tensor& param) {
  auto& grad = param.mutable_grad();
  if (!grad.defined()) grad = at::zeros_like(param);
  return grad;
}

pg::dist::BucketReduce pg::dist::start_all_reduce(GroupBase& group, const std::vector<at::Tensor>& grads) {
  c10::AutoGradMode no_grad(false);
  BucketReduce reduce;
  reduce.buffer = {pack(grads)};
  reduce.work = group.allreduce(reduce.buffer);
  reduce.group = &group;
  return reduce;
}

void pg::dist::finish_all_reduce(BucketReduce& reduce, double scale, std::vector<at::Tensor>& grads) {
  c10::AutoGradMode no_grad(false);
  wait_naming_lost_peer(reduce.group, reduce.work);
  auto& buffer = reduce.buffer[0];
  if (scale != 1.0) buffer.mul_(scale);
  unpack(buffer, grads);
  reduce = BucketReduce();
}

// The comma-separated interface list of GLOO_SOCKET_IFNAME, as torch.distributed reads it.
static std::vector<std::string> interface_list(const char* text) {
  std::vector<std::string> names;
  std::stringstream list(text == nullptr ? "" : text);
  std::string name;
  while (std::getline(list, name, ','))
    if (!name.empty()) names.push_back(name);
  return names;
}

// Joins the group: rank 0 hosts the TCPStore on `port`, the others connect to host:port; every
// step is bounded by `timeout_ms`. Gloo binds `gloo_interfaces` (comma-separated; GLOO_SOCKET_IFNAME)
// when given, else `gloo_address` when given, else libtorch's default device. `label` names this
// rank in the other ranks' messages (e.g. "node-2 (198.51.100.2 on eth0)"). Returns null with a
// message naming the rank and the address when the rendezvous fails.
PG_EXPORT pg_dist* pg_dist_init(const char* backend, const char* host, int port, int rank, int world, int64_t timeout_ms,
                                const char* gloo_interfaces, const char* gloo_address, const char* label) {
  return pg::checked_ptr<pg_dist>([&] {
    if (world < 1) throw std::invalid_argument("WORLD_SIZE must be >= 1, got " + std::to_string(world));
    if (rank < 0 || rank >= world)
      throw std::invalid_argument("RANK must be in 0.." + std::to_string(world - 1) + ", got " + std::to_string(rank));
    if (timeout_ms <= 0) throw std::invalid_argument("the rendezvous timeout must be positive");
    std::chrono::milliseconds timeout(timeout_ms);
    const GlooBinding binding{interface_list(gloo_interfaces), gloo_address == nullptr ? "" : gloo_address,
                              label == nullptr ? "" : label};
    auto tcp = connect_store(host == nullptr ? "" : host, port, rank, world, timeout);
    pg::dist::publish_peer(*tcp, rank, binding.address, binding.label);
    if (rank == 0) wait_for_ranks(*tcp, port, world, timeout);
    auto dist = std::make_unique<pg_dist>();
    dist->store = c10::make_intrusive<c10d::PrefixStore>("default_pg", tcp);
    const std::string backend_name = backend == nullptr ? "" : backend;
#if TORCH_VERSION_MAJOR >= 2
    auto group_store = c10::make_intrusive<c10d::PrefixStore>(
        backend_name == "nccl" ? "cuda/" : "cpu/", c10::make_intrusive<c10d::PrefixStore>("0/", dist->store));
    dist->group = create_group(backend_name, group_store, rank, world, timeout, binding);
#else
    auto group_store = c10::make_intrusive<c10d::PrefixStore>("0", dist->store);
    dist->group = create_group(backend_name, group_store, rank, world, timeout, binding);
    store_barrier(*dist->store, world, timeout);
#endif
    dist->group->setSequenceNumberForGroup();
    if (backend_name == "gloo") pg::dist::register_peers(dist->group.get(), pg::dist::read_peers(*tcp, rank, world, timeout));
    dist->backend = backend_name;
    dist->rank = rank;
    dist->world = world;
    dist->timeout = timeout;
    return dist.release();
  });
}

PG_EXPORT void pg_dist_free(pg_dist* dist) noexcept {
  try {
    if (dist != nullptr) pg::dist::forget_peers(dist->group.get());
    delete dist;
  } catch (...) {
  }
}

PG_EXPORT int pg_dist_rank(pg_dist* dist) noexcept { return dist == nullptr ? -1 : dist->rank; }

PG_EXPORT int pg_dist_world_size(pg_dist* dist) noexcept { return dist == nullptr ? -1 : dist->world; }

// Reduces each tensor in place over all ranks (op: 0 sum, 1 max, 2 min), then multiplies by
// `scale` (1/world for a mean). The tensors are flattened into one buffer per call, so that a
// list of small tensors costs one collective.
PG_EXPORT int pg_dist_all_reduce(pg_dist* dist, pg_tensor* const* tensors, int64_t count, int op, double scale) {
  return pg::checked([&] {
    auto& group = group_of(dist);
    if (count <= 0) return;
    auto list = pg::list(tensors, count);
    c10::AutoGradMode no_grad(false);
    // A single contiguous tensor is reduced in place; anything else through a packed copy.
    bool in_place = count == 1 && list[0].is_contiguous();
    std::vector<at::Tensor> buffer{in_place ? list[0].view({-1}) : pack(list)};
    c10d::AllreduceOptions options;
    options.reduceOp = reduce_op(op);
    finish(group, group.group->allreduce(buffer, options));
    if (scale != 1.0) buffer[0].mul_(scale);
    if (!in_place) unpack(buffer[0], list);
  });
}

// Averages the gradients of `count` parameters over all ranks: gradients are packed into buckets
// of about `bucket_bytes` (in the order given), every bucket's all-reduce is started before the
// first is awaited, so transfers of later buckets overlap the reduction of earlier ones. A
// parameter without a gradient contributes zeros, so that every rank reduces the same layout.
PG_EXPORT int pg_dist_all_reduce_grads(pg_dist* dist, pg_tensor* const* params, int64_t count, int64_t bucket_bytes,
                                       double scale) {
  return pg::checked([&] {
    auto& group = group_of(dist);
    std::vector<at::Tensor> grads;
    for (int64_t i = 0; i < count; ++i) {
      auto param = pg::ref(params[i]);
      grads.push_back(pg::dist::grad_or_zeros(param));
    }
    std::vector<std::vector<at::Tensor>> bucket_grads;
    std::vector<pg::dist::BucketReduce> reduces;
    for (const auto& members : pg::dist::buckets_of(grads, bucket_bytes)) {
      bucket_grads.emplace_back();
      for (auto i : members) bucket_grads.back().push_back(grads[i]);
      reduces.push_back(pg::dist::start_all_reduce(*group.group, bucket_grads.back()));
    }
    for (size_t b = 0; b < reduces.size(); ++b) pg::dist::finish_all_reduce(reduces[b], scale, bucket_grads[b]);
  });
}

// Copies root's tensors to every rank, in place.
PG_EXPORT int pg_dist_broadcast(pg_dist* dist, pg_tensor* const* tensors, int64_t count, int root) {
  return pg::checked([&] {
    auto& group = group_of(dist);
    if (root < 0 || root >= group.world) throw std::invalid_argument("broadcast root out of range: " + std::to_string(root));
    c10::AutoGradMode no_grad(false);
    c10d::BroadcastOptions options;
    options.rootRank = root;
    for (int64_t i = 0; i < count; ++i) {
      std::vector<at::Tensor> one{pg::ref(tensors[i])};
      if (!one[0].is_contiguous()) throw std::invalid_argument("broadcast needs contiguous tensors");
      finish(group, group.group->broadcast(one, options));
    }
  });
}

// Gathers every rank's `input` (n elements) into `output` (world x n elements, rank order).
PG_EXPORT int pg_dist_all_gather(pg_dist* dist, pg_tensor* output, pg_tensor* input) {
  return pg::checked([&] {
    auto& group = group_of(dist);
    c10::AutoGradMode no_grad(false);
    auto in = flat_dense(pg::ref(input), "all-gather input");
    auto out = flat_dense(pg::ref(output), "all-gather output");
    auto n = in.numel();
    if (out.numel() != n * group.world)
      throw std::invalid_argument("all-gather output holds " + std::to_string(out.numel()) + " elements; world size x input = " +
                                  std::to_string(n * group.world) + " expected");
    std::vector<at::Tensor> inputs{in};
    std::vector<std::vector<at::Tensor>> outputs(1);
    for (int r = 0; r < group.world; ++r) outputs[0].push_back(out.narrow(0, r * n, n));
    finish(group, group.group->allgather(outputs, inputs));
  });
}

// Reduces `input` (world x n elements) over all ranks and leaves rank r's part r of the sum in
// `output` (n elements), scaled by `scale`. NCCL runs a true reduce-scatter; Gloo has none in
// libtorch, so there it is an all-reduce of the whole buffer followed by taking this rank's part
// (twice the traffic, the same result).
PG_EXPORT int pg_dist_reduce_scatter(pg_dist* dist, pg_tensor* output, pg_tensor* input, double scale) {
  return pg::checked([&] {
    auto& group = group_of(dist);
    c10::AutoGradMode no_grad(false);
    auto in = flat_dense(pg::ref(input), "reduce-scatter input");
    auto out = flat_dense(pg::ref(output), "reduce-scatter output");
    auto n = out.numel();
    if (in.numel() != n * group.world)
      throw std::invalid_argument("reduce-scatter input holds " + std::to_string(in.numel()) + " elements; world size x output = " +
                                  std::to_string(n * group.world) + " expected");
    if (group.backend == "nccl") {
      auto result = out;
      finish(group, group.group->_reduce_scatter_base(result, in));
    } else {
      std::vector<at::Tensor> buffer{in.clone()};
      finish(group, group.group->allreduce(buffer));
      out.copy_(buffer[0].narrow(0, group.rank * n, n));
    }
    if (scale != 1.0) out.mul_(scale);
  });
}

// Returns when every rank has called it (or fails after the group's timeout).
PG_EXPORT int pg_dist_barrier(pg_dist* dist) {
  return pg::checked([&] {
    auto& group = group_of(dist);
    finish(group, group.group->barrier());
  });
}
