// Where a backup of a store may go (EventStore::Backup checks it; tools and the admin route ask first,
// before opening anything): never the data directory or inside it, and never over other things — a
// new or empty directory, or one of backups. kInvalidArgument naming why.
#pragma once

#include <string>

#include "eventstore/errors.hpp"

namespace keel::eventstore {

Result<void> CheckBackupTarget(const std::string& data_dir, const std::string& backup_dir);

}  // namespace keel::eventstore
