// Given/when/then helpers shared by the decider tests. Decide and Evolve are found by argument-
// dependent lookup in the aggregate's namespace, so one template serves every aggregate.
#pragma once

#include <catch2/catch.hpp>

#include <vector>

#include "domain/billing.hpp"
#include "domain/catalog.hpp"
#include "domain/order.hpp"
#include "domain/partner.hpp"
#include "domain/tenant.hpp"
#include "domain/warehouse.hpp"

namespace keel::domain::test {

// The events `command` yields on `state`; fails the test on a refusal.
template <class Command, class State>
auto Accept(const Command& command, const State& state) {
  auto d = Decide(command, state);
  if (!d) FAIL("rejected: " << RejectionCodeName(d.error().code) << ": " << d.error().message);
  return *d;
}

// The code of the refusal `command` meets on `state`; fails the test when it is accepted.
template <class Command, class State>
RejectionCode Refuse(const Command& command, const State& state) {
  auto d = Decide(command, state);
  REQUIRE_FALSE(d);
  CHECK_FALSE(d.error().message.empty());
  return d.error().code;
}

template <class State> struct CommandOf;
template <> struct CommandOf<billing::State> { using type = billing::Command; };
template <> struct CommandOf<catalog::State> { using type = catalog::Command; };
template <> struct CommandOf<order::State> { using type = order::Command; };
template <> struct CommandOf<partner::State> { using type = partner::Command; };
template <> struct CommandOf<tenant::State> { using type = tenant::Command; };
template <> struct CommandOf<warehouse::State> { using type = warehouse::Command; };

// Decides and applies `commands` in turn; fails the test on the first refusal.
template <class State>
State Run(State state, const std::vector<typename CommandOf<State>::type>& commands) {
  for (const auto& c : commands) {
    for (const auto& e : Accept(c, state)) state = Evolve(std::move(state), e);
  }
  return state;
}

}  // namespace keel::domain::test
