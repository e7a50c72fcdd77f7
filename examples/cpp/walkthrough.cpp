// The seed walkthrough (shared/notes/walkthrough.md), steps 1 to 5, in C++17 over the RAII
// wrapper cqlbridge.hpp, against a real local node (CQLB_CONTACT_POINTS, default 127.0.0.1).
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <random>
#include <string>
#include <vector>

#include <cqlbridge.hpp>

int main() try {
  // 1. Connect.
  const char *points = std::getenv("CQLB_CONTACT_POINTS");
  std::string first = points ? std::string(points).substr(0, std::string(points).find(',')) : "127.0.0.1";
  cqlb::Session session = cqlb::Cluster().contact_point(first).consistency(CQLB_CONSISTENCY_LOCAL_ONE).connect();
  cqlb::Result local = session.execute("SELECT release_version FROM system.local");
  std::printf("1. connected, Cassandra %s\n", std::string(local.get_string(0, 0)).c_str());

  // 2. Execute CQL strings.
  session.execute("CREATE KEYSPACE IF NOT EXISTS walkthrough WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
  session.execute("CREATE TABLE IF NOT EXISTS walkthrough.sensor (sensor_id uuid PRIMARY KEY, name text, created_at timestamp)");
  std::printf("2. keyspace walkthrough and table sensor are ready\n");

  // 3. Prepare.
  cqlb::Prepared insert = session.prepare("INSERT INTO walkthrough.sensor (sensor_id, name, created_at) VALUES (?, ?, ?)");
  cqlb::Prepared by_id = session.prepare("SELECT name FROM walkthrough.sensor WHERE sensor_id = ?");
  std::printf("3. prepared the insert and the lookup\n");

  // 4. Async: every insert's future becomes a std::future, fulfilled by its callback.
  std::mt19937_64 rng(std::random_device{}());
  std::vector<std::array<uint8_t, 16>> ids;
  std::vector<std::future<cqlb::Result>> pending;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (int i = 0; i < 10; i++) {
    std::array<uint8_t, 16> id{};
    for (auto &b : id) b = static_cast<uint8_t>(rng());
    id[6] = static_cast<uint8_t>((id[6] & 0x0f) | 0x40);
    id[8] = static_cast<uint8_t>((id[8] & 0x3f) | 0x80);
    ids.push_back(id);
    cqlb::Statement st = insert.bind();
    st.bind(0, id).bind(1, "sensor " + std::to_string(i)).bind_timestamp(2, now);
    pending.push_back(session.execute_async(st).to_std_future());
  }
  for (auto &p : pending) p.get();
  std::printf("4. %zu sensors inserted asynchronously\n", pending.size());

  // 5. Read them back concurrently, as futures.
  std::vector<std::future<cqlb::Result>> reads;
  for (const auto &id : ids) {
    cqlb::Statement st = by_id.bind();
    st.bind(0, id);
    reads.push_back(session.execute_async(st).to_std_future());
  }
  std::printf("5. read back:");
  for (auto &r : reads) std::printf(" '%s'", std::string(r.get().get_string(0, 0)).c_str());
  std::printf("\ndone: steps 1-5 of the walkthrough ran in C++ against a real node\n");
  return 0;
} catch (const cqlb::Error &e) {
  std::fprintf(stderr, "failed: %s\n", e.what());
  return 1;
}
