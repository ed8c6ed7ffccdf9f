// The tools as a careless user meets them: bad arguments exit 2 with a message; a directory that is
// not Keel's (empty, other files, another RocksDB database) is refused and left exactly as it was;
// and the everyday reads — log (filters, tail, follow), stream, stats — say what the log holds.
#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "child_process.hpp"
#include "tools_world.hpp"

using keel::test::Json;
using keel::test::Keel;

namespace {

// Every file under `dir` with its size and contents' first bytes: what "left as it was" compares.
std::string Listing(const std::string& dir) {
  std::ostringstream out;
  std::vector<std::string> lines;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    std::string line = e.path().string();
    if (e.is_regular_file()) {
      std::ifstream in(e.path(), std::ios::binary);
      std::string head(64, '\0');
      in.read(head.data(), 64);
      line += " " + std::to_string(e.file_size()) + " " + head.substr(0, std::size_t(in.gcount()));
    }
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& l : lines) out << l << "\n";
  return out.str();
}

}  // namespace

TEST_CASE("bad arguments exit 2 with a message", "[tools][usage]") {
  keel::eventstore::test::TempDir dir;
  const std::string d = dir.str();
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"frobnicate"},
      {"verify"},
      {"verify", "--data", d, "--from", "0"},
      {"verify", "--data", d, "--from", "ten"},
      {"log", "--data", d, "--since", "last tuesday"},
      {"log", "--data", d, "--follow", "--to", "5"},
      {"state", "--data", d, "--as-of", "soon", "t/a/order/1"},
      {"export", "--data", d},
      {"import", "/nonexistent/file.jsonl", "--data", d},
      {"backup", "--to", d + "/b"},
      {"restore", "--from", d + "/nothing", "--data", d + "/r"},
      {"projections"},
      {"projections", "retry", "orders", "--data", d},
      {"stats", "--data"},
      {"verify", "--data", d, "--from", "-1"},
      {"verify", "--data", d, "--to", "0"},
      {"backup", "--to", d + "/b", "--data", d, "--admin", "http://127.0.0.1:1"},
  };
  for (const auto& args : bad) {
    std::string line;
    for (const auto& a : args) line += a + " ";
    INFO("keel " << line);
    auto run = Keel(args);
    CHECK(run.exit_code == 2);
    CHECK_FALSE(run.err.empty());
  }
  auto help = Keel({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* sub : {"serve", "verify", "log", "stream", "state", "export", "import", "backup", "restore", "projections", "stats"})
    CHECK(help.out.find(std::string("  ") + sub) != std::string::npos);
  CHECK(help.out.find("Exit codes") != std::string::npos);
  CHECK(Keel({"verify", "--help"}).exit_code == 0);
  CHECK(Keel({"serve", "--help"}).exit_code == 0);
}

TEST_CASE("a directory that is not Keel's is refused and left as it was", "[tools][usage]") {
  keel::eventstore::test::TempDir dir;
  const std::string empty = dir.str() + "/empty", files = dir.str() + "/files", other = dir.str() + "/other-rocksdb";
  std::filesystem::create_directories(empty);
  std::filesystem::create_directories(files);
  std::ofstream(files + "/notes.txt") << "not a store\n";
  {
    rocksdb::DB* db = nullptr;
    rocksdb::Options o;
    o.create_if_missing = true;
    REQUIRE(rocksdb::DB::Open(o, other, &db).ok());
    REQUIRE(db->Put({}, "k", "v").ok());
    delete db;
  }
  for (const std::string& d : {empty, files, other}) {
    const std::string before = Listing(dir.str());
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"verify", "--data", d}, {"log", "--data", d}, {"stats", "--data", d},
          {"state", "--tenant", "t", "--data", d}, {"export", "--tenant", "t", "--data", d},
          {"backup", "--to", dir.str() + "/bk", "--data", d}, {"projections", "status", "--data", d},
          {"projections", "rebuild", "orders", "--data", d}}) {
      INFO(args[0] << " on " << d);
      auto run = Keel(args);
      CHECK(run.exit_code == 2);
      CHECK((run.err.find("no Keel data directory") != std::string::npos ||
             run.err.find("not a Keel data directory") != std::string::npos));
    }
    CHECK(Listing(dir.str()) == before);
  }
  // Nor does `keel serve` make a store of a directory with other things in it.
  for (const std::string& d : {files, other}) {
    const std::string before = Listing(dir.str());
    auto serve = keel::test::RunUntilKilled(
        KEEL_BINARY, {"serve", "--data", d, "--listen", "127.0.0.1:0", "--config", KEEL_CONFIG_DIR},
        [](const std::string& out) { return out.find("serving on") != std::string::npos; }, SIGTERM, /*with_stderr=*/true);
    INFO(serve.output);
    CHECK(serve.exit_code == 2);
    CHECK((serve.output.find("holds files but no Keel store") != std::string::npos ||
           serve.output.find("not a Keel data directory") != std::string::npos));
    std::filesystem::remove(d + ".master-key");
    CHECK(Listing(dir.str()) == before);
  }
  // A first start that fails (an address it cannot bind) leaves no store and no key behind.
  {
    const std::string fresh = dir.str() + "/fresh";
    auto serve = keel::test::RunUntilKilled(
        KEEL_BINARY, {"serve", "--data", fresh, "--listen", "8.8.8.8:80", "--config", KEEL_CONFIG_DIR},
        [](const std::string& out) { return out.find("serving on") != std::string::npos; }, SIGTERM, /*with_stderr=*/true);
    INFO(serve.output);
    CHECK(serve.exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(fresh));
    CHECK_FALSE(std::filesystem::exists(fresh + ".master-key"));
    std::filesystem::create_directories(fresh);  // an empty directory given: left empty
    auto again = keel::test::RunUntilKilled(
        KEEL_BINARY, {"serve", "--data", fresh, "--listen", "8.8.8.8:80", "--config", KEEL_CONFIG_DIR},
        [](const std::string& out) { return out.find("serving on") != std::string::npos; }, SIGTERM, /*with_stderr=*/true);
    CHECK(again.exit_code == 2);
    CHECK(std::filesystem::is_empty(fresh));
    CHECK_FALSE(std::filesystem::exists(fresh + ".master-key"));
    std::filesystem::remove(fresh);
  }
  // An import makes a store only in a new or empty directory.
  const std::string before = Listing(dir.str());
  std::ofstream(dir.str() + "/x.jsonl") << "{}\n{}\n";
  auto import_files = Keel({"import", dir.str() + "/x.jsonl", "--data", files});
  CHECK(import_files.exit_code == 1);  // the file is checked first: not an export
  std::filesystem::remove(dir.str() + "/x.jsonl");
  CHECK(Listing(dir.str()) == before);
}

