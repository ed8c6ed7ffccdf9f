// The node's projections (see projections.hpp): active runners, online rebuilds and their swap.
#include "projections/projections.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace keel::projections {
namespace {
using Json = nlohmann::json;
constexpr std::string_view kMeta = "projections";
}  // namespace

std::string ModelName(std::string_view name, std::uint64_t generation) {
  return std::string(name) + "@" + std::to_string(generation);
}

Projections::Projections(eventstore::EventStore& store, std::vector<std::shared_ptr<const Projection>> projections,
                         RunnerOptions options)
    : store_(store), options_(options) {
  for (auto& p : projections) entries_[std::string(p->name())].projection = std::move(p);
}

Projections::~Projections() { Stop(); }

eventstore::Result<void> Projections::SaveMeta(const Entry& e, std::uint64_t generation) {
  eventstore::ReadModelBatch b;
  b.model = std::string(kMeta);
  b.puts.emplace_back(std::string(e.projection->name()),
                      Json{{"version", e.projection->version()}, {"generation", generation}}.dump());
  return store_.CommitReadModel(std::move(b));
}

eventstore::Result<void> Projections::Start() {
  std::lock_guard lock(mu_);
  for (auto& [name, e] : entries_) {
    auto meta = store_.ReadModelGet(kMeta, name);
    if (!meta) return std::unexpected(meta.error());
    std::uint32_t version = 0;
    if (*meta) {
      const Json j = Json::parse(**meta, nullptr, false);
      e.generation = j.value("generation", std::uint64_t{0});
      version = j.value("version", 0u);
    }
    if (e.generation == 0) {  // never built: the first generation is built in place
      e.generation = 1;
      if (auto saved = SaveMeta(e, 1); !saved) return std::unexpected(saved.error());
      version = e.projection->version();
    }
    e.active = std::make_unique<Runner>(store_, e.projection, ModelName(name, e.generation), options_);
    if (version == e.projection->version()) {
      e.active->Start();
    } else {
      // Built by another version of the code: it serves as it is (not folded further, its rows are the
      // old version's) while the new version is built beside it.
      e.rebuilding_generation = e.generation + 1;
      e.rebuilding = std::make_unique<Runner>(store_, e.projection, ModelName(name, e.rebuilding_generation), options_);
      e.rebuild_started = std::chrono::steady_clock::now();
      e.rebuilding->Start();
    }
  }
  stop_ = false;
  watcher_ = std::thread([this] { Watch(); });
  return {};
}

void Projections::Stop() {
  stop_ = true;
  if (watcher_.joinable()) watcher_.join();
  std::lock_guard lock(mu_);
  for (auto& [name, e] : entries_) {
    if (e.rebuilding) e.rebuilding->Stop();
    if (e.active) e.active->Stop();
  }
}

void Projections::Watch() {
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::vector<std::unique_ptr<Runner>> retired;
    {
      std::lock_guard lock(mu_);
      for (auto& [name, e] : entries_) {
        if (!e.rebuilding) continue;
        const std::uint64_t head = store_.HeadPosition();
        if (e.rebuilding->position() < head) continue;  // not caught up yet
        if (!SaveMeta(e, e.rebuilding_generation)) continue;  // tried again next time
        to_clear_.push_back(ModelName(name, e.generation));
        retired.push_back(std::move(e.active));
        e.active = std::move(e.rebuilding);
        e.generation = e.rebuilding_generation;
        e.rebuilding_generation = 0;
      }
    }
    retired.clear();  // stops and joins the old runners outside the lock
    // The old key spaces, a chunk at a time (queries no longer read them).
    std::string model;
    {
      std::lock_guard lock(mu_);
      if (!to_clear_.empty()) model = to_clear_.front();
    }
    if (model.empty()) continue;
    eventstore::ReadModelBatch b;
    b.model = model;
    (void)store_.ReadModelScan(model, "", [&](std::string_view key, std::string_view) {
      b.deletes.emplace_back(key);
      return b.deletes.size() < 4096;
    });
    if (b.deletes.empty()) {
      std::lock_guard lock(mu_);
      to_clear_.erase(to_clear_.begin());
      continue;
    }
    (void)store_.CommitReadModel(std::move(b));
  }
}

