// `keel backup --to DIR --data DATA`: an online, consistent backup of a store no server holds (RocksDB's
// BackupEngine: every file checksummed; a second backup into the same DIR copies only new files).
// `keel backup --to DIR --admin URL [--key K]`: the same, taken by the running server (POST
// /v1/admin/backup on its admin listener) while it takes commands; DIR is on the server's machine.
// `keel restore --from DIR --data NEW [--id N]`: verifies the backup's files, writes a new data
// directory, then walks its hash chain (exit 1 if it does not verify). `--list` shows the backups.
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "admin_client.hpp"
#include "eventstore/backup_target.hpp"
#include "commands.hpp"
#include "tool.hpp"

namespace keel::app::cli {
namespace {

struct BackupArgs {
  std::string to, data, admin, key, from;
  std::uint32_t id = 0;
  bool json = false, quiet = false, list = false;
};

nlohmann::json InfoJson(const eventstore::BackupInfo& b) {
  return {{"id", b.id}, {"created_s", b.created_s}, {"bytes", b.bytes}, {"files", b.files}, {"head_at_start", b.head_at_start}};
}

int BackupViaServer(const BackupArgs& a) {
  const std::string key = AdminKey(a.key);
  if (key.empty()) return std::cerr << "keel backup: --admin needs a platform owner's key (--key or KEEL_ADMIN_KEY)\n", kUsage;
  const std::string to = std::filesystem::absolute(a.to).lexically_normal().string();
  auto reply = AdminCall(a.admin, key, "POST", "/v1/admin/backup", nlohmann::json{{"to", to}}.dump());
  if (!reply) return std::cerr << "keel backup: " << reply.error() << "\n", kUsage;
  if (reply->status != 200) return std::cerr << "keel backup: the server answered " << reply->status << ": " << reply->body << "\n", kUsage;
  if (a.json) {
    std::cout << reply->body << "\n";
  } else {
    auto j = nlohmann::json::parse(reply->body, nullptr, false);
    std::cout << "backup " << j.value("id", 0) << " in " << to << " (by the server): " << Human(j.value("bytes", 0.0), true)
              << ", " << j.value("files", 0) << " files, head at start " << j.value("head_at_start", 0) << "\n";
  }
  return kOk;
}

int Backup(const BackupArgs& a) {
  if (a.data.empty() && a.admin.empty())
    return std::cerr << "keel backup: give --data DIR (no server running on it) or --admin URL (ask the running server)\n", kUsage;
  if (!a.data.empty() && !a.admin.empty()) return std::cerr << "keel backup: --data or --admin, not both\n", kUsage;
  if (!a.admin.empty()) return BackupViaServer(a);
  // Where it goes is checked before the store is opened (an open for writing touches its files).
  if (auto target = eventstore::CheckBackupTarget(a.data, a.to); !target)
    return std::cerr << "keel backup: --to: " << target.error().message << "\n", kUsage;
  auto store = OpenForWrite(a.data);
  if (!store) {
    std::cerr << "keel backup: " << store.error() << "\n";
    if (store.error().find("in use") != std::string::npos)
      std::cerr << "  a running server backs itself up: keel backup --to " << a.to
                << " --admin http://<its admin listener> --key <platform owner key>\n";
    return kUsage;
  }
  Meter meter("backup", "bytes", a.quiet || a.json);
  auto info = (*store)->Backup(a.to, std::ref(meter));
  if (!info) {
    if (Interrupted()) return std::cerr << "keel backup: interrupted; the partial backup was removed\n", kInterrupted;
    return std::cerr << "keel backup: " << info.error().ToString() << "\n", kUsage;
  }
  meter.Finish(info->bytes);
  if (a.json) {
    auto j = InfoJson(*info);
    j["to"] = a.to;
    j["seconds"] = meter.seconds();
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "backup " << info->id << " in " << a.to << ": " << Human(double(info->bytes), true) << ", " << info->files
              << " files, head at start " << info->head_at_start << "\n";
  }
  return kOk;
}

int Restore(const BackupArgs& a) {
  if (a.list) {
    auto backups = eventstore::EventStore::ListBackups(a.from);
    if (!backups) return std::cerr << "keel restore: " << backups.error().ToString() << "\n", kUsage;
    if (a.json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& b : *backups) list.push_back(InfoJson(b));
      std::cout << list.dump() << "\n";
    } else {
      for (const auto& b : *backups)
        std::cout << "backup " << b.id << ": " << IsoTime(b.created_s * 1000) << ", " << Human(double(b.bytes), true) << ", "
                  << b.files << " files, head at start " << b.head_at_start << "\n";
    }
    return kOk;
  }
  if (a.data.empty()) return std::cerr << "keel restore: --data NEW (the directory to restore into) is required\n", kUsage;
  Meter copy("restore", "bytes", a.quiet || a.json);
  auto info = eventstore::EventStore::Restore(a.from, a.data, a.id, std::ref(copy));
  if (!info) {
    std::cerr << "keel restore: " << info.error().ToString() << "\n";
    return info.error().code == eventstore::Errc::kCorruption ? kCheckFailed : kUsage;
  }
  copy.Finish(info->bytes);
  auto store = OpenForWrite(a.data);
  if (!store) return std::cerr << "keel restore: the restored directory does not open: " << store.error() << "\n", kCheckFailed;
  Meter walk("verify", "events", a.quiet || a.json);
  auto report = (*store)->Verify(1, 0, std::ref(walk));
  if (!report) return std::cerr << "keel restore: " << report.error().ToString() << "\n", kCheckFailed;
  walk.Finish(report->checked);
  if (report->stopped) return std::cerr << "keel restore: interrupted while verifying\n", kInterrupted;
  const std::uint64_t head = (*store)->HeadPosition();
  if (a.json) {
    auto j = InfoJson(*info);
    j["data"] = a.data;
    j["head"] = head;
    j["verified"] = report->ok;
    if (!report->ok) j["first_bad"] = {{"position", report->bad_position}, {"stream", report->stream}, {"reason", report->reason}};
    std::cout << j.dump() << "\n";
  } else if (report->ok) {
    std::cout << "restored backup " << info->id << " into " << a.data << ": head " << head << ", " << report->checked
              << " events verified\n"
              << "  the API keys and sealed secrets (extension configurations) need the node's master key: copy the source's master key file (<data dir>.master-key)\n"
              << "  to " << a.data << ".master-key, or set KEEL_MASTER_KEY, before keel serve --data " << a.data << "\n";
  } else {
    std::cout << "restored backup " << info->id << " into " << a.data << ", but it does NOT verify: position "
              << report->bad_position << " (" << report->stream << "): " << report->reason << "\n";
  }
  return report->ok ? kOk : kCheckFailed;
}

}  // namespace

