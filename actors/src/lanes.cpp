// Lanes (see lanes.hpp). Work that finishes without waiting for anything would otherwise start the
// next piece from inside itself, and a long queue of such work would nest that deep; instead a
// thread that is already launching work queues further launches and runs them in a loop.
#include "actors/lanes.hpp"

#include <utility>

namespace keel::actors {
namespace {
thread_local std::deque<std::function<void()>>* launching = nullptr;
}  // namespace

void Lanes::Post(const std::string& lane, Work work, std::function<void()> done) {
  {
    std::lock_guard lock(mu_);
    auto it = queued_.find(lane);
    if (it != queued_.end()) {
      it->second.push_back(Item{std::move(work), std::move(done)});
      return;
    }
    queued_.emplace(lane, std::deque<Item>{});
  }
  Launch(lane, Item{std::move(work), std::move(done)});
}

void Lanes::Launch(const std::string& lane, Item item) {
  auto run = [this, lane, item = std::move(item)]() mutable {
    // The work object lives until its task finishes: a coroutine lambda's captures live in it.
    auto work = std::make_shared<Work>(std::move(item.work));
    // `done` may let the owner stop and drop these lanes (the last piece of work finished): when they
    // are owned by a shared_ptr, the finishing task keeps them alive until Finish has run.
    Task::Start((*work)(), [this, keep = weak_from_this().lock(), lane, work, done = std::move(item.done)] {
      if (done) done();
      Finish(lane);
    });
  };
  if (launching != nullptr) {
    launching->push_back(std::move(run));
    return;
  }
  std::deque<std::function<void()>> pending;
  launching = &pending;
  run();
  while (!pending.empty()) {
    auto next = std::move(pending.front());
    pending.pop_front();
    next();
  }
  launching = nullptr;
}

void Lanes::Finish(const std::string& lane) {
  Item next;
  {
    std::lock_guard lock(mu_);
    auto it = queued_.find(lane);
    if (it == queued_.end()) return;
    if (it->second.empty()) {
      queued_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.pop_front();
  }
  Launch(lane, std::move(next));
}

std::size_t Lanes::busy() const {
  std::lock_guard lock(mu_);
  return queued_.size();
}

}  // namespace keel::actors