Runner* Projections::ActiveRunner(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.active.get();
}

std::string Projections::ActiveModel(std::string_view name) const {
  std::lock_guard lock(mu_);
  const Runner* r = ActiveRunner(name);
  return r ? r->model() : std::string();
}

bool Projections::WaitFor(std::string_view name, std::uint64_t position, std::chrono::milliseconds timeout) const {
  Runner* r = nullptr;
  {
    std::lock_guard lock(mu_);
    r = ActiveRunner(name);
  }
  return r != nullptr && r->WaitFor(position, timeout);
}

std::optional<ProjectionStatus> Projections::Status(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  ProjectionStatus s;
  s.name = std::string(name);
  s.version = e.projection->version();
  s.generation = e.generation;
  // Positions first, the head after: the head only grows, so it is never read behind a runner that
  // kept folding in between (a rebuild's progress stays within [0, 1]).
  s.position = e.active->position();
  const std::uint64_t rebuild_position = e.rebuilding ? e.rebuilding->position() : 0;
  s.head = std::max({store_.HeadPosition(), s.position, rebuild_position});
  s.lag_events = s.head > s.position ? s.head - s.position : 0;
  s.lag_ms = e.active->lag_ms();
  s.parked = e.active->ListParked().size();
  s.error = e.active->last_error();
  if (e.rebuilding) {
    s.rebuilding_generation = e.rebuilding_generation;
    s.rebuild_position = rebuild_position;
    s.rebuild_progress = s.head == 0 ? 1.0 : static_cast<double>(s.rebuild_position) / static_cast<double>(s.head);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - e.rebuild_started).count();
    s.rebuild_eta_s = s.rebuild_progress > 0 ? elapsed * (1.0 - s.rebuild_progress) / s.rebuild_progress : 0;
  }
  return s;
}

std::vector<ProjectionStatus> Projections::StatusAll() const {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, e] : entries_) names.push_back(name);
  }
  std::vector<ProjectionStatus> out;
  for (const auto& n : names)
    if (auto s = Status(n)) out.push_back(std::move(*s));
  return out;
}

bool Projections::Rebuild(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.rebuilding) return false;
  Entry& e = it->second;
  e.rebuilding_generation = e.generation + 1;
  // A key space left from an interrupted rebuild of that generation is cleared first.
  for (;;) {
    eventstore::ReadModelBatch b;
    b.model = ModelName(name, e.rebuilding_generation);
    (void)store_.ReadModelScan(b.model, "", [&](std::string_view key, std::string_view) {
      b.deletes.emplace_back(key);
      return b.deletes.size() < 4096;
    });
    b.checkpoint = 0;
    const bool more = !b.deletes.empty();
    if (!store_.CommitReadModel(std::move(b))) return false;
    if (!more) break;
  }
  e.rebuilding = std::make_unique<Runner>(store_, e.projection, ModelName(name, e.rebuilding_generation), options_);
  e.rebuild_started = std::chrono::steady_clock::now();
  e.rebuilding->Start();
  return true;
}

std::vector<Parked> Projections::ListParked(std::string_view name) const {
  std::lock_guard lock(mu_);
  const Runner* r = ActiveRunner(name);
  return r ? r->ListParked() : std::vector<Parked>{};
}

eventstore::Result<std::size_t> Projections::Retry(std::string_view name, std::uint64_t position) {
  std::lock_guard lock(mu_);
  Runner* r = ActiveRunner(name);
  if (r == nullptr) return 0;
  return r->Retry(position);
}

eventstore::Result<bool> Projections::Skip(std::string_view name, std::uint64_t position) {
  std::lock_guard lock(mu_);
  Runner* r = ActiveRunner(name);
  if (r == nullptr) return false;
  return r->Skip(position);
}

}  // namespace keel::projections
