// `keel export --tenant T [--to FILE]`: one tenant's whole history as JSON lines — a header, each
// event (envelope, hash, decoded payload and the raw payload in base64), and a trailer with the count
// and a SHA-256 of every line before it — what a departing customer or an auditor receives. Written
// to FILE.partial and renamed when complete, so an interrupted export leaves no file that looks whole.
// `keel import FILE --data DIR`: checks the whole file first (trailer, digest, each stream's versions,
// every payload decodes), then replays it into a store that does not hold that tenant (a new one is
// made in a missing or empty directory); each aggregate then folds to the state it had. What is kept:
// streams, versions, types, schema versions, payloads, times, principals, correlation and causation
// ids. Not kept: positions and hashes (the target's own chain), idempotency keys (retained 24 h).
#include <openssl/evp.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include "commands.hpp"
#include "event_line.hpp"
#include "gateway/event_json.hpp"
#include "tool.hpp"

namespace keel::app::cli {
namespace {

constexpr int kFormat = 1;

// SHA-256 over every line written, incrementally.
class Digest {
 public:
  Digest() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Digest() { EVP_MD_CTX_free(ctx_); }
  void Add(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }
  std::string Hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, out, &n);
    return cli::Hex(std::string_view(reinterpret_cast<const char*>(out), n));
  }

 private:
  EVP_MD_CTX* ctx_;
};

struct ExportArgs {
  std::string data, tenant, to, file;
  bool quiet = false;
};

int Export(const ExportArgs& a) {
  auto store = OpenForRead(a.data);
  if (!store) return std::cerr << "keel export: " << store.error() << "\n", kUsage;
  const std::uint64_t head = (*store)->HeadPosition();
  auto streams = (*store)->ListStreams("t/" + a.tenant + "/");
  if (!streams) return std::cerr << "keel export: " << streams.error().ToString() << "\n", kUsage;
  if (streams->empty()) return std::cerr << "keel export: no tenant '" << a.tenant << "' in " << a.data << "\n", kUsage;
  std::uint64_t total = 0;
  for (const auto& s : *streams) total += s.version;

  const bool to_stdout = a.to.empty() || a.to == "-";
  const std::string partial = a.to + ".partial";
  if (std::error_code ec; !to_stdout && std::filesystem::is_directory(a.to, ec))
    return std::cerr << "keel export: --to " << a.to << " is a directory: name the file to write\n", kUsage;
  std::ofstream file;
  if (!to_stdout) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) return std::cerr << "keel export: cannot write " << partial << "\n", kUsage;
  }
  std::ostream& os = to_stdout ? std::cout : file;
  Digest digest;
  auto line = [&](const nlohmann::json& j) {
    std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    digest.Add(text);
    os << text;
  };
  line({{"keel_export", kFormat}, {"tenant", a.tenant}, {"source_head", head}, {"events", total}, {"streams", streams->size()}});
  Meter meter("export", "events", a.quiet);
  std::uint64_t written = 0, from = 1;
  bool stopped = false;
  while (!stopped) {
    auto batch = (*store)->ReadTenant(a.tenant, from, 4096);
    if (!batch) return std::cerr << "keel export: " << batch.error().ToString() << "\n", kUsage;
    if (batch->empty()) break;
    for (const auto& e : *batch) {
      if (e.position > head) break;
      line(EventJson(ViewOf(e), /*with_raw_payload=*/true));
      ++written;
    }
    from = batch->back().position + 1;
    if (to_stdout) OutputGone();
    if (from > head || !meter(written, total)) stopped = Interrupted();
  }
  if (stopped) {
    if (!to_stdout) {
      file.close();
      std::filesystem::remove(partial);
    }
    std::cerr << "keel export: interrupted after " << written << " events; nothing kept\n";
    return kInterrupted;
  }
  const std::string sum = digest.Hex();
  const std::string trailer =
      nlohmann::json{{"keel_export_end", true}, {"tenant", a.tenant}, {"events", written}, {"sha256", sum}}.dump() + "\n";
  os << trailer << std::flush;
  meter.Finish(written);
  if (!to_stdout) {
    file.close();
    if (!file) return std::cerr << "keel export: writing " << partial << " failed\n", kUsage;
    std::error_code ec;
    std::filesystem::rename(partial, a.to, ec);
    if (ec) {
      std::filesystem::remove(partial, ec);
      return std::cerr << "keel export: cannot write " << a.to << ": " << ec.message() << "\n", kUsage;
    }
    std::cerr << "keel export: " << written << " events of " << a.tenant << " in " << a.to << " (sha256 " << sum << ")\n";
  }
  return kOk;
}

