// Exception router (see exception_router.hpp): integration failures, sync latency breaches and
// support SLA breaches, each under the role its event was routed to. Read-model layout, model "exceptions":
//   key   <tenant>/<role>/<position, 20 digits>   value   <kind> \t <at> \t <detail>
#include "actors/exception_router.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "actors/process_manager.hpp"

namespace keel::actors {
namespace {

constexpr std::string_view kModel = "exceptions";
namespace t = domain::tenant;

std::string KindOf(t::Integration i) { return i == t::Integration::kEdi ? "edi_failure" : "marketplace_failure"; }

std::string Key(const std::string& tenant, const std::string& role, std::uint64_t position) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(position));
  return tenant + "/" + role + "/" + digits;
}

}  // namespace

struct ExceptionRouter::Impl {
  eventstore::EventStore& store;
  std::unique_ptr<eventstore::Subscription> subscription;
  std::atomic<std::uint64_t> handled{0};
  std::uint64_t epoch = 0;  // the store's write epoch when this run started
  std::uint64_t saved = 0;  // last checkpoint handed to the writer
  std::atomic<int> saves_in_flight{0};
  std::mutex mu;
  std::condition_variable cv;

  explicit Impl(eventstore::EventStore& s) : store(s) {}

  void OnEvent(const eventstore::EventView& view) {
    eventstore::ReadModelBatch batch;
    batch.model = std::string(kModel);
    batch.checkpoint = view.position;
    const bool relevant = view.type == "IntegrationFailed" || view.type == "SyncLatencyBreached" ||
                          view.type == "IntegrationRecovered" || view.type == "TicketSlaBreached" ||
                          view.type == "TicketResolved";
    if (auto event = relevant ? DecodeDomainEvent(view, nullptr) : std::nullopt) {
      if (const auto* te = std::get_if<t::Event>(&event->event)) {
        const std::string& tenant = event->key.tenant;
        if (const auto* failed = std::get_if<t::IntegrationFailed>(te)) {
          batch.puts.push_back({Key(tenant, failed->routed_to, view.position),
                                KindOf(failed->integration) + "\t" + std::to_string(failed->at) + "\t" + failed->detail});
        } else if (const auto* slow = std::get_if<t::SyncLatencyBreached>(te)) {
          batch.puts.push_back({Key(tenant, slow->routed_to, view.position),
                                "sync_latency\t" + std::to_string(slow->at) + "\t" + KindOf(slow->integration) +
                                    " sync took " + std::to_string(slow->latency_ms) + " ms"});
        } else if (const auto* breach = std::get_if<t::TicketSlaBreached>(te)) {
          batch.puts.push_back({Key(tenant, breach->routed_to, view.position),
                                "sla_breach\t" + std::to_string(breach->at) + "\tticket " + breach->ticket + " missed its " +
                                    breach->target + " target (" + breach->priority + ", due " +
                                    std::to_string(breach->due) + ")"});
        } else if (const auto* resolved = std::get_if<t::TicketResolved>(te)) {
          // A resolved ticket's breaches leave the inbox (they stay in the log and the SLA figures).
          const std::string mark = "\tticket " + resolved->ticket + " missed ";
          store.ReadModelScan(kModel, tenant + "/", [&](std::string_view key, std::string_view value) {
            if (value.starts_with("sla_breach\t") && value.find(mark) != std::string_view::npos) batch.deletes.emplace_back(key);
            return true;
          });
        } else if (const auto* recovered = std::get_if<t::IntegrationRecovered>(te)) {
          const std::string kind = KindOf(recovered->integration) + "\t";
          store.ReadModelScan(kModel, tenant + "/", [&](std::string_view key, std::string_view value) {
            if (value.starts_with(kind)) batch.deletes.emplace_back(key);
            return true;
          });
        }
      }
    }
    // Changes go with their checkpoint, synchronously (a later recovery scans what is written);
    // quiet stretches checkpoint now and then in the writer's next group commit, without waiting.
    batch.epoch = epoch;  // fenced like the process managers' checkpoints (process_manager.cpp)
    if (!batch.puts.empty() || !batch.deletes.empty()) {
      if (store.CommitReadModel(std::move(batch))) saved = view.position;
    } else if (view.position - saved >= 256) {
      saved = view.position;
      ++saves_in_flight;
      store.CommitReadModelAsync(std::move(batch), [this](eventstore::Result<void>) { --saves_in_flight; });
    }
    handled.store(view.position);
    std::lock_guard lock(mu);
    cv.notify_all();
  }
};

ExceptionRouter::ExceptionRouter(eventstore::EventStore& store) : impl_(std::make_unique<Impl>(store)) {
  impl_->epoch = store.health().epoch();
  auto checkpoint = store.LoadCheckpoint(kModel);
  const std::uint64_t from = checkpoint && *checkpoint ? **checkpoint + 1 : 1;
  impl_->saved = from - 1;
  impl_->handled.store(from - 1);
  impl_->subscription = store.Subscribe(
      from, [impl = impl_.get()](const eventstore::EventView& v) { impl->OnEvent(v); },
      eventstore::SubscriptionOptions{.gather = kProcessManagerGather});
}

ExceptionRouter::~ExceptionRouter() { Stop(); }

void ExceptionRouter::Stop() {
  if (!impl_->subscription) return;
  impl_->subscription->Stop();
  impl_->subscription.reset();
  while (impl_->saves_in_flight.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (impl_->handled.load() > impl_->saved) {
    eventstore::ReadModelBatch batch;
    batch.model = std::string(kModel);
    batch.checkpoint = impl_->handled.load();
    batch.epoch = impl_->epoch;
    (void)impl_->store.CommitReadModel(std::move(batch));
  }
}

bool ExceptionRouter::WaitUntilProcessed(std::uint64_t position, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->handled.load() >= position; });
}

std::vector<RoutedException> ExceptionRouter::Open(const eventstore::EventStore& store, const std::string& tenant,
                                                   const std::string& role) {
  std::vector<RoutedException> out;
  store.ReadModelScan(kModel, tenant + "/" + (role.empty() ? "" : role + "/"),
                      [&](std::string_view key, std::string_view value) {
                        RoutedException e;
                        e.tenant = tenant;
                        const auto slash1 = key.find('/');
                        const auto slash2 = key.rfind('/');
                        e.role = std::string(key.substr(slash1 + 1, slash2 - slash1 - 1));
                        e.position = std::stoull(std::string(key.substr(slash2 + 1)));
                        const auto tab1 = value.find('\t');
                        const auto tab2 = value.find('\t', tab1 + 1);
                        e.kind = std::string(value.substr(0, tab1));
                        e.at = std::stoll(std::string(value.substr(tab1 + 1, tab2 - tab1 - 1)));
                        e.detail = std::string(value.substr(tab2 + 1));
                        out.push_back(std::move(e));
                        return true;
                      });
  return out;
}

}  // namespace keel::actors
