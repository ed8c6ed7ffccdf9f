// Coroutines for process managers' asynchronous steps: `co_await` a command or a read on the runtime
// without holding a thread while it waits (the runtime's ExecuteAsync/GetAsync underneath), several
// at once with AwaitExecuteAll/AwaitReadAll, or another Task. A Task starts lazily: a parent runs it by
// awaiting it; a top-level one by Task::Start, which calls `done` when it finishes and frees it.
//
// Where a Task resumes: on the thread that delivered the answer it awaited — a CAF worker, or the
// store's writer thread for a command whose append committed alone. So the code between two awaits
// must be quick and must never block (no synchronous Client, no locks held across an await), and a
// Snapshot should be dropped before the next await (an entity copies its state before changing it
// while a reader still holds it). Exceptions do not leave a Task: one is counted
// (Task::Unhandled()) and the task ends there.
//
// Always await a NAMED awaitable (`auto read = AwaitRead(...); auto snap = co_await read;`), never a
// temporary inside the co_await expression: g++ 12 destroys non-trivial temporaries of a co_await
// full-expression twice when the coroutine suspends there (seen as a double free in ~variant of a
// command), so fulfilment.cpp and every other coroutine here name each awaitable.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "actors/entity.hpp"
#include "actors/runtime.hpp"

namespace keel::actors {

class [[nodiscard]] Task {
 public:
  struct promise_type;
  using Handle = std::coroutine_handle<promise_type>;

  struct promise_type {
    std::coroutine_handle<> parent;  // set when awaited
    std::function<void()> done;      // set when started at the top level
    Task get_return_object() noexcept { return Task{Handle::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct Final {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(Handle h) noexcept {
        if (auto parent = h.promise().parent) return parent;  // the parent's Task frees this frame
        auto done = std::move(h.promise().done);
        h.destroy();
        if (done) done();
        return std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { unhandled().fetch_add(1); }
  };

  Task(Task&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (h_) h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }

  // Awaiting a Task runs it; the awaiter resumes when it has finished.
  bool await_ready() const noexcept { return !h_; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h_.promise().parent = parent;
    return h_;
  }
  void await_resume() const noexcept {}

  // Runs `task` at the top level on this thread until its first await; `done` runs when it finishes.
  static void Start(Task task, std::function<void()> done) {
    auto h = std::exchange(task.h_, {});
    if (!h) {
      if (done) done();
      return;
    }
    h.promise().done = std::move(done);
    h.resume();
  }

  // Exceptions that ended a task (a bug: handlers report failures as values).
  static std::uint64_t Unhandled() { return unhandled().load(); }

 private:
  explicit Task(Handle h) : h_(h) {}
  static std::atomic<std::uint64_t>& unhandled() {
    static std::atomic<std::uint64_t> count{0};
    return count;
  }
  Handle h_;
};

namespace detail {

// Resumes the awaiting coroutine once `pending` reaches zero. The await itself holds one count, so an
// answer that arrives before await_suspend returns makes it not suspend at all (no resumption from
// inside await_suspend, no stack growth).
struct Gate {
  std::atomic<int> pending;
  std::coroutine_handle<> waiter;
  explicit Gate(int n) : pending(n + 1) {}
  void Arrive() {
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) waiter.resume();
  }
  bool Suspend(std::coroutine_handle<> h) {
    waiter = h;
    return pending.fetch_sub(1, std::memory_order_acq_rel) != 1;
  }
};

}  // namespace detail

// One command to send.
struct SendCommand {
  EntityKey key;
  AnyCommand command;
  CommandMeta meta;
};

// co_await AwaitExecuteAll(runtime, sends): every command sent at once; their replies in order.
class AwaitExecuteAll {
 public:
  AwaitExecuteAll(Runtime& runtime, std::vector<SendCommand> sends)
      : runtime_(runtime), sends_(std::move(sends)), replies_(sends_.size()), gate_(static_cast<int>(sends_.size())) {}
  bool await_ready() const noexcept { return sends_.empty(); }
  bool await_suspend(std::coroutine_handle<> h) {
    gate_.waiter = h;
    for (std::size_t i = 0; i < sends_.size(); ++i) {
      runtime_.ExecuteAsync(sends_[i].key, std::move(sends_[i].command), std::move(sends_[i].meta),
                            [this, i](Reply r) {
                              replies_[i].emplace(std::move(r));
                              gate_.Arrive();
                            });
    }
    return gate_.Suspend(h);
  }
  std::vector<Reply> await_resume() {
    std::vector<Reply> out;
    out.reserve(replies_.size());
    for (auto& r : replies_) out.push_back(std::move(*r));
    return out;
  }

 private:
  Runtime& runtime_;
  std::vector<SendCommand> sends_;
  std::vector<std::optional<Reply>> replies_;
  detail::Gate gate_;
};

// co_await AwaitExecute(runtime, key, command, meta): one command's reply.
class AwaitExecute {
 public:
  AwaitExecute(Runtime& runtime, EntityKey key, AnyCommand command, CommandMeta meta)
      : all_(runtime, std::vector<SendCommand>{SendCommand{std::move(key), std::move(command), std::move(meta)}}) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) { return all_.await_suspend(h); }
  Reply await_resume() { return std::move(all_.await_resume().front()); }

 private:
  AwaitExecuteAll all_;
};

// co_await AwaitReadAll(runtime, keys): the entities' states, read at once, in order (nullopt: no answer).
class AwaitReadAll {
 public:
  AwaitReadAll(Runtime& runtime, std::vector<EntityKey> keys)
      : runtime_(runtime), keys_(std::move(keys)), states_(keys_.size()), gate_(static_cast<int>(keys_.size())) {}
  bool await_ready() const noexcept { return keys_.empty(); }
  bool await_suspend(std::coroutine_handle<> h) {
    gate_.waiter = h;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      runtime_.GetAsync(keys_[i], [this, i](std::optional<Snapshot> s) {
        states_[i] = std::move(s);
        gate_.Arrive();
      });
    }
    return gate_.Suspend(h);
  }
  std::vector<std::optional<Snapshot>> await_resume() { return std::move(states_); }

