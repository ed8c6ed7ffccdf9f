// `keel projections status|parked|rebuild|retry|skip`: the read models, on the read-side engine.
// With --data: on the data directory — status and parked read it beside a running server (read-only);
// rebuild, retry and skip need it stopped (they run the engine here: a rebuild folds a new generation
// from position 1 and swaps it in, with progress). With --admin URL: asked of the running server
// (/v1/admin/projections…), which rebuilds online while serving.
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "admin_client.hpp"
#include "commands.hpp"
#include "projections/projections.hpp"
#include "tool.hpp"

namespace keel::app::cli {
namespace {

struct ProjectionArgs {
  std::string action, data, admin, key, config, name;
  std::uint64_t position = 0;
  bool json = false, quiet = false;
};

nlohmann::json StatusJson(const projections::ProjectionStatus& s, const std::vector<projections::Parked>& parked, bool stale) {
  nlohmann::json p = nlohmann::json::array();
  for (const auto& e : parked) p.push_back({{"position", e.position}, {"stream", e.stream}, {"type", e.type}, {"error", e.error}});
  return {{"name", s.name},         {"version", s.version},       {"generation", s.generation}, {"position", s.position},
          {"head", s.head},         {"lag_events", s.lag_events}, {"parked", std::move(p)},     {"stale_version", stale}};
}

void PrintStatus(const nlohmann::json& list, bool json) {
  if (json) {
    std::cout << list.dump() << "\n";
    return;
  }
  std::printf("%-22s %8s %10s %12s %12s %10s %7s\n", "NAME", "VERSION", "GENERATION", "POSITION", "HEAD", "LAG", "PARKED");
  for (const auto& p : list)
    std::printf("%-22s %8u %10llu %12llu %12llu %10llu %7zu%s\n", p.value("name", "").c_str(), p.value("version", 0u),
                static_cast<unsigned long long>(p.value("generation", std::uint64_t{0})),
                static_cast<unsigned long long>(p.value("position", std::uint64_t{0})),
                static_cast<unsigned long long>(p.value("head", std::uint64_t{0})),
                static_cast<unsigned long long>(p.value("lag_events", std::uint64_t{0})), p["parked"].size(),
                p.value("stale_version", false) ? "  (built by another code version: rebuilt at the next start)" : "");
}

void PrintParked(const nlohmann::json& list, const std::string& name, bool json) {
  for (const auto& p : list) {
    if (p.value("name", "") != name) continue;
    if (json) {
      std::cout << p["parked"].dump() << "\n";
      return;
    }
    if (p["parked"].empty()) std::cout << name << ": no parked events\n";
    for (const auto& e : p["parked"])
      std::cout << e.value("position", std::uint64_t{0}) << "  " << e.value("stream", "") << "  " << e.value("type", "")
                << "  " << e.value("error", "") << "\n";
  }
}

int ViaServer(const ProjectionArgs& a) {
  const std::string key = AdminKey(a.key);
  if (key.empty()) return std::cerr << "keel projections: --admin needs a platform owner's key (--key or KEEL_ADMIN_KEY)\n", kUsage;
  std::string method = "GET", target = "/v1/admin/projections";
  if (a.action == "rebuild") method = "POST", target += "/" + a.name + "/rebuild";
  if (a.action == "retry" || a.action == "skip")
    method = "POST", target += "/" + a.name + "/parked/" + std::to_string(a.position) + "/" + a.action;
  auto reply = AdminCall(a.admin, key, method, target, method == "POST" ? "{}" : "");
  if (!reply) return std::cerr << "keel projections: " << reply.error() << "\n", kUsage;
  if (reply->status >= 300) return std::cerr << "keel projections: the server answered " << reply->status << ": " << reply->body << "\n", kUsage;
  auto body = nlohmann::json::parse(reply->body, nullptr, false);
  if (a.action == "status" || a.action == "parked") {
    nlohmann::json list = body.value("projections", nlohmann::json::array());
    for (auto& p : list) p["stale_version"] = false;
    if (a.action == "status") PrintStatus(list, a.json); else PrintParked(list, a.name, a.json);
    if (a.action == "parked" && std::none_of(list.begin(), list.end(), [&](const auto& p) { return p.value("name", "") == a.name; }))
      return std::cerr << "keel projections: no read model '" << a.name << "'\n", kUsage;
    return kOk;
  }
  std::cout << (a.json ? reply->body : a.action + " " + a.name + ": accepted by the server (" + std::to_string(reply->status) + ")") << "\n";
  return kOk;
}

int Offline(const ProjectionArgs& a) {
  auto list = LoadReadModels(a.config);
  if (!list) return std::cerr << "keel projections: " << list.error() << "\n", kUsage;
  const bool reads_only = a.action == "status" || a.action == "parked";
  if (!a.name.empty() && std::none_of(list->begin(), list->end(), [&](const auto& p) { return p->name() == a.name; }))
    return std::cerr << "keel projections: no read model '" << a.name << "'\n", kUsage;
  if (reads_only) {
    auto store = OpenForRead(a.data);
    if (!store) return std::cerr << "keel projections: " << store.error() << "\n", kUsage;
    auto inspected = projections::Inspect(**store, *list);
    if (!inspected) return std::cerr << "keel projections: " << inspected.error().ToString() << "\n", kUsage;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& i : *inspected) out.push_back(StatusJson(i.status, i.parked, i.stale));
    if (a.action == "status") PrintStatus(out, a.json); else PrintParked(out, a.name, a.json);
    return kOk;
  }
  auto store = OpenForWrite(a.data);
  if (!store) {
    std::cerr << "keel projections: " << store.error() << "\n";
    if (store.error().find("in use") != std::string::npos)
      std::cerr << "  ask the running server instead: keel projections " << a.action << " … --admin http://<its admin listener>\n";
    return kUsage;
  }
  projections::Projections engine(**store, *list);
  if (auto started = engine.Start(); !started)
    return std::cerr << "keel projections: " << started.error().ToString() << "\n", kUsage;
  int code = kOk;
  if (a.action == "rebuild") {
    if (!engine.Rebuild(a.name)) return std::cerr << "keel projections: '" << a.name << "' is rebuilding already\n", kUsage;
    Meter meter("rebuild " + a.name, "events", a.quiet || a.json);
    const std::uint64_t head = (*store)->HeadPosition();
    for (;;) {
      auto s = engine.Status(a.name);
      if (!s->rebuilding_generation && s->position >= head) break;
      if (!meter(s->rebuilding_generation ? s->rebuild_position : s->position, head)) {
        code = kInterrupted;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    meter.Finish(head);
    auto s = engine.Status(a.name);
    if (code == kOk)
      std::cout << (a.json ? nlohmann::json{{"rebuilt", a.name}, {"generation", s->generation}, {"position", s->position}}.dump()
                           : "rebuilt " + a.name + ": generation " + std::to_string(s->generation) + ", position " +
                                 std::to_string(s->position))
                << "\n";
    else
      std::cerr << "keel projections: interrupted; the old generation stays active\n";
  } else {
    const bool retry = a.action == "retry";
    auto parked = engine.ListParked(a.name);
    if (std::none_of(parked.begin(), parked.end(), [&](const auto& p) { return p.position == a.position; })) {
      code = kUsage;
      std::cerr << "keel projections: no parked event at position " << a.position << " in '" << a.name << "'\n";
    } else if (retry) {
      auto left = engine.Retry(a.name, a.position);
      if (!left) code = kUsage, std::cerr << "keel projections: " << left.error().ToString() << "\n";
      else if (a.json) std::cout << nlohmann::json{{"retried", a.position}, {"still_parked", *left}}.dump() << "\n";
      else std::cout << "retried " << a.position << ": " << *left << " still parked for its stream\n";
    } else {
      auto skipped = engine.Skip(a.name, a.position);
      if (!skipped) code = kUsage, std::cerr << "keel projections: " << skipped.error().ToString() << "\n";
      else if (a.json) std::cout << nlohmann::json{{"skipped", a.position}, {"projection", a.name}}.dump() << "\n";
      else std::cout << "skipped " << a.position << " in " << a.name << "\n";
    }
  }
  engine.Stop();
  return code;
}

int Projections(const ProjectionArgs& a) {
  if (a.data.empty() && a.admin.empty())
    return std::cerr << "keel projections: give --data DIR or --admin URL (a running server's admin listener)\n", kUsage;
  if (!a.data.empty() && !a.admin.empty())
    return std::cerr << "keel projections: --data or --admin, not both\n", kUsage;
  return a.admin.empty() ? Offline(a) : ViaServer(a);
}

void Common(CLI::App* cmd, ProjectionArgs& a) {
  cmd->add_option("--data", a.data, "The data directory (status / parked: read-only beside a server; else stopped)");
  cmd->add_option("--admin", a.admin, "Ask a running server instead: its admin listener, http://127.0.0.1:PORT");
  cmd->add_option("--key", a.key, "With --admin: a platform owner's API key (default: $KEEL_ADMIN_KEY)");
  cmd->add_option("--config", a.config, "plans.json's directory (default: the repository's config/data)");
  cmd->add_flag("--json", a.json, "JSON on stdout");
  cmd->add_flag("--quiet,-q", a.quiet, "No progress on stderr");
}

}  // namespace

void AddProjections(CLI::App& app, Outcome& out) {
  auto* group = app.add_subcommand("projections", "The read models: status, parked events, rebuild, retry, skip");
  group->require_subcommand(1);
  struct Spec {
    const char* name;
    const char* help;
    bool needs_name, needs_position;
  };
  for (const Spec& s : {Spec{"status", "Position, head, lag and parked events of every read model", false, false},
                        Spec{"parked", "A read model's parked events", true, false},
                        Spec{"rebuild", "Fold a read model again from position 1 (a new generation, swapped in when done)", true, false},
                        Spec{"retry", "Fold a parked event again (and its stream's parked ones after it)", true, true},
                        Spec{"skip", "Drop a parked event", true, true}}) {
    auto args = std::make_shared<ProjectionArgs>();
    args->action = s.name;
    auto* cmd = group->add_subcommand(s.name, s.help);
    if (s.needs_name) cmd->add_option("name", args->name, "The read model (keel projections status lists them)")->required();
    if (s.needs_position)
      cmd->add_option("position", args->position, "The parked event's position")->required()->check(CLI::Range(std::uint64_t{1}, UINT64_MAX));
    Common(cmd, *args);
    cmd->callback([args, &out] { out.code = Projections(*args); });
  }
}

}  // namespace keel::app::cli
