#!/usr/bin/env bash
# Fails when a layer includes what it must not: domain is pure (no infrastructure headers), the
# event store knows only bytes (no upper-layer headers), and only the gateway may include Beast.
set -u
root="${1:-.}"
status=0
check() {  # folder, extended regex, why
  local hits
  hits=$(grep -rnE "$2" "$root/$1" --include='*.hpp' --include='*.cpp' --include='*.h' 2>/dev/null | grep -vi codec)
  if [ -n "$hits" ]; then
    echo "layering: $1 $3:"; echo "$hits"; status=1
  fi
}
check domain '#include *[<"](caf/|rocksdb/|boost/|capnp/|kj/|nlohmann/)' "is pure and must not include infrastructure"
check eventstore '#include *[<"](domain|actors|projections|gateway|caf|boost)/' "knows only bytes and must not include upper layers, CAF or Boost"
check actors '#include *[<"](gateway|boost/beast)/' "must not include the gateway"
check projections '#include *[<"](gateway|actors|boost/beast)/' "must not include actors or the gateway"
check gateway '#include *[<"](caf/|rocksdb/)' "reaches actors and the store only through their public headers"
# Only the socket files of the gateway may include Beast/Asio; routing, access and handlers stay plain.
beast=$(grep -lE '#include *[<"]boost/' "$root"/gateway/src/*.cpp "$root"/gateway/src/*.hpp "$root"/gateway/include/gateway/*.hpp 2>/dev/null |
  grep -vE '/(http_session|websocket_session|listener|server|sessions)\.(cpp|hpp)$')
if [ -n "$beast" ]; then echo "layering: only the gateway's socket files may include Boost:"; echo "$beast"; status=1; fi
[ $status -eq 0 ] && echo "layering: ok"
exit $status
