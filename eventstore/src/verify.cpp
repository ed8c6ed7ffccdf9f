// Walks the log's hash chain (see verify.hpp).
#include "verify.hpp"

#include <memory>

#include "envelope_codec.hpp"
#include "eventstore/store.hpp"
#include "keys.hpp"

namespace keel::eventstore {

Result<VerifyReport> VerifyChain(const StoreCore& core, std::uint64_t from, std::uint64_t to) {
  VerifyReport report;
  report.from = from == 0 ? 1 : from;
  report.to = to;
  auto fail = [&](std::uint64_t position, std::string reason) {
    report.ok = false;
    report.bad_position = position;
    report.reason = std::move(reason);
    return report;
  };
  if (report.from > to) return report;

  std::string expected_prev(keys::kHashBytes, '\0');
  if (report.from > 1) {
    std::string prev;
    auto st = core.db->Get({}, core.log, keys::Position(report.from - 1), &prev);
    if (st.IsNotFound()) return fail(report.from - 1, "event is missing");
    if (!st.ok()) return MakeError(Errc::kIo, "reading the log: " + st.ToString());
    if (prev.size() < keys::kHashBytes) return fail(report.from - 1, "value is truncated");
    expected_prev = prev.substr(0, keys::kHashBytes);
  }

  rocksdb::ReadOptions ro;
  const std::string upper = keys::Position(to + 1);
  rocksdb::Slice upper_slice(upper);
  if (to < UINT64_MAX) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(ro, core.log));
  DecodeScratch scratch;
  std::uint64_t next = report.from;
  for (it->Seek(keys::Position(report.from)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return fail(next, "log key is malformed");
    const std::uint64_t position = keys::DecodeBE64(it->key().ToStringView());
    if (position != next) return fail(next, "event is missing");
    const std::string_view value = it->value().ToStringView();
    if (!HashMatches(value)) return fail(position, "stored hash does not match the event's bytes");
    auto view = DecodeEnvelope(value, scratch);
    if (!view) return fail(position, view.error().message);
    if (view->position != position) return fail(position, "event names another position");
    if (view->prev_hash != expected_prev) return fail(position, "link to the previous event is broken");
    expected_prev.assign(view->hash);
    ++report.checked;
    ++next;
  }
  if (!it->status().ok()) return MakeError(Errc::kIo, "reading the log: " + it->status().ToString());
  if (next != to + 1) return fail(next, "event is missing");
  return report;
}

Result<VerifyReport> EventStore::Verify(std::uint64_t from, std::uint64_t to) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  const std::uint64_t head = core_->head.load();
  if (to == 0 || to > head) to = head;
  return VerifyChain(*core_, from, to);
}

}  // namespace keel::eventstore
