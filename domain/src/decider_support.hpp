// Small helpers every decider file uses: visiting a command or event variant with lambdas.
// Private to the domain library.
#pragma once

namespace keel::domain {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace keel::domain