void AddBackup(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<BackupArgs>();
  auto* cmd = app.add_subcommand("backup", "An online, consistent backup (of a stopped store, or by the running server)");
  cmd->add_option("--to", args->to, "The backup directory (created; later backups into it share unchanged files)")->required();
  cmd->add_option("--data", args->data, "The data directory, when no server holds it");
  cmd->add_option("--admin", args->admin, "A running server's admin listener, http://127.0.0.1:PORT");
  cmd->add_option("--key", args->key, "With --admin: a platform owner's API key (default: $KEEL_ADMIN_KEY)");
  cmd->add_flag("--json", args->json, "One JSON object on stdout");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress on stderr");
  cmd->callback([args, &out] { out.code = Backup(*args); });

  auto rargs = std::make_shared<BackupArgs>();
  auto* restore = app.add_subcommand("restore", "Restore a backup into a new data directory, then verify it");
  restore->add_option("--from", rargs->from, "The backup directory")->required();
  restore->add_option("--data", rargs->data, "The new data directory (missing or empty)");
  restore->add_option("--id", rargs->id, "Which backup (default: the newest)");
  restore->add_flag("--list", rargs->list, "List the backups in --from instead");
  restore->add_flag("--json", rargs->json, "One JSON object on stdout");
  restore->add_flag("--quiet,-q", rargs->quiet, "No progress on stderr");
  restore->callback([rargs, &out] { out.code = Restore(*rargs); });
}

}  // namespace keel::app::cli