 private:
  Runtime& runtime_;
  std::vector<EntityKey> keys_;
  std::vector<std::optional<Snapshot>> states_;
  detail::Gate gate_;
};

// co_await AwaitInspectAll(runtime, keys, inspect): reads the entities at once and calls
// inspect(i, state) (nullptr: no answer) as each answers — on the entity's own thread, before it
// handles its next message — then drops the snapshot. So nothing is held across the wait and the
// entity never copies its state for this reader, however many commands follow. `inspect` runs on
// several threads at once for different i: it must write only to slot i of what it fills.
class AwaitInspectAll {
 public:
  using Inspect = std::function<void(std::size_t, const Snapshot*)>;
  AwaitInspectAll(Runtime& runtime, std::vector<EntityKey> keys, Inspect inspect)
      : runtime_(runtime), keys_(std::move(keys)), inspect_(std::move(inspect)), gate_(static_cast<int>(keys_.size())) {}
  bool await_ready() const noexcept { return keys_.empty(); }
  bool await_suspend(std::coroutine_handle<> h) {
    gate_.waiter = h;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      runtime_.GetAsync(keys_[i], [this, i](std::optional<Snapshot> s) {
        inspect_(i, s ? &*s : nullptr);
        s.reset();
        gate_.Arrive();
      });
    }
    return gate_.Suspend(h);
  }
  void await_resume() {}

 private:
  Runtime& runtime_;
  std::vector<EntityKey> keys_;
  Inspect inspect_;
  detail::Gate gate_;
};

// co_await AwaitRead(runtime, key): one entity's state.
class AwaitRead {
 public:
  AwaitRead(Runtime& runtime, EntityKey key) : all_(runtime, std::vector<EntityKey>{std::move(key)}) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) { return all_.await_suspend(h); }
  std::optional<Snapshot> await_resume() { return std::move(all_.await_resume().front()); }

 private:
  AwaitReadAll all_;
};

}  // namespace keel::actors
