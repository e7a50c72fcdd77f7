// cqlbridge.hpp: a header-only C++17 wrapper over the cqlbridge C ABI (cqlbridge.h).
// Owning, move-only types free their handle once; failures throw cqlb::Error with the
// status and message; futures can be waited, given a callback, or turned into std::future.
#ifndef CQLBRIDGE_HPP
#define CQLBRIDGE_HPP

#include <array>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cqlbridge.h"

namespace cqlb {

/// A failed call: its status and the library's message.
class Error : public std::runtime_error {
 public:
  Error(cqlb_status status, const std::string &message)
      : std::runtime_error(std::string(cqlb_status_name(status)) + ": " + message), status_(status) {}
  /// The status the call returned.
  cqlb_status status() const noexcept { return status_; }

 private:
  cqlb_status status_;
};

namespace detail {
/// Throws cqlb::Error when `status` is not CQLB_OK, with this thread's last error message.
inline void check(cqlb_status status) {
  if (status == CQLB_OK) return;
  const char *msg = "";
  size_t len = 0;
  cqlb_last_error_message(&msg, &len);
  throw Error(status, std::string(msg, len));
}

/// A move-only owner of one handle, freed with `Free` exactly once.
template <typename Handle, cqlb_status (*Free)(Handle)>
class Owned {
 public:
  Owned() noexcept : h_{0} {}
  explicit Owned(Handle h) noexcept : h_(h) {}
  Owned(const Owned &) = delete;
  Owned &operator=(const Owned &) = delete;
  Owned(Owned &&o) noexcept : h_(o.h_) { o.h_.handle = 0; }
  Owned &operator=(Owned &&o) noexcept {
    if (this != &o) {
      reset();
      h_ = o.h_;
      o.h_.handle = 0;
    }
    return *this;
  }
  ~Owned() { reset(); }
  /// The C handle (still owned by this object).
  Handle get() const noexcept { return h_; }
  /// Whether a handle is owned.
  explicit operator bool() const noexcept { return h_.handle != 0; }