struct ImportArgs {
  std::string data, file;
  bool quiet = false;
};

struct Line {
  std::string stream;
  std::uint64_t version = 0, position = 0;
  eventstore::EventData event;
  eventstore::Metadata meta;
};

// The file checked whole: every complaint names its line; nothing is written before it passes.
std::expected<std::pair<std::string, std::vector<Line>>, std::string> ReadExport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(std::move(l));
  if (lines.size() < 2) return std::unexpected(path + " is not a keel export (no header and trailer)");
  auto header = nlohmann::json::parse(lines.front(), nullptr, false);
  if (!header.is_object() || header.value("keel_export", 0) != kFormat || !header.contains("tenant") || !header["tenant"].is_string())
    return std::unexpected("line 1: not a keel export header (format " + std::to_string(kFormat) + ")");
  const std::string tenant = header["tenant"];
  auto trailer = nlohmann::json::parse(lines.back(), nullptr, false);
  if (!trailer.is_object() || !trailer.value("keel_export_end", false)) {
    for (std::size_t i = 1; i + 1 < lines.size(); ++i)
      if (auto j = nlohmann::json::parse(lines[i], nullptr, false); j.is_object() && j.value("keel_export_end", false))
        return std::unexpected("line " + std::to_string(i + 1) + ": the trailer is followed by more lines");
    return std::unexpected("the file ends without its trailer: it was cut short");
  }
  Digest digest;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    digest.Add(lines[i]);
    digest.Add("\n");
  }
  if (digest.Hex() != trailer.value("sha256", ""))
    return std::unexpected("the file's lines do not match its trailer's sha256: it was altered");
  if (trailer.value("events", std::uint64_t{0}) != lines.size() - 2)
    return std::unexpected("the trailer counts " + trailer["events"].dump() + " events, the file holds " +
                           std::to_string(lines.size() - 2));
  std::vector<Line> out;
  std::map<std::string, std::uint64_t, std::less<>> versions;
  std::uint64_t last_position = 0;
  const std::string prefix = "t/" + tenant + "/";
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    const std::string where = "line " + std::to_string(i + 1) + ": ";
    auto j = nlohmann::json::parse(lines[i], nullptr, false);
    if (!j.is_object()) return std::unexpected(where + "not JSON");
    Line l;
    try {
      l.stream = j.at("stream").get<std::string>();
      l.version = j.at("version").get<std::uint64_t>();
      l.position = j.at("position").get<std::uint64_t>();
      l.event.type = j.at("type").get<std::string>();
      l.event.schema_version = j.at("schema_version").get<std::uint32_t>();
      l.meta.timestamp_ms = j.at("at").get<std::int64_t>();
      l.meta.principal = j.at("principal").get<std::string>();
      l.meta.correlation_id = j.at("correlation_id").get<std::string>();
      l.meta.causation_id = j.at("causation_id").get<std::string>();
      auto payload = FromBase64(j.at("payload").get<std::string>());
      if (!payload) return std::unexpected(where + "payload: " + payload.error());
      l.event.payload = std::move(*payload);
    } catch (const nlohmann::json::exception& e) {
      return std::unexpected(where + "a field is missing or of the wrong type (" + e.what() + ")");
    }
    if (!l.stream.starts_with(prefix)) return std::unexpected(where + "stream " + l.stream + " is not tenant " + tenant + "'s");
    if (l.position <= last_position) return std::unexpected(where + "positions go backwards");
    last_position = l.position;
    auto& v = versions[l.stream];
    if (l.version != v + 1)
      return std::unexpected(where + l.stream + " v" + std::to_string(l.version) + " follows v" + std::to_string(v));
    v = l.version;
    auto data = gateway::EventDataJson(l.stream, l.event.type, l.event.schema_version, l.event.payload);
    if (data.is_null()) return std::unexpected(where + "stream " + l.stream + " is of no known kind");
    if (data.contains("undecodable"))
      return std::unexpected(where + l.event.type + " does not decode: " + data["undecodable"].get<std::string>());
    // What a reader of the file sees must be what is imported.
    if (!j.contains("data") || j["data"] != data)
      return std::unexpected(where + "'data' is not what the payload decodes to: the line was altered");
    if (j.value("time", "") != IsoTime(l.meta.timestamp_ms))
      return std::unexpected(where + "'time' does not say 'at': the line was altered");
    out.push_back(std::move(l));
  }
  return std::make_pair(tenant, std::move(out));
}

