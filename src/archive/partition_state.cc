#include "archive/partition_state.h"

#include <charconv>
#include <cstdio>

#include "archive/archive_error.h"

namespace floe::archive {

namespace {

constexpr std::string_view kMagic = "floe-partition-state 1";
constexpr std::string_view kSuffix = ".state";

bool ParseInt(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The epoch a state key names, or nullopt for anything else under the prefix.
std::optional<uint64_t> EpochOf(std::string_view key, std::string_view prefix) {
  if (key.size() != prefix.size() + 20 + kSuffix.size() || key.substr(0, prefix.size()) != prefix ||
      key.substr(key.size() - kSuffix.size()) != kSuffix)
    return std::nullopt;
  uint64_t epoch = 0;
  const std::string_view digits = key.substr(prefix.size(), 20);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), epoch);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return epoch;
}

}  // namespace

std::string EncodePartitionState(const PartitionState& state) {
  std::string out(kMagic);
  out += "\nepoch\t" + std::to_string(state.epoch) + "\ncomplete\t" + (state.complete ? "1" : "0") + "\n";
  for (const auto& f : state.files)
    out += "file\t" + std::to_string(f.first) + "\t" + std::to_string(f.last) + "\t" + f.path + "\t" + f.key + "\n";
  return out;
}

Result<PartitionState> DecodePartitionState(std::string_view text) {
  PartitionState state;
  bool magic = false, epoch = false, complete = false;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return Error(ArchiveError::kState, "state object does not end in a newline");
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line_no;
    if (!magic) {
      if (line != kMagic) return Error(ArchiveError::kState, "not a floe partition state object");
      magic = true;
      continue;
    }
    std::vector<std::string_view> cols;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      cols.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    int64_t n = 0;
    if (cols[0] == "epoch" && cols.size() == 2 && ParseInt(cols[1], n) && n >= 0) {
      state.epoch = static_cast<uint64_t>(n);
      epoch = true;
    } else if (cols[0] == "complete" && cols.size() == 2 && (cols[1] == "0" || cols[1] == "1")) {
      state.complete = cols[1] == "1";
      complete = true;
    } else if (cols[0] == "file" && cols.size() == 5) {
      StateFile f;
      if (!ParseInt(cols[1], f.first) || !ParseInt(cols[2], f.last) || f.last < f.first || cols[4].empty())
        return Error(ArchiveError::kState, "bad file line " + std::to_string(line_no) + " in state object");
      f.path = std::string(cols[3]);
      f.key = std::string(cols[4]);
      state.files.push_back(std::move(f));
    } else {
      return Error(ArchiveError::kState, "bad line " + std::to_string(line_no) + " in state object");
    }
  }
  if (!magic || !epoch || !complete) return Error(ArchiveError::kState, "state object is incomplete");
  return state;
}

std::string PartitionStatePrefix(std::string_view topic, int32_t partition) {
  return "_floe/state/" + std::string(topic) + "/" + std::to_string(partition) + "/";
}

std::string PartitionStateKey(std::string_view topic, int32_t partition, uint64_t epoch) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(epoch));
  return PartitionStatePrefix(topic, partition) + digits + std::string(kSuffix);
}

namespace {

Result<std::vector<std::pair<uint64_t, std::string>>> ListEpochs(storage::ObjectStore& store, std::string_view topic,
                                                                 int32_t partition) {
  const std::string prefix = PartitionStatePrefix(topic, partition);
  FLOE_ASSIGN_OR_RETURN(auto objects, storage::ListAll(store, prefix));
  std::vector<std::pair<uint64_t, std::string>> out;  // ascending: keys are zero-padded
  for (const auto& o : objects)
    if (auto e = EpochOf(o.key, prefix)) out.emplace_back(*e, o.key);
  return out;
}

}  // namespace

Result<Claim> ClaimPartition(storage::ObjectStore& store, std::string_view topic, int32_t partition) {
  FLOE_ASSIGN_OR_RETURN(auto epochs, ListEpochs(store, topic, partition));
  Claim claim;
  claim.epoch = epochs.empty() ? 1 : epochs.back().first + 1;
  PartitionState marker;
  marker.epoch = claim.epoch;
  // Written before reading the previous state: a zombie that does not see it has listed its files already.
  FLOE_RETURN_IF_ERROR(store.Put(PartitionStateKey(topic, partition, claim.epoch), EncodePartitionState(marker)));
  for (auto it = epochs.rbegin(); it != epochs.rend(); ++it) {
    auto body = store.Get(it->second);
    if (!body.ok()) {
      if (body.status().Is(storage::StoreError::kNotFound)) continue;  // deleted by a later cleanup
      return body.status();
    }
    auto state = DecodePartitionState(*body);
    if (!state.ok()) return state.status().WithContext(it->second);
    if (!state->complete) {
      claim.stale_keys.push_back(it->second);  // a claim whose owner never published: nothing listed in it
      continue;
    }
    claim.previous = std::move(state).value();
    claim.stale_keys.push_back(it->second);  // the new owner's state carries what it lists
    for (auto older = it + 1; older != epochs.rend(); ++older) claim.stale_keys.push_back(older->second);
    break;
  }
  return claim;
}

Status CheckFence(storage::ObjectStore& store, std::string_view topic, int32_t partition, uint64_t epoch) {
  FLOE_ASSIGN_OR_RETURN(auto epochs, ListEpochs(store, topic, partition));
  if (!epochs.empty() && epochs.back().first > epoch)
    return Error(ArchiveError::kFenced, std::string(topic) + "[" + std::to_string(partition) + "] was claimed by epoch " +
                                            std::to_string(epochs.back().first) + " (this owner has epoch " +
                                            std::to_string(epoch) + ")");
  return Status::Ok();
}

}  // namespace floe::archive