 protected:
  void reset() noexcept {
    if (h_.handle != 0) Free(h_);
    h_.handle = 0;
  }
  Handle h_;
};
}  // namespace detail

/// A page of results, read by (row, column).
class Result : public detail::Owned<cqlb_result, cqlb_result_free> {
 public:
  using Owned::Owned;
  /// Rows in this page.
  size_t rows() const {
    size_t n = 0;
    detail::check(cqlb_result_row_count(h_, &n));
    return n;
  }
  /// Columns of the result.
  size_t columns() const {
    size_t n = 0;
    detail::check(cqlb_result_column_count(h_, &n));
    return n;
  }
  /// The index of the column named `name`.
  size_t column(std::string_view name) const {
    size_t i = 0;
    detail::check(cqlb_result_column_index(h_, name.data(), name.size(), &i));
    return i;
  }
  /// Whether (row, column) is null.
  bool is_null(size_t row, size_t col) const {
    bool null = false;
    detail::check(cqlb_result_is_null(h_, row, col, &null));
    return null;
  }
  /// A boolean.
  bool get_bool(size_t row, size_t col) const {
    bool v = false;
    detail::check(cqlb_result_get_bool(h_, row, col, &v));
    return v;
  }
  /// Any integer column, widened.
  int64_t get_int64(size_t row, size_t col) const {
    int64_t v = 0;
    detail::check(cqlb_result_get_int64(h_, row, col, &v));
    return v;
  }
  /// An int (or narrower) column.
  int32_t get_int32(size_t row, size_t col) const {
    int32_t v = 0;
    detail::check(cqlb_result_get_int32(h_, row, col, &v));
    return v;
  }
  /// A double (or float) column.
  double get_double(size_t row, size_t col) const {
    double v = 0;
    detail::check(cqlb_result_get_double(h_, row, col, &v));
    return v;
  }
  /// A text column, viewing the result's memory (valid while this Result lives).
  std::string_view get_string(size_t row, size_t col) const {
    const char *p = nullptr;
    size_t n = 0;
    detail::check(cqlb_result_get_string(h_, row, col, &p, &n));
    return {p, n};
  }
  /// A uuid or timeuuid column.
  std::array<uint8_t, 16> get_uuid(size_t row, size_t col) const {
    std::array<uint8_t, 16> u{};
    detail::check(cqlb_result_get_uuid(h_, row, col, u.data()));
    return u;
  }
  /// A timestamp column (milliseconds since the epoch).
  int64_t get_timestamp(size_t row, size_t col) const {
    int64_t v = 0;
    detail::check(cqlb_result_get_timestamp(h_, row, col, &v));
    return v;
  }
  /// Any value as text (collections, UDTs, decimals).
  std::string text_of(size_t row, size_t col) const {
    const char *p = nullptr;
    size_t n = 0;
    detail::check(cqlb_result_get_text_of(h_, row, col, &p, &n));
    return {p, n};
  }
  /// For a conditional statement: whether it was applied (nullopt for others).
  std::optional<bool> was_applied() const {
    int32_t a = -1;
    detail::check(cqlb_result_was_applied(h_, &a));
    if (a < 0) return std::nullopt;
    return a == 1;
  }
  /// The paging state of the next page (empty on the last page).
  std::vector<uint8_t> paging_state() const {
    const uint8_t *p = nullptr;
    size_t n = 0;
    detail::check(cqlb_result_paging_state(h_, &p, &n));
    return std::vector<uint8_t>(p, p + n);
  }
};

/// A statement with its bound values and options.
class Statement : public detail::Owned<cqlb_statement, cqlb_statement_free> {
 public:
  using Owned::Owned;
  /// A statement from CQL text.
  explicit Statement(std::string_view cql) {
    detail::check(cqlb_statement_new(cql.data(), cql.size(), &h_));
  }
  /// Binds null.
  Statement &bind_null(size_t i) { return chk(cqlb_statement_bind_null(h_, i)); }
  /// Binds a boolean.
  Statement &bind(size_t i, bool v) { return chk(cqlb_statement_bind_bool(h_, i, v)); }
  /// Binds an int.
  Statement &bind(size_t i, int32_t v) { return chk(cqlb_statement_bind_int32(h_, i, v)); }
  /// Binds a bigint (or any integer column that holds it).
  Statement &bind(size_t i, int64_t v) { return chk(cqlb_statement_bind_int64(h_, i, v)); }
  /// Binds a double.
  Statement &bind(size_t i, double v) { return chk(cqlb_statement_bind_double(h_, i, v)); }
  /// Binds text.
  Statement &bind(size_t i, std::string_view v) { return chk(cqlb_statement_bind_string(h_, i, v.data(), v.size())); }
  /// Binds text (a C string).
  Statement &bind(size_t i, const char *v) { return bind(i, std::string_view(v)); }
  /// Binds a uuid.
  Statement &bind(size_t i, const std::array<uint8_t, 16> &u) { return chk(cqlb_statement_bind_uuid(h_, i, u.data())); }
  /// Binds a timestamp (milliseconds since the epoch).
  Statement &bind_timestamp(size_t i, int64_t millis) { return chk(cqlb_statement_bind_timestamp(h_, i, millis)); }
  /// Binds an int by marker name.
  Statement &bind(std::string_view name, int32_t v) {
    return chk(cqlb_statement_bind_int32_by_name(h_, name.data(), name.size(), v));
  }
  /// Binds text by marker name.
  Statement &bind(std::string_view name, std::string_view v) {
    return chk(cqlb_statement_bind_string_by_name(h_, name.data(), name.size(), v.data(), v.size()));
  }
  /// Sets the consistency level (CQLB_CONSISTENCY_*).
  Statement &consistency(uint16_t c) { return chk(cqlb_statement_set_consistency(h_, c)); }
  /// Sets the page size.
  Statement &page_size(int32_t rows) { return chk(cqlb_statement_set_page_size(h_, rows)); }
  /// Resumes at a paging state.
  Statement &paging_state(const std::vector<uint8_t> &s) {
    return chk(cqlb_statement_set_paging_state(h_, s.data(), s.size()));
  }
  /// Marks the statement idempotent.
  Statement &idempotent(bool v = true) { return chk(cqlb_statement_set_idempotent(h_, v)); }

