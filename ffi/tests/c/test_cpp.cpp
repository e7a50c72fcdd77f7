// The C++ wrapper (cqlbridge.hpp) against the real node: ownership, exceptions, std::future.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

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
  }
  CHECK(live() == baseline);
  std::printf("test_cpp: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
