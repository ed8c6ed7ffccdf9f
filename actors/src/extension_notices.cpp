// Extension-withdrawal notices (see process_managers.hpp). Read-model layout, model
// "extension_installs": key <extension> NUL <tenant>, value <version> — which tenant runs which
// version, kept from ExtensionInstalled / ExtensionUninstalled (written before the manager's
// checkpoint passes the event, so a crash replays it; puts and deletes are idempotent).
#include "actors/process_managers.hpp"

namespace keel::actors {
namespace {

namespace t = domain::tenant;
namespace e = domain::extension;
constexpr std::string_view kModel = "extension_installs";

std::string InstallKey(const std::string& extension, const std::string& tenant) {
  std::string k = extension;
  k.push_back('\0');
  return k + tenant;
}

void Tell(Client& client, const DomainEvent& cause, const std::string& tenant, const std::string& extension,
          const std::string& version, const std::string& reason) {
  // The correlation names what it acted on (one audit record per tenant), the causation the withdrawal.
  CommandMeta meta{"extension-withdrawn:" + extension + ":" + version + ":" + tenant, "process:extension_notices",
                   "tenant:" + tenant, "position:" + std::to_string(cause.position), std::nullopt};
  client.Execute(TenantKey(tenant), t::NoteExtensionWithdrawn{extension, version, reason, cause.timestamp_ms}, meta);
}

void OnTenantEvent(eventstore::EventStore& store, Client& client, const DomainEvent& ev, const t::Event& te) {
  eventstore::ReadModelBatch batch;
  batch.model = std::string(kModel);
  batch.checkpoint = ev.position;
  if (const auto* in = std::get_if<t::ExtensionInstalled>(&te)) {
    batch.puts.emplace_back(InstallKey(in->extension, ev.key.tenant), in->version);
    (void)store.CommitReadModel(std::move(batch));
    // Withdrawn between the gateway's look and this installation: told now.
    auto ext = client.Get(ExtensionKey(in->extension));
    if (!ext) return;
    if (const auto* v = e::FindVersion(ext->As<e::State>(), in->version); v && v->status == e::Status::kWithdrawn) {
      Tell(client, ev, ev.key.tenant, in->extension, in->version, v->withdrawal_reason);
    }
  } else if (const auto* out = std::get_if<t::ExtensionUninstalled>(&te)) {
    batch.deletes.push_back(InstallKey(out->extension, ev.key.tenant));
    (void)store.CommitReadModel(std::move(batch));
  }
}

void OnWithdrawn(eventstore::EventStore& store, Client& client, const DomainEvent& ev, const e::ExtensionVersionWithdrawn& w) {
  if (w.was != e::Status::kApproved) return;  // nobody could have installed it
  const std::string& extension = ev.key.id;
  std::vector<std::string> tenants;
  std::string prefix = extension;
  prefix.push_back('\0');
  store.ReadModelScan(kModel, prefix, [&](std::string_view key, std::string_view value) {
    if (value == w.version) tenants.emplace_back(key.substr(prefix.size()));
    return true;
  });
  for (const auto& tenant : tenants) Tell(client, ev, tenant, extension, w.version, w.reason);
}

}  // namespace

std::unique_ptr<ProcessManager> StartExtensionNotices(eventstore::EventStore& store, Runtime& runtime) {
  return std::make_unique<ProcessManager>(
      "process.extension_notices", store, runtime,
      [&store](Client& client, const DomainEvent& ev) {
        if (const auto* te = std::get_if<t::Event>(&ev.event)) OnTenantEvent(store, client, ev, *te);
        if (const auto* ee = std::get_if<e::Event>(&ev.event)) {
          if (const auto* w = std::get_if<e::ExtensionVersionWithdrawn>(ee)) OnWithdrawn(store, client, ev, *w);
        }
      },
      std::set<std::string, std::less<>>{"ExtensionInstalled", "ExtensionUninstalled", "ExtensionVersionWithdrawn"});
}

}  // namespace keel::actors
