# Keel event-log records, as stored in RocksDB. Domain-agnostic: the payload is opaque bytes.
# Evolution rule: only add fields with new ordinals; never renumber, retype or remove one.
@0xbccdd57bf335e62b;

$import "/capnp/c++.capnp".namespace("keel::eventstore::schema");

# One event as committed. Stored in the `log` column family as
#   value = sha256(body) [32 bytes] || body, where body = this struct as a flat capnp message.
# prevHash is the hash of the event at position - 1 (32 zero bytes for position 1), so the
# hashes form a chain that Verify can walk.
struct Envelope {
  position      @0  :UInt64;
  stream        @1  :Text;
  version       @2  :UInt64;
  type          @3  :Text;
  schemaVersion @4  :UInt32;
  tenant        @5  :Text;
  timestampMs   @6  :Int64;   # Unix epoch milliseconds (from the command or the store's clock)
  principal     @7  :Text;
  correlationId @8  :Text;
  causationId   @9  :Text;
  idempotencyKey @10 :Text;
  payload       @11 :Data;
  prevHash      @12 :Data;
}

# The remembered outcome of an append that carried an idempotency key, stored in the
# `idempotency` column family under tenant \0 key.
struct IdempotencyRecord {
  writtenAtMs  @0 :Int64;     # store clock when the append committed; drives retention
  fingerprint  @1 :Data;      # sha256 over the request (see idempotency.cpp)
  firstPosition @2 :UInt64;
  lastPosition @3 :UInt64;
  streams      @4 :List(StreamResult);

  struct StreamResult {
    stream        @0 :Text;
    firstVersion  @1 :UInt64;
    lastVersion   @2 :UInt64;
    firstPosition @3 :UInt64;
    lastPosition  @4 :UInt64;
  }
}
