// cqlbridge.hpp: a header-only C++17 wrapper over the cqlbridge C ABI (cqlbridge.h).
// Owning, move-only types free their handle once; failures throw cqlb::Error with the
// status and message; futures can be waited, given a callback, or turned into std::future.
// The object mapper: a Model described with builder calls, rows as Value, a ModelBatch.
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

/// What builders share: `chk(status)` throws on failure, else returns the builder for chaining.
template <typename Self>
class Chained {
 protected:
  Self &chk(cqlb_status s) {
    check(s);
    return static_cast<Self &>(*this);
  }
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
class Statement : public detail::Owned<cqlb_statement, cqlb_statement_free>, public detail::Chained<Statement> {
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

/// A value under construction: a row of named values (`Value::row().put(name, v)...`, for
/// the mapper), a list, a set or a map (keys and values appended in turn). Appended values
/// are copies.
class Value : public detail::Owned<cqlb_value, cqlb_value_free>, public detail::Chained<Value> {
 public:
  using Owned::Owned;
  /// A row of named values (a UDT value): `put(name, value)` for each.
  static Value row() { return make(cqlb_value_new_udt); }
  /// An empty list.
  static Value list() { return make(cqlb_value_new_list); }
  /// An empty set.
  static Value set() { return make(cqlb_value_new_set); }
  /// An empty map: append a key, then its value.
  static Value map() { return make(cqlb_value_new_map); }
  /// Names the next field (rows only).
  Value &field(std::string_view name) { return chk(cqlb_value_field(h_, name.data(), name.size())); }
  /// Appends text.
  Value &add(std::string_view v) { return chk(cqlb_value_append_string(h_, v.data(), v.size())); }
  /// Appends text (a C string).
  Value &add(const char *v) { return add(std::string_view(v)); }
  /// Appends an int.
  Value &add(int32_t v) { return chk(cqlb_value_append_int32(h_, v)); }
  /// Appends a bigint.
  Value &add(int64_t v) { return chk(cqlb_value_append_int64(h_, v)); }
  /// Appends a boolean.
  Value &add(bool v) { return chk(cqlb_value_append_bool(h_, v)); }
  /// Appends a double.
  Value &add(double v) { return chk(cqlb_value_append_double(h_, v)); }
  /// Appends a uuid.
  Value &add(const std::array<uint8_t, 16> &u) { return chk(cqlb_value_append_uuid(h_, u.data())); }
  /// Appends a copy of another value (nesting).
  Value &add(const Value &v) { return chk(cqlb_value_append_value(h_, v.get())); }
  /// Appends a timestamp (milliseconds since the epoch).
  Value &add_timestamp(int64_t millis) { return chk(cqlb_value_append_timestamp(h_, millis)); }
  /// Appends null.
  Value &add_null() { return chk(cqlb_value_append_null(h_)); }
  /// A named value of a row: `field(name).add(v)`.
  template <typename T>
  Value &put(std::string_view name, const T &v) {
    return field(name).add(v);
  }

