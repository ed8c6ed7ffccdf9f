// Handler of the platform owner's online backup (on the admin listener):
//   POST /v1/admin/backup {"to": "/abs/dir"}   a consistent backup of the running store into a directory
//                                              of this machine (EventStore::Backup), while commands go on
// One backup at a time (409 while one runs). The answer says the backup's id, size and the head when
// it began; `keel restore --from DIR --data NEW` makes a data directory of it. Audited.
#include <filesystem>
#include <mutex>

#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {

std::mutex& BackupRunning() {
  static std::mutex running;
  return running;
}

Response Backup(Call& c) {
  auto body = ParseBody<json::BackupBody>(c);
  if (!body) return body.error();
  const std::string to = body->to;
  const std::filesystem::path path(to);
  if (to.empty() || !path.is_absolute() || to.find('\0') != std::string::npos)
    return BadField({"to", "expected an absolute path"});
  std::unique_lock lock(BackupRunning(), std::try_to_lock);
  if (!lock.owns_lock()) return Problem(409, "backup_running", "A backup is running", "one backup at a time: try again when it ends");
  const auto started = std::chrono::steady_clock::now();
  auto info = c.ctx.store.Backup(to);
  if (!info) {
    // Where it may go is the store's rule (eventstore/backup_target.hpp): a refusal names the field.
    if (info.error().code == eventstore::Errc::kInvalidArgument) return BadField({"to", info.error().message});
    return Problem(503, "unavailable", "The backup failed", info.error().message);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Response r = JsonResponse(200, {{"to", to},
                                  {"id", info->id},
                                  {"bytes", info->bytes},
                                  {"files", info->files},
                                  {"head_at_start", info->head_at_start},
                                  {"created_s", info->created_s},
                                  {"seconds", seconds}});
  r.audit = true;  // an operator's act on the store: kept with who did it
  return r;
}

}  // namespace

void AddBackupHandlers(HandlerTable& t) { t["backup"] = Backup; }

}  // namespace keel::gateway
