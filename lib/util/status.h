// SPDX-License-Identifier: Apache-2.0
// status.h - success or a typed error with a message, and Result<T> = value or Status.
//
// Every fallible operation in lib/ returns one of these instead of throwing across a
// module boundary. Both are plain values: copyable, movable, safe to pass between threads.
// g++ 12 has no std::expected in C++20, hence this small replacement.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace cm {

class [[nodiscard]] Status {
public:
    enum class Code { ok, invalid_argument, not_found, io_error, unavailable, corruption, internal };

    Status() = default;

    static Status OK() { return {}; }
    static Status InvalidArgument(std::string msg) { return {Code::invalid_argument, std::move(msg)}; }
    static Status NotFound(std::string msg) { return {Code::not_found, std::move(msg)}; }
    static Status IOError(std::string msg) { return {Code::io_error, std::move(msg)}; }
    // A dependency (consent store, ...) cannot be reached now; retrying later may work.
    static Status Unavailable(std::string msg) { return {Code::unavailable, std::move(msg)}; }
    static Status Corruption(std::string msg) { return {Code::corruption, std::move(msg)}; }
    static Status Internal(std::string msg) { return {Code::internal, std::move(msg)}; }

    bool ok() const { return code_ == Code::ok; }
    Code code() const { return code_; }
    const std::string& message() const { return message_; }
    // "OK" or "<code name>: <message>".
    std::string ToString() const;

private:
    Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

    Code code_ = Code::ok;
    std::string message_;
};

// A value of T, or the Status saying why there is none. Accessing value() of an error
// Result is a bug (asserted).
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
    Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

    bool ok() const { return value_.has_value(); }
    const Status& status() const { return status_; }

    T& value() & { assert(ok()); return *value_; }
    const T& value() const& { assert(ok()); return *value_; }
    T&& value() && { assert(ok()); return std::move(*value_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::optional<T> value_;
    Status status_;
};

}  // namespace cm
