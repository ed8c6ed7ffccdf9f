// The server: io threads running one io_context, the listener, the worker pool, and the graceful
// stop (see server.hpp).
#include "gateway/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <pthread.h>

#include <optional>
#include <thread>
#include <vector>

#include "listener.hpp"

namespace keel::gateway {

struct Server::Impl {
  Impl(Api& api, eventstore::EventStore& store, actors::Runtime& runtime, ServerOptions o)
      : options(std::move(o)),
        io_threads(options.io_threads ? options.io_threads : std::max(1u, std::thread::hardware_concurrency())),
        pool(runtime, options.workers, options.max_in_flight),
        state(api, store, pool, options),
        ioc(static_cast<int>(io_threads)) {}
  // Declaration order is destruction order backwards: the io_context goes first (destroying the
  // sessions its pending handlers hold, which still use the state and the pool), then state and pool.
  ServerOptions options;
  std::size_t io_threads;
  WorkerPool pool;
  ServerState state;
  net::io_context ioc;
  // Keeps the io threads running while the server lives: without it they return once the listener is
  // closed and no socket is waiting, and answers posted after that (a command that completes during the
  // drain) would never be written.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::shared_ptr<Listener> listener, admin_listener;
  std::vector<std::thread> threads;
  std::uint16_t port = 0, admin_port = 0;
  bool started = false, stopped = false;
};

Server::Server(Api& api, eventstore::EventStore& store, actors::Runtime& runtime, ServerOptions options)
    : impl_(std::make_unique<Impl>(api, store, runtime, std::move(options))) {}

Server::~Server() { Stop(); }

std::expected<void, std::string> Server::Start() {
  if (impl_->started) return std::unexpected("already started");
  impl_->listener = std::make_shared<Listener>(impl_->ioc, impl_->state);
  auto bound = impl_->listener->Open(impl_->options.address, impl_->options.port);
  if (!bound) return std::unexpected(bound.error());
  impl_->port = *bound;
  impl_->admin_listener = std::make_shared<Listener>(impl_->ioc, impl_->state, /*admin=*/true);
  auto admin_bound = impl_->admin_listener->Open(impl_->options.admin_address, impl_->options.admin_port);
  if (!admin_bound) return std::unexpected("admin listener: " + admin_bound.error());
  impl_->admin_port = *admin_bound;
  impl_->listener->Run();
  impl_->admin_listener->Run();
  impl_->work.emplace(impl_->ioc.get_executor());
  for (std::size_t i = 0; i < impl_->io_threads; ++i) impl_->threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "keel-io");
      impl_->ioc.run();
    });
  impl_->started = true;
  return {};
}

std::uint16_t Server::port() const { return impl_->port; }
std::uint16_t Server::admin_port() const { return impl_->admin_port; }

void Server::Stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  auto& st = impl_->state;
  st.draining = true;
  st.api.SetDraining(true);
  impl_->listener->Close();
  impl_->admin_listener->Close();
  // Let every accepted request be answered (its command is durable before its answer is written), and
  // every answer be written, including the 503 'draining' of a request read during the drain. Then wait
  // for a short quiet spell, so that a request already in a socket buffer is read and answered rather
  // than cut off with its connection.
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + impl_->options.drain_timeout;
  auto busy = [&] {
    return st.open_requests.load() > 0 || st.writing.load() > 0 || impl_->pool.in_flight() > 0 ||
           Clock::now() - st.LastRead() < impl_->options.drain_quiet;
  };
  while (busy() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  st.StopFeeds();
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->pool.Stop();
}

}  // namespace keel::gateway