TEST_CASE("keel log, stream and stats read the log beside the running server", "[tools][log]") {
  keel::test::DemoWorld demo;
  const std::string data = demo.data(), tenant = "northwind:acme-dist";
  const std::uint64_t head = demo.w.node->store().HeadPosition();

  auto placed = Keel({"log", "--data", data, "--tenant", tenant, "--type", "OrderPlaced", "--json"});
  REQUIRE(placed.exit_code == 0);
  std::istringstream lines(placed.out);
  int orders = 0;
  for (std::string l; std::getline(lines, l);) {
    auto j = Json::parse(l);
    CHECK(j["type"] == "OrderPlaced");
    CHECK(j["tenant"] == tenant);
    CHECK(j["data"]["tenant"] == tenant);
    ++orders;
  }
  CHECK(orders == 1);  // the demo's ord-1001
  auto tail = Keel({"log", "--data", data, "--tail", "3", "--json"});
  REQUIRE(tail.exit_code == 0);
  CHECK(std::count(tail.out.begin(), tail.out.end(), '\n') == 3);
  std::istringstream tail_lines(tail.out);
  std::uint64_t previous = 0;
  for (std::string l; std::getline(tail_lines, l);) {
    const std::uint64_t position = Json::parse(l)["position"];
    CHECK(position > previous);
    CHECK(position + 2 >= head);  // the last three: up to the head then, or what process managers added since
    previous = position;
  }
  auto range = Keel({"log", "--data", data, "--from", "2", "--to", "4"});
  REQUIRE(range.exit_code == 0);
  CHECK(std::count(range.out.begin(), range.out.end(), '\n') == 4);  // the header and three rows

  auto stream = Keel({"stream", "t/" + tenant + "/order/ord-1001", "--data", data, "--json"});
  REQUIRE(stream.exit_code == 0);
  std::istringstream events(stream.out);
  std::uint64_t version = 0;
  for (std::string l; std::getline(events, l);) CHECK(Json::parse(l)["version"] == ++version);
  CHECK(version >= 2);
  CHECK(Keel({"stream", "t/" + tenant + "/order/nope", "--data", data}).exit_code == 2);

  auto stats = Keel({"stats", "--data", data, "--json", "--config", KEEL_CONFIG_DIR});
  REQUIRE(stats.exit_code == 0);
  auto s = keel::test::JsonOut(stats);
  CHECK(s["events"] == s["head"]);
  CHECK(s["head"].get<std::uint64_t>() >= head);
  std::uint64_t sum = 0;
  for (const auto& t : s["by_tenant"]) sum += t["events"].get<std::uint64_t>();
  CHECK(sum == s["head"].get<std::uint64_t>());
  CHECK(s["projections"].size() >= 8);

  // --follow prints what the server appends after it started, until Ctrl-C (exit 0).
  bool ordered = false;
  auto follow = keel::test::RunUntilKilled(
      KEEL_BINARY, {"log", "--data", data, "--follow", "--from", std::to_string(head + 1), "--type", "OrderPlaced"},
      [&](const std::string& out) {
        if (!ordered && out.find("POSITION") != std::string::npos) {
          ordered = true;
          REQUIRE(demo.PlaceOrder(tenant, "followed-1", 2) == 201);
        }
        return out.find("OrderPlaced") != std::string::npos;
      },
      SIGINT);
  CHECK(follow.exit_code == 0);
  CHECK(follow.output.find("t/" + tenant + "/order/followed-1") != std::string::npos);
}
