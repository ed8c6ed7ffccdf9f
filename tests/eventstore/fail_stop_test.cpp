// Fail-stop: after an injected WAL write or sync failure every later append is refused, readers see
// nothing half-written, and a reopened store holds whole batches only, with an intact chain.
#include <catch2/catch.hpp>

#include "fault_fs.hpp"
#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

TEST_CASE("a failed write puts the store into fail-stop", "[eventstore][fail_stop]") {
  TempDir dir;
  auto switches = std::make_shared<FaultSwitches>();
  const bool fail_sync = GENERATE(false, true);
  INFO((fail_sync ? "sync fails" : "write fails"));
  {
    Options options;
    options.env = MakeFaultEnv(switches);
    auto store = OpenOrDie(dir.str(), options);
    REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::NoStream(), {Ev("A"), Ev("B")}));

    (fail_sync ? switches->fail_wal_sync : switches->fail_wal_append) = true;
    auto failed = store->Append("t/acme/order/1", ExpectedVersion::Exact(2), {Ev("C"), Ev("D"), Ev("E")});
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == Errc::kIo);
    CHECK(switches->injected.load() >= 1);
    CHECK(store->fail_stopped());

    // The fault is gone, but the store stays stopped: no append is trusted after a failed sync.
    switches->fail_wal_sync = false;
    switches->fail_wal_append = false;
    auto later = store->Append("t/acme/order/2", ExpectedVersion::Any(), {Ev("F")});
    REQUIRE_FALSE(later);
    CHECK(later.error().code == Errc::kFailStopped);
    CHECK(store->SaveCheckpoint("p", 1).error().code == Errc::kFailStopped);

    // Readers still see exactly the acknowledged events.
    CHECK(store->HeadPosition() == 2);
    CHECK(store->ReadAll(1).value().size() == 2);
    CHECK(store->ReadStream("t/acme/order/1", 1).value().size() == 2);
    CHECK(store->StreamVersion("t/acme/order/1").value() == 2);
  }
  // Reopened: the failed batch is either wholly present (its bytes reached the WAL before the sync
  // failed) or wholly absent; never a part of it, and the chain verifies.
  auto store = OpenOrDie(dir.str(), [] { Options o; o.verify_on_open = VerifyOnOpen::kFull; return o; }());
  const auto head = store->HeadPosition();
  CHECK((head == 2 || head == 5));
  if (!fail_sync) CHECK(head == 2);
  CHECK(store->StreamVersion("t/acme/order/1").value() == head);
  CHECK(store->Verify().value().ok);
  CHECK(store->Append("t/acme/order/1", ExpectedVersion::Exact(head), {Ev("G")}));
}
