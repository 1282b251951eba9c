// Error convention shared by every PolyGlot native shim (docs/architecture.md, "Errors"):
// no C++ exception crosses the C ABI. Each export runs its body inside pg::guard, which catches
// everything, stores the message in a thread-local slot and returns a status; the managed side
// reads the slot through the library's `*_last_error` export and throws an exception naming the
// operation.
#pragma once

#include <exception>
#include <string>

#define PG_EXPORT extern "C" __attribute__((visibility("default")))

namespace pg {

// Status codes returned by exports that do not return a handle.
constexpr int kOk = 0;
constexpr int kError = -1;

inline std::string& last_error() {
  thread_local std::string message;
  return message;
}

inline void set_error(const std::string& message) { last_error() = message; }

// Runs `body` and converts any exception into kError plus a stored message.
// `describe` turns library-specific exception types into readable text (e.g. c10::Error
// without its backtrace); it is tried before the std::exception fallback.
template <class Body>
int guard(Body&& body) noexcept {
  try {
    body();
    return kOk;
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown native exception");
  }
  return kError;
}

// Like guard, for exports that return a pointer/handle: null signals an error.
template <class T, class Body>
T* guard_ptr(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown native exception");
  }
  return nullptr;
}

}  // namespace pg
