// Who the members of a process group are, so that a failure names the rank and node that was lost
// instead of "Connection closed by peer" or "Timed out waiting": every rank publishes the address
// its collectives use and a label ("node-2 (198.51.100.2 on eth0)") in the rendezvous store before
// the group forms; a Gloo group reads them all back once it exists. Gloo's full-mesh connection
// already reads one key per member from the same store, so this doubles a cost Gloo pays anyway;
// NCCL groups skip the read (its failures keep NCCL's own message).
#include <map>
#include <mutex>
#include <regex>
#include <sstream>

#include "pg_distributed.h"

namespace {

const std::string kPeerPrefix = "polyglot/peer/";

std::string key_of(int rank) { return kPeerPrefix + std::to_string(rank); }

std::mutex registry_mutex;
std::map<const pg::dist::GroupBase*, std::shared_ptr<const pg::dist::Peers>>& registry() {
  static std::map<const pg::dist::GroupBase*, std::shared_ptr<const pg::dist::Peers>> groups;
  return groups;
}

std::shared_ptr<const pg::dist::Peers> peers_of(const pg::dist::GroupBase* group) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto found = registry().find(group);
  return found == registry().end() ? nullptr : found->second;
}

std::string seconds_text(std::chrono::milliseconds timeout) {
  std::ostringstream text;
  text << timeout.count() / 1000.0 << " s";
  return text.str();
}

// Gloo's messages start with its source position ("[../gloo/transport/tcp/pair.cc:598] "), which
// tells a user nothing.
std::string without_source_position(const std::string& reason) {
  static const std::regex position(R"(^\[[^\]]*\.(cc|cpp|h):[0-9]+\] )");
  return std::regex_replace(reason, position, "");
}

// The peer address in Gloo's transport errors: "Connection closed by peer [198.51.100.2]:43700".
std::string address_in(const std::string& reason) {
  static const std::regex peer(R"(\[([0-9A-Fa-f:.]+)\]:[0-9]+)");
  std::smatch match;
  return std::regex_search(reason, match, peer) ? match[1].str() : "";
}

// The members that `reason` points at: those at the address it names, or the other member of a
// group of two; empty when it cannot tell.
std::vector<int> lost_members(const pg::dist::Peers& peers, const std::string& reason) {
  std::vector<int> ranks;
  const auto address = address_in(reason);
  const int world = static_cast<int>(peers.members.size());
  for (int r = 0; r < world && !address.empty(); ++r)
    if (r != peers.rank && peers.members[r].address == address) ranks.push_back(r);
  if (ranks.empty() && world == 2) ranks.push_back(1 - peers.rank);
  return ranks;
}

std::string explain(const pg::dist::Peers* peers, const std::string& raw) {
  const auto reason = without_source_position(raw);
  if (peers == nullptr) return reason;
  const auto ranks = lost_members(*peers, reason);
  if (ranks.empty()) return reason;
  const auto& label = peers->members[ranks.front()].label;
  const auto who = pg::dist::rank_list(ranks) + (label.empty() ? "" : " on " + label);
  const bool timed_out = reason.find("Timed out") != std::string::npos || reason.find("timed out") != std::string::npos;
  const auto what = timed_out ? "no answer from " + who + " within " + seconds_text(peers->timeout) +
                                    " (stopped, hung, or the network to it is cut)"
                              : "lost " + who;
  return what + ": " + reason +
         ". When every node's command has ended and that node is reachable again, run the same command on every "
         "node: the run resumes from its newest complete checkpoint";
}

}  // namespace

void pg::dist::publish_peer(c10d::Store& store, int rank, const std::string& address, const std::string& label) {
  const auto value = address + "\n" + label;
  store.set(key_of(rank), std::vector<uint8_t>(value.begin(), value.end()));
}

std::shared_ptr<const pg::dist::Peers> pg::dist::read_peers(c10d::Store& store, int rank, int world,
                                                           std::chrono::milliseconds timeout) {
  auto peers = std::make_shared<Peers>();
  peers->rank = rank;
  peers->timeout = timeout;
  peers->members.resize(static_cast<size_t>(world));
  for (int r = 0; r < world; ++r) {
    if (!store.check({key_of(r)})) continue;  // a member that does not publish (a Python rank)
    const auto bytes = store.get(key_of(r));
    const std::string value(bytes.begin(), bytes.end());
    const auto newline = value.find('\n');
    peers->members[r].address = value.substr(0, newline);
    if (newline != std::string::npos) peers->members[r].label = value.substr(newline + 1);
  }
  return peers;
}

std::vector<int> pg::dist::missing_peers(c10d::Store& store, int world) {
  std::vector<int> missing;
  for (int r = 1; r < world; ++r)
    if (!store.check({key_of(r)})) missing.push_back(r);
  return missing;
}

void pg::dist::register_peers(const GroupBase* group, std::shared_ptr<const Peers> peers) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry()[group] = std::move(peers);
}

void pg::dist::forget_peers(const GroupBase* group) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry().erase(group);
}

void pg::dist::wait_naming_lost_peer(const GroupBase* group, const WorkPtr& work) {
  try {
    work->wait();
  } catch (const c10::Error& e) {
    throw std::runtime_error(explain(peers_of(group).get(), e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw std::runtime_error(explain(peers_of(group).get(), e.what()));
  }
}

std::string pg::dist::rank_list(const std::vector<int>& ranks) {
  constexpr size_t kListed = 8;
  std::string text = ranks.size() == 1 ? "rank " : "ranks ";
  const auto shown = std::min(ranks.size(), kListed);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) text += (i + 1 == shown && ranks.size() <= kListed) ? " and " : ", ";
    text += std::to_string(ranks[i]);
  }
  if (ranks.size() > kListed) text += " and " + std::to_string(ranks.size() - kListed) + " more";
  return text;
}
