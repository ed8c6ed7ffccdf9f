// Lanes: ordered queues of asynchronous work (Tasks) keyed by a name. Work posted to one lane runs one
// piece at a time in the order posted; different lanes run concurrently. Process managers use one lane
// per order (every step that reads and changes an order's reservations runs in its lane) and one per
// warehouse (stock arriving there is offered to waiting orders in log order), so two orders proceed
// side by side while the steps of one never interleave. Nothing here blocks: work starts on the
// thread that posts it or on the one that finished the work before it.
#pragma once

#include <coroutine>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "actors/task.hpp"

namespace keel::actors {

class Lanes : public std::enable_shared_from_this<Lanes> {
 public:
  using Work = std::function<Task()>;

  // Queues `work` on `lane`; it starts once the work posted there before it has finished. `done` runs
  // after it finishes (on whichever thread finished it).
  void Post(const std::string& lane, Work work, std::function<void()> done = {});

  // co_await lanes.Run(lane, work): Post, resuming the awaiter once `work` has finished.
  class Awaiter {
   public:
    Awaiter(Lanes& lanes, std::string lane, Work work) : lanes_(lanes), lane_(std::move(lane)), work_(std::move(work)) {}
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      gate_.waiter = h;
      lanes_.Post(lane_, std::move(work_), [this] { gate_.Arrive(); });
      return gate_.Suspend(h);
    }
    void await_resume() const noexcept {}

   private:
    Lanes& lanes_;
    std::string lane_;
    Work work_;
    detail::Gate gate_{1};
  };
  Awaiter Run(std::string lane, Work work) { return Awaiter(*this, std::move(lane), std::move(work)); }

  std::size_t busy() const;  // lanes with work running or queued

 private:
  struct Item {
    Work work;
    std::function<void()> done;
  };
  void Launch(const std::string& lane, Item item);
  void Finish(const std::string& lane);

  mutable std::mutex mu_;
  std::map<std::string, std::deque<Item>, std::less<>> queued_;  // a lane is present while busy
};

}  // namespace keel::actors