bool SameMeta(const eventstore::Metadata& a, const eventstore::Metadata& b) {
  return a.timestamp_ms == b.timestamp_ms && a.principal == b.principal && a.correlation_id == b.correlation_id &&
         a.causation_id == b.causation_id;
}

// Consecutive events with the same metadata (one original append, as a rule) become one append, each
// stream once in it with the version it must be at.
std::vector<eventstore::AppendRequest> Appends(std::vector<Line>& lines) {
  std::vector<eventstore::AppendRequest> out;
  std::set<std::string, std::less<>> in_request;
  for (auto& l : lines) {
    const bool fresh = out.empty() || !SameMeta(out.back().metadata, l.meta) || out.back().streams.size() >= 64 ||
                       (in_request.contains(l.stream) && out.back().streams.back().stream != l.stream);
    if (fresh) {
      out.emplace_back();
      out.back().metadata = l.meta;
      in_request.clear();
    }
    auto& req = out.back();
    if (req.streams.empty() || req.streams.back().stream != l.stream) {
      req.streams.push_back({l.stream, eventstore::ExpectedVersion::Exact(l.version - 1), {}});
      in_request.insert(l.stream);
    }
    req.streams.back().events.push_back(std::move(l.event));
  }
  return out;
}

int Import(const ImportArgs& a) {
  auto file = ReadExport(a.file);
  if (!file) return std::cerr << "keel import: " << a.file << ": " << file.error() << "\n", kCheckFailed;
  auto& [tenant, lines] = *file;
  const std::size_t total = lines.size();
  auto store = OpenForWrite(a.data, /*create=*/true);
  if (!store) return std::cerr << "keel import: " << store.error() << "\n", kUsage;
  auto existing = (*store)->ListStreams("t/" + tenant + "/");
  if (!existing) return std::cerr << "keel import: " << existing.error().ToString() << "\n", kUsage;
  if (!existing->empty())
    return std::cerr << "keel import: " << a.data << " already holds tenant '" << tenant << "' (" << existing->size()
                     << " streams): import into a store without it\n", kUsage;
  auto requests = Appends(lines);
  Meter meter("import", "events", a.quiet);
  std::mutex mu;
  std::condition_variable cv;
  std::size_t in_flight = 0, appended = 0;
  std::optional<eventstore::Error> failed;
  std::uint64_t first = 0, last = 0;
  for (auto& r : requests) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight < 256 || failed; });
    if (failed || !meter(appended, total)) break;
    ++in_flight;
    lock.unlock();
    std::size_t events = 0;
    for (const auto& s : r.streams) events += s.events.size();
    (*store)->AppendAsync(std::move(r), [&, events](eventstore::Result<eventstore::AppendResult> done) {
      std::lock_guard guard(mu);
      --in_flight;
      if (!done) {
        if (!failed) failed = done.error();
      } else {
        appended += events;
        if (first == 0 || done->first_position < first) first = done->first_position;
        last = std::max(last, done->last_position);
      }
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  meter.Finish(appended);
  if (failed) {
    std::cerr << "keel import: stopped after " << appended << " of " << total << " events: " << failed->ToString() << "\n";
    return kUsage;
  }
  if (appended < total) {
    std::cerr << "keel import: interrupted after " << appended << " of " << total
              << " events (the store holds that prefix of the tenant's history)\n";
    return kInterrupted;
  }
  std::cout << "imported " << appended << " events of " << tenant << " into " << a.data << " (positions " << first << ".."
            << last << ")\n";
  return kOk;
}

}  // namespace

void AddExport(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "One tenant's whole history as JSON lines (header, events, trailer)");
  cmd->add_option("--data", args->data, "The data directory (read-only; a server may be running on it)")->required();
  cmd->add_option("--tenant", args->tenant, "The tenant")->required();
  cmd->add_option("--to", args->to, "The file to write (default: stdout)");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress on stderr");
  cmd->callback([args, &out] { out.code = Export(*args); });

  auto iargs = std::make_shared<ImportArgs>();
  auto* imp = app.add_subcommand("import", "Replay an export into a store without that tenant (the server stopped)");
  imp->add_option("file", iargs->file, "The export file")->required()->check(CLI::ExistingFile);
  imp->add_option("--data", iargs->data, "The data directory (a new or empty directory becomes a new store)")->required();
  imp->add_flag("--quiet,-q", iargs->quiet, "No progress on stderr");
  imp->callback([iargs, &out] { out.code = Import(*iargs); });
}

}  // namespace keel::app::cli