 private:
  Statement &chk(cqlb_status s) {
    detail::check(s);
    return *this;
  }
};

/// A prepared statement; `bind()` makes statements from it.
class Prepared : public detail::Owned<cqlb_prepared, cqlb_prepared_free> {
 public:
  using Owned::Owned;
  /// A new statement with every marker unset.
  Statement bind() const {
    cqlb_statement st;
    detail::check(cqlb_prepared_bind(h_, &st));
    return Statement(st);
  }
};

class Session;

/// An asynchronous outcome: wait, register a callback, or adapt to std::future.
class Future : public detail::Owned<cqlb_future, cqlb_future_free> {
 public:
  using Owned::Owned;
  /// Waits; throws the outcome's error. Returns after the callbacks registered before
  /// completion have returned.
  void wait() const { detail::check(cqlb_future_wait(h_)); }
  /// Whether the outcome is there.
  bool ready() const {
    bool r = false;
    detail::check(cqlb_future_ready(h_, &r));
    return r;
  }
  /// The result of an execution (waits first).
  Result result() const {
    wait();
    cqlb_result r;
    detail::check(cqlb_future_result(h_, &r));
    return Result(r);
  }
  /// Calls `f` once on completion (on a library thread; it must not block). `f` lives until
  /// then.
  void on_complete(std::function<void(cqlb_future)> f) const {
    auto *boxed = new std::function<void(cqlb_future)>(std::move(f));
    cqlb_status s = cqlb_future_set_callback(h_, &Future::trampoline, boxed);
    if (s != CQLB_OK) {
      delete boxed;
      detail::check(s);
    }
  }
  /// A std::future of the result, fulfilled from the completion callback (no thread waits).
  std::future<Result> to_std_future() const {
    auto promise = std::make_shared<std::promise<Result>>();
    std::future<Result> fut = promise->get_future();
    on_complete([promise](cqlb_future f) {
      cqlb_result r;
      cqlb_status s = cqlb_future_result(f, &r);
      if (s == CQLB_OK) {
        promise->set_value(Result(r));
      } else {
        const char *msg = "";
        size_t len = 0;
        cqlb_future_error_message(f, &msg, &len);
        promise->set_exception(std::make_exception_ptr(Error(s, std::string(msg, len))));
      }
    });
    return fut;
  }

 private:
  static void trampoline(cqlb_future f, void *userdata) {
    auto *fn = static_cast<std::function<void(cqlb_future)> *>(userdata);
    try {
      (*fn)(f);
    } catch (...) {
      // Exceptions must not cross into the library.
    }
    delete fn;
  }
};

/// A connected session, shared by any number of threads.
class Session : public detail::Owned<cqlb_session, cqlb_session_free> {
 public:
  using Owned::Owned;
  /// Executes and waits for the first page.
  Result execute(const Statement &st) const {
    cqlb_result r;
    detail::check(cqlb_session_execute(h_, st.get(), &r));
    return Result(r);
  }
  /// Executes CQL text without values.
  Result execute(std::string_view cql) const { return execute(Statement(cql)); }
  /// Starts executing; the future yields the first page.
  Future execute_async(const Statement &st) const {
    cqlb_future f;
    detail::check(cqlb_session_execute_async(h_, st.get(), &f));
    return Future(f);
  }
  /// Prepares CQL text.
  Prepared prepare(std::string_view cql) const {
    cqlb_prepared p;
    detail::check(cqlb_session_prepare(h_, cql.data(), cql.size(), &p));
    return Prepared(p);
  }
};

/// Builds a configuration and connects.
class Cluster : public detail::Owned<cqlb_cluster_config, cqlb_cluster_config_free> {
 public:
  Cluster() { detail::check(cqlb_cluster_config_new(&h_)); }
  /// Adds a contact point (`host` or `host:port`).
  Cluster &contact_point(std::string_view host) {
    detail::check(cqlb_cluster_config_add_contact_point(h_, host.data(), host.size()));
    return *this;
  }
  /// Sets the default consistency level.
  Cluster &consistency(uint16_t c) {
    detail::check(cqlb_cluster_config_set_consistency(h_, c));
    return *this;
  }
  /// Authenticates with a username and password.
  Cluster &credentials(std::string_view user, std::string_view password) {
    detail::check(cqlb_cluster_config_set_credentials(h_, user.data(), user.size(), password.data(), password.size()));
    return *this;
  }
  /// Connects and waits.
  Session connect() const {
    cqlb_future f;
    detail::check(cqlb_session_connect(h_, &f));
    Future owned(f);
    owned.wait();
    cqlb_session s;
    detail::check(cqlb_future_session(owned.get(), &s));
    return Session(s);
  }
};

}  // namespace cqlb

#endif