 private:
  static Value make(cqlb_status (*start)(cqlb_value *)) {
    cqlb_value v;
    detail::check(start(&v));
    return Value(v);
  }
};

/// A column's part in the primary key.
enum class Key : uint32_t { none = 0, partition = 1, clustering = 2, clustering_desc = 3 };

/// A column's generated default.
enum class Generated : uint32_t { uuid4 = 1, timeuuid = 2, now = 3 };

/// A model: a table described in code (columns, keys, options, polymorphism). Its table is
/// its name in snake_case unless `table()` says otherwise.
class Model : public detail::Owned<cqlb_model, cqlb_model_free>, public detail::Chained<Model> {
 public:
  using Owned::Owned;
  /// A model named `name`.
  explicit Model(std::string_view name) { detail::check(cqlb_model_new(name.data(), name.size(), &h_)); }
  /// Sets the keyspace (otherwise the session's).
  Model &keyspace(std::string_view ks) { return chk(cqlb_model_set_keyspace(h_, ks.data(), ks.size())); }
  /// Sets the table's name.
  Model &table(std::string_view t) { return chk(cqlb_model_set_table(h_, t.data(), t.size())); }
  /// Adds a column: its CQL type as text, its part in the key, `CQLB_COLUMN_*` flags.
  Model &column(std::string_view name, std::string_view cql_type, Key key = Key::none, uint32_t flags = 0) {
    return chk(cqlb_model_add_column(h_, name.data(), name.size(), cql_type.data(), cql_type.size(),
                                     static_cast<uint32_t>(key), flags));
  }
  /// Gives a column a generated default.
  Model &default_value(std::string_view name, Generated g) {
    return chk(cqlb_model_set_column_default(h_, name.data(), name.size(), static_cast<uint32_t>(g)));
  }
  /// Sets a numeric table option.
  Model &option(std::string_view name, int64_t v) {
    return chk(cqlb_model_set_option_int(h_, name.data(), name.size(), v));
  }
  /// Sets a text table option.
  Model &option(std::string_view name, std::string_view v) {
    return chk(cqlb_model_set_option_text(h_, name.data(), name.size(), v.data(), v.size()));
  }
  /// Sets one entry of a map table option (`compaction`, `caching`, ...).
  Model &option(std::string_view name, std::string_view key, std::string_view v) {
    return chk(cqlb_model_set_option_entry(h_, name.data(), name.size(), key.data(), key.size(), v.data(), v.size()));
  }
  /// Sets the default time to live in seconds.
  Model &default_ttl(int32_t seconds) { return chk(cqlb_model_set_default_ttl(h_, seconds)); }
  /// Makes the model part of a polymorphic table with discriminator `column`; `value` is
  /// this model's (none for the base, which queries every kind and cannot be saved).
  Model &polymorphism(std::string_view column, std::optional<std::string_view> value = std::nullopt) {
    return chk(cqlb_model_set_polymorphism(h_, column.data(), column.size(), value ? value->data() : nullptr,
                                           value ? value->size() : 0));
  }
  /// Declares a kind of a polymorphic table: its discriminator value and model name.
  Model &subtype(std::string_view value, std::string_view name) {
    return chk(cqlb_model_add_subtype(h_, value.data(), value.size(), name.data(), name.size()));
  }
};

/// Model writes sent together as one batch (`Session::execute`).
class ModelBatch : public detail::Owned<cqlb_model_batch, cqlb_model_batch_free>, public detail::Chained<ModelBatch> {
 public:
  using Owned::Owned;
  /// A batch: 0 LOGGED, 1 UNLOGGED, 2 COUNTER.
  explicit ModelBatch(uint32_t type = 0) { detail::check(cqlb_model_batch_new(type, &h_)); }
  /// Adds a create (validated now).
  ModelBatch &create(const Model &m, const Value &values) {
    return chk(cqlb_model_batch_add_create(h_, m.get(), values.get(), nullptr));
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
  /// Runs the statements with at most `concurrency` in flight; their first pages in input
  /// order, or the first error (after which no statement starts).
  std::vector<Result> execute_concurrent(const std::vector<Statement> &statements, size_t concurrency) const {
    std::vector<cqlb_statement> handles;
    for (const auto &st : statements) handles.push_back(st.get());
    cqlb_future f;
    detail::check(cqlb_session_execute_concurrent(h_, handles.data(), handles.size(), concurrency, true, &f));
    Future owned(f);
    owned.wait();
    cqlb_outcomes o;
    detail::check(cqlb_future_outcomes(owned.get(), &o));
    detail::Owned<cqlb_outcomes, cqlb_outcomes_free> outcomes(o);
    std::vector<Result> results;
    for (size_t i = 0; i < handles.size(); i++) {
      cqlb_result r;
      detail::check(cqlb_outcomes_result(o, i, &r));
      results.emplace_back(r);
    }
    return results;
  }
  /// Makes the model's table match the model (never drops); whether anything changed.
  bool sync_table(const Model &m) const {
    bool changed = false;
    detail::check(cqlb_session_sync_table(h_, m.get(), &changed));
    return changed;
  }
  /// Inserts a row (validated, defaults filled) and returns it as stored.
  Result create(const Model &m, const Value &values) const {
    cqlb_result r;
    detail::check(cqlb_model_create(h_, m.get(), values.get(), nullptr, &r, nullptr));
    return Result(r);
  }
  /// Inserts a row `IF NOT EXISTS`: nullopt when it was written, else the existing row.
  std::optional<Result> create_if_not_exists(const Model &m, const Value &values) const {
    cqlb_write_options options{0, 0, 0xFFFF, true, false, {0}};
    cqlb_result existing{0};
    cqlb_status s = cqlb_model_create(h_, m.get(), values.get(), &options, nullptr, &existing);
    if (s == CQLB_LWT_FAILED) return Result(existing);
    detail::check(s);
    return std::nullopt;
  }
  /// The one row matching the equality `filters`; throws CQLB_DOES_NOT_EXIST when none,
  /// CQLB_MULTIPLE_OBJECTS_RETURNED when several.
  Result get(const Model &m, const Value &filters) const {
    cqlb_result r;
    detail::check(cqlb_model_get(h_, m.get(), filters.get(), &r));
    return Result(r);
  }
  /// Every row matching the equality `filters`, all pages.
  Result select(const Model &m, const Value &filters) const {
    cqlb_result r;
    detail::check(cqlb_model_select(h_, m.get(), filters.get(), nullptr, &r));
    return Result(r);
  }
  /// Sends a batch of model writes.
  void execute(const ModelBatch &b) const { detail::check(cqlb_model_batch_execute(h_, b.get())); }
};

/// Builds a configuration and connects.
class Cluster : public detail::Owned<cqlb_cluster_config, cqlb_cluster_config_free>, public detail::Chained<Cluster> {
 public:
  Cluster() { detail::check(cqlb_cluster_config_new(&h_)); }
  /// Adds a contact point (`host` or `host:port`).
  Cluster &contact_point(std::string_view host) {
    return chk(cqlb_cluster_config_add_contact_point(h_, host.data(), host.size()));
  }
  /// Sets the default consistency level.
  Cluster &consistency(uint16_t c) { return chk(cqlb_cluster_config_set_consistency(h_, c)); }
  /// Authenticates with a username and password.
  Cluster &credentials(std::string_view user, std::string_view password) {
    return chk(cqlb_cluster_config_set_credentials(h_, user.data(), user.size(), password.data(), password.size()));
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
