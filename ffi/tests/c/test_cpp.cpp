// The C++ wrapper (cqlbridge.hpp) against the real node: ownership, exceptions, std::future,
// concurrent execution, and the mapper (models, rows, LWT, get, polymorphism, batches).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "cqlbridge.hpp"

static int passed = 0, failed = 0;
#define CHECK(cond)                                                              \
  do {                                                                           \
    if (cond) {                                                                  \
      passed++;                                                                  \
    } else {                                                                     \
      failed++;                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                            \
  } while (0)

static size_t live() {
  size_t n = 0;
  cqlb_live_handle_count(&n);
  return n;
}

int main() {
  const size_t baseline = live();
  {
    const char *points = std::getenv("CQLB_CONTACT_POINTS");
    std::string first = points ? std::string(points).substr(0, std::string(points).find(',')) : "127.0.0.1";
    cqlb::Session session = cqlb::Cluster().contact_point(first).consistency(CQLB_CONSISTENCY_LOCAL_ONE).connect();
    session.execute("CREATE KEYSPACE IF NOT EXISTS cqlb_cpp WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    session.execute("CREATE TABLE IF NOT EXISTS cqlb_cpp.kv (k int PRIMARY KEY, v text)");
    cqlb::Prepared insert = session.prepare("INSERT INTO cqlb_cpp.kv (k, v) VALUES (?, ?)");
    for (int32_t k = 0; k < 10; k++) session.execute(insert.bind().bind(0, k).bind(1, "value " + std::to_string(k)));
    cqlb::Statement select("SELECT v FROM cqlb_cpp.kv WHERE k = ?");
    select.bind(0, int32_t{3});
    cqlb::Result r = session.execute(select);
    CHECK(r.rows() == 1 && r.get_string(0, 0) == "value 3");

    // Errors are exceptions with their status.
    bool threw = false;
    try {
      session.execute("SELEC nonsense");
    } catch (const cqlb::Error &e) {
      threw = e.status() == CQLB_SYNTAX_ERROR && std::string(e.what()).find("SELEC") != std::string::npos;
    }
    CHECK(threw);
    threw = false;
    try {
      (void)r.get_int32(0, 0);
    } catch (const cqlb::Error &e) {
      threw = e.status() == CQLB_WRONG_TYPE;
    }
    CHECK(threw);

    // Futures as std::future, fulfilled from the completion callback.
    cqlb::Statement count("SELECT count(*) FROM cqlb_cpp.kv");
    std::future<cqlb::Result> fut = session.execute_async(count).to_std_future();
    cqlb::Result counted = fut.get();
    CHECK(counted.get_int64(0, 0) >= 10);
    std::future<cqlb::Result> bad = session.execute_async(cqlb::Statement("SELECT * FROM cqlb_cpp.nope")).to_std_future();
    threw = false;
    try {
      bad.get();
    } catch (const cqlb::Error &e) {
      threw = e.status() == CQLB_INVALID_REQUEST;
    }
    CHECK(threw);

    // Callbacks fire once; ownership moves without double frees.
    std::atomic<int> fired{0};
    {
      cqlb::Future f = session.execute_async(select);
      f.on_complete([&fired](cqlb_future) { fired++; });
      f.wait();
      cqlb::Future moved = std::move(f);
      CHECK(!f && moved);
    }
    CHECK(fired == 1);
    cqlb::Result moved_result = std::move(r);
    CHECK(moved_result.rows() == 1);

    // Threads share a session.
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; t++) {
      threads.emplace_back([&session, &insert, &ok, t] {
        for (int i = 0; i < 50; i++) {
          session.execute(insert.bind().bind(0, int32_t(1000 + t * 100 + i)).bind(1, "threaded"));
          ok++;
        }
      });
    }
    for (auto &th : threads) th.join();
    CHECK(ok == 400);

    // Concurrent execution: first pages in input order, or the first error.
    std::vector<cqlb::Statement> reads;
    for (int32_t k = 0; k < 10; k++) {
      reads.emplace_back("SELECT v FROM cqlb_cpp.kv WHERE k = ?");
      reads.back().bind(0, k);
    }
    std::vector<cqlb::Result> pages = session.execute_concurrent(reads, 4);
    bool in_order = pages.size() == 10;
    for (size_t k = 0; in_order && k < pages.size(); k++) in_order = pages[k].get_string(0, 0) == "value " + std::to_string(k);
    CHECK(in_order);
    reads.emplace_back("SELECT v FROM cqlb_cpp.missing");
    threw = false;
    try {
      session.execute_concurrent(reads, 4);
    } catch (const cqlb::Error &e) {
      threw = e.status() == CQLB_INVALID_REQUEST;
    }
    CHECK(threw);

    // The mapper: a polymorphic table, defaults filled, LWT, get, a batch.
    auto pet = [](const char *name, std::optional<std::string_view> kind) {
      cqlb::Model m(name);
      m.keyspace("cqlb_cpp").table("pets").column("owner", "text", cqlb::Key::partition);
      m.column("name", "text", cqlb::Key::clustering).column("kind", "text", cqlb::Key::none, CQLB_COLUMN_DISCRIMINATOR);
      m.column("born", "timestamp").default_value("born", cqlb::Generated::now).column("tags", "set<text>");
      m.polymorphism("kind", kind).subtype("cat", "Cat").subtype("dog", "Dog");
      return m;
    };
    session.execute("DROP TABLE IF EXISTS cqlb_cpp.pets");
    cqlb::Model any = pet("Pet", std::nullopt), cat = pet("Cat", "cat"), dog = pet("Dog", "dog");
    CHECK(session.sync_table(cat));
    CHECK(!session.sync_table(dog));
    cqlb::Value tags = cqlb::Value::set();
    tags.add("grey").add("old");
    cqlb::Value tom = cqlb::Value::row();
    tom.put("owner", "ann").put("name", "tom").put("tags", tags);
    cqlb::Result stored = session.create(cat, tom);
    CHECK(!stored.is_null(0, stored.column("born")) && stored.get_string(0, stored.column("kind")) == "cat");
    CHECK(stored.text_of(0, stored.column("tags")) == "{'grey', 'old'}");
    threw = false;
    try {
      session.create(any, tom);
    } catch (const cqlb::Error &e) {
      threw = e.status() == CQLB_INVALID_ARGUMENT;  // the base of a polymorphic table
    }
    CHECK(threw);
    std::optional<cqlb::Result> existing = session.create_if_not_exists(cat, tom);
    CHECK(existing && existing->get_string(0, existing->column("name")) == "tom");
    cqlb::Value rex = cqlb::Value::row();
    rex.put("owner", "ann").put("name", "rex");
    CHECK(!session.create_if_not_exists(dog, rex));
    cqlb::Value ann = cqlb::Value::row(), bob = cqlb::Value::row(), bobs_cat = cqlb::Value::row();
    ann.put("owner", "ann");
    bob.put("owner", "bob");
    bobs_cat.put("owner", "bob").put("name", "felix");
    cqlb::Result both = session.select(any, ann);
    CHECK(both.rows() == 2 && both.get_string(0, both.column("kind")) == "dog" && both.get_string(1, both.column("kind")) == "cat");
    threw = false;
    try {
      session.get(any, bob);
    } catch (const cqlb::Error &e) {
      threw = e.status() == CQLB_DOES_NOT_EXIST;
    }
    CHECK(threw);
    session.execute(cqlb::ModelBatch().create(cat, bobs_cat));
    cqlb::Result felix = session.get(any, bob);
    CHECK(felix.get_string(0, felix.column("name")) == "felix");
  }
  CHECK(live() == baseline);
  std::printf("test_cpp: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
