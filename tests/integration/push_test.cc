// SBB -> school: the outbox pushes monitor results and erkenning mutations to each school's
// consumer gateway; the consumer delivers them to its sink exactly once, and sends the SIS's
// inbox files to SBB exactly once. Crash, outage and hostile-push cases included.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <fstream>
#include <sstream>

#include "core/ids.h"
#include "gateway/soap/contract.h"
#include "gateway/outbound/inbox.h"
#include "gateway/outbound/json_xml.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fs = std::filesystem;

namespace {

// A retry budget far beyond the tests' outages: with retries every 0.8 s the default 12 attempts
// would make a school that is down for ten seconds (a slow machine, a sanitizer build) dead.
const std::string kFastOutbox =
    "outbox:\n  poll_ms: 50\n  senders: 4\n  backoff_initial_ms: 200\n  backoff_max_ms: 800\n  max_attempts: 1000\n"
    "  mutations_per_message: 1\n  mutation_poll_ms: 100\n  send_timeout_ms: 3000\n  lease_ms: 4000\n";

ProviderOptions provider_options(bool bpvmonitor = false) {
  ProviderOptions o;
  o.bpvmonitor = bpvmonitor;
  o.outbox_yaml = kFastOutbox;
  return o;
}

void subscribe(Provider& p, const char* oin, const char* naam, unsigned short port) {
  ASSERT_EQ(p.edugate({"onboard", "party", "--oin", oin, "--name", naam, "--endpoint",
                       "https://127.0.0.1:" + std::to_string(port)}).exit_code, 0);
  ASSERT_EQ(p.edugate({"onboard", "agreement", "--oin", oin, "--service", "leerbedrijf-mutaties"}).exit_code, 0);
}

// SBB's own systems record erkenning mutations in the Leerbedrijf database.
void record_mutations(Provider& p, int n) {
  std::string sql = "BEGIN;";
  for (int i = 0; i < n; ++i)
    sql += "INSERT INTO mutaties (soort, tijdstip, leerbedrijf_id, crebo, leerweg, begindatum) VALUES "
           "('ErkenningVerleend', " + std::to_string(std::time(nullptr)) + ", '100000001', '25180', 'BBL', '2026-01-01');";
  sql += "COMMIT;";
  p.exec("lb", sql);
}

int count(const std::string& db, const std::string& table) {
  auto s = sqlite_scalar(db, "SELECT count(*) FROM " + table);
  return s.empty() ? -1 : std::stoi(s);
}

unsigned short free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

}  // namespace

TEST(Push, PublishedResultsReachTheSchoolsSink) {
  Provider p(provider_options(true));
  ConsumerOptions co;
  co.provider_port = p.port();
  Consumer c(co);
  ASSERT_EQ(p.edugate({"onboard", "party", "--oin", kSchool25be, "--name", "ROC TEST Twente", "--endpoint",
                       "https://127.0.0.1:" + std::to_string(c.port())}).exit_code, 0);
  auto r = p.edugate({"publish-results", "--period", "2026-K2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 message"), std::string::npos) << r.output;
  EXPECT_TRUE(eventually([&] { return count(c.sink_path(), "monitorresultaten") == 14; })) << c.log() << p.log();
  EXPECT_EQ(sqlite_scalar(c.sink_path(), "SELECT count(*) FROM monitorresultaten WHERE onderdrukt = 0 AND gemiddelde IS NOT NULL"), "14");
  EXPECT_TRUE(eventually([&] { return p.edugate({"outbox", "list", "--state", "sent"}).output.find("OntvangMonitorresultaten") != std::string::npos; }));
}

TEST(Push, RecordedMutationsArePushedInOrder) {
  Provider p(provider_options());
  ConsumerOptions co;
  co.provider_port = p.port();
  Consumer c(co);
  subscribe(p, kSchool25be, "ROC TEST Twente", c.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the pump has taken its starting point
  record_mutations(p, 30);
  ASSERT_TRUE(eventually([&] { return count(c.sink_path(), "erkenningmutaties") == 30; })) << c.log();
  // Arrival order (rowid of the received messages) follows the volgnummer.
  EXPECT_EQ(sqlite_scalar(c.sink_path(),
                          "SELECT count(*) FROM (SELECT m.volgnummer, b.rowid AS r FROM erkenningmutaties m JOIN "
                          "ontvangen_berichten b ON b.message_id = m.message_id) x JOIN (SELECT m.volgnummer, b.rowid AS r "
                          "FROM erkenningmutaties m JOIN ontvangen_berichten b ON b.message_id = m.message_id) y "
                          "ON x.volgnummer < y.volgnummer AND x.r > y.r"),
            "0");
}

TEST(Push, PushesToASchoolResumeTheTlsSessionOfTheFirst) {
  Provider p(provider_options());
  ConsumerOptions co;
  co.provider_port = p.port();
  Consumer c(co);
  subscribe(p, kSchool25be, "ROC TEST Twente", c.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  record_mutations(p, 6);
  ASSERT_TRUE(eventually([&] { return count(c.sink_path(), "erkenningmutaties") == 6; })) << c.log();
  int full = 0, resumed = 0;
  auto tally = [&] {
    full = resumed = 0;
    std::istringstream log(p.log());
    for (std::string line; std::getline(log, line);) {
      if (line.find(R"("event":"push_sent")") == std::string::npos) continue;
      (line.find(R"("tls_resumed":true)") != std::string::npos ? resumed : full)++;
    }
    return full + resumed;
  };
  // The school may have stored the last push before the provider logged it as sent.
  EXPECT_TRUE(eventually([&] { return tally() == 6; }, 5000)) << p.log();
  EXPECT_GE(full, 1);
  EXPECT_GE(resumed, 4) << "after the first handshake the pushes resume its session\n" << p.log();
}

TEST(Push, ProviderKilledMidBurstOf500PushesLosesNothingAndDeliversOnce) {
  auto p = std::make_unique<Provider>(provider_options());
  ConsumerOptions co;
  co.provider_port = p->port();
  Consumer c(co);
  subscribe(*p, kSchool25be, "ROC TEST Twente", c.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  record_mutations(*p, 500);
  ASSERT_TRUE(eventually([&] { return count(c.sink_path(), "ontvangen_berichten") >= 40; }, 30000)) << c.log();
  const std::string dir = p->dir();
  p->keep_dir();
  p->kill_hard();
  int before = count(c.sink_path(), "ontvangen_berichten");
  EXPECT_LT(before, 500) << "the kill came too late to test anything";
  p.reset();
  ProviderOptions again = provider_options();
  again.dir = dir;
  Provider restarted(again);
  ASSERT_TRUE(eventually([&] { return count(c.sink_path(), "ontvangen_berichten") == 500; }, 90000))
      << count(c.sink_path(), "ontvangen_berichten") << "\n" << restarted.log().substr(0, 3000);
  EXPECT_EQ(count(c.sink_path(), "erkenningmutaties"), 500);
  EXPECT_EQ(sqlite_scalar(c.sink_path(), "SELECT count(DISTINCT volgnummer) FROM erkenningmutaties"), "500");
  EXPECT_TRUE(eventually([&] { return restarted.scalar("store", "SELECT count(*) FROM outbox WHERE state <> 'sent'") == "0"; }));
  EXPECT_EQ(restarted.scalar("store", "SELECT count(*) FROM outbox"), "500") << "each mutation enqueued once";
}

TEST(Push, ASchoolThatIsDownDelaysNoOtherSchoolAndGetsItsMessagesInOrderLater) {
  Provider p(provider_options());
  ConsumerOptions a;
  a.provider_port = p.port();
  Consumer up(a);
  const unsigned short down_port = free_port();
  subscribe(p, kSchool25be, "ROC TEST Twente", up.port());
  subscribe(p, kSchool30gr, "ROC TEST Groningen", down_port);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  record_mutations(p, 20);
  EXPECT_TRUE(eventually([&] { return count(up.sink_path(), "erkenningmutaties") == 20; }, 10000)) << up.log();
  EXPECT_NE(p.scalar("store", "SELECT max(attempts) FROM outbox WHERE destination_oin = '" +
                                              std::string(kSchool30gr) + "' AND state = 'pending'"), "0");
  ConsumerOptions b;
  b.stem = "school-30gr";
  b.oin = kSchool30gr;
  b.provider_port = p.port();
  b.port = down_port;
  Consumer later(b);
  ASSERT_TRUE(eventually([&] { return count(later.sink_path(), "erkenningmutaties") == 20; }, 30000)) << later.log();
  EXPECT_EQ(sqlite_scalar(later.sink_path(),
                          "SELECT count(*) FROM erkenningmutaties x, erkenningmutaties y, ontvangen_berichten bx, ontvangen_berichten by "
                          "WHERE bx.message_id = x.message_id AND by.message_id = y.message_id "
                          "AND x.volgnummer < y.volgnummer AND bx.rowid > by.rowid"),
            "0") << "in order";
}

TEST(Push, MalformedOrForeignPushIsRefusedAndStoredNowhere) {
  ConsumerOptions co;
  co.provider_port = 1;
  Consumer c(co);
  auto contract = gateway::load_contract(contract_dir(), "schoolontvangst");
  const auto* op = contract.by_name("OntvangErkenningmutaties");
  auto push = [&](const std::string& stem, const std::string& oin, const std::string& body) {
    auto cfg = client_config(stem, c.port(), oin);
    gateway::Client client(cfg);
    gateway::SendOptions o;
    o.remote_oin = *Oin::parse(kSchool25be);
    return client.send(contract, *op, body, o);
  };
  const std::string good =
      "<so:OntvangErkenningmutatiesVerzoek xmlns:so=\"urn:edugate:schoolontvangst:1\" xmlns:lb=\"urn:edugate:leerbedrijf:1\">"
      "<so:Mutatie><lb:Volgnummer>7</lb:Volgnummer><lb:Soort>ErkenningVerleend</lb:Soort><lb:Tijdstip>2026-01-01T00:00:00Z</lb:Tijdstip>"
      "<lb:LeerbedrijfID>LBID</lb:LeerbedrijfID></so:Mutatie></so:OntvangErkenningmutatiesVerzoek>";
  auto body = [&](const std::string& id) {
    std::string b = good;
    b.replace(b.find("LBID"), 4, id);
    return b;
  };
  auto foreign = push("school-30gr", kSchool30gr, body("100000001"));
  ASSERT_TRUE(foreign) << foreign.error().message;
  EXPECT_EQ(foreign->fault_code, "DK0002") << "only SBB may push to a school";
  auto bad_id = push("sbb", kSbbOin, body("abc"));
  ASSERT_TRUE(bad_id) << bad_id.error().message;
  EXPECT_EQ(bad_id->fault_code, "DK0004");
  std::string extra = body("100000001");
  extra.insert(extra.find("</so:Mutatie>"), "<lb:Onbekend>x</lb:Onbekend>");
  auto bad_schema = push("sbb", kSbbOin, extra);
  ASSERT_TRUE(bad_schema);
  EXPECT_EQ(bad_schema->fault_code, "DK0004");
  EXPECT_EQ(count(c.sink_path(), "ontvangen_berichten"), 0);
  EXPECT_EQ(count(c.sink_path(), "erkenningmutaties"), 0);
  auto ok = push("sbb", kSbbOin, body("100000001"));
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->is_fault) << ok->faultstring;
  EXPECT_EQ(count(c.sink_path(), "erkenningmutaties"), 1);
}

TEST(Inbox, FilesAreSentOnceAndMovedWithTheirAnswer) {
  Provider p(provider_options(true));
  ConsumerOptions co;
  co.provider_port = p.port();
  co.inbox = true;
  Consumer c(co);
  const std::string in_40 = civil_from_days(days_from_civil(today_utc()) + 40).str();
  const std::string header =
      "BpvoKenmerk;Brin;RioOnderwijsaanbiedercode;RioLocatiecode;Opleidingscode;Leerweg;LeerbedrijfID;Einddatum;"
      "StudentVoornaam;StudentAchternaam;StudentEmail\n";
  auto line = [&](const std::string& k) {
    return k + ";25BE;123A456;123X001;25180;BOL;100000001;" + in_40 + ";Test;Student;" + k + "@school.example\n";
  };
  {
    std::ofstream(c.inbox_dir() + "/.week47.csv.tmp") << header << line("A1") << line("A2");
    fs::rename(c.inbox_dir() + "/.week47.csv.tmp", c.inbox_dir() + "/week47.csv");
    std::ofstream(c.inbox_dir() + "/kapot.csv") << header << "A3;25BE\n";
  }
  ASSERT_TRUE(eventually([&] { return fs::exists(c.inbox_dir() + "/done/week47.csv"); })) << c.log();
  EXPECT_TRUE(fs::exists(c.inbox_dir() + "/done/week47.csv.antwoord.json"));
  ASSERT_TRUE(eventually([&] { return fs::exists(c.inbox_dir() + "/error/kapot.csv"); })) << c.log();
  EXPECT_TRUE(fs::exists(c.inbox_dir() + "/error/kapot.csv.fout.json"));
  EXPECT_EQ(p.scalar("bpv", "SELECT count(*) FROM studentgegevens"), "2");
  EXPECT_EQ(c.log().find("A1@school"), std::string::npos) << "no personal data in the log";
}

TEST(Inbox, AConsumerKilledDuringARunSendsNoFileTwiceAndLosesNone) {
  Provider p(provider_options(true));
  const std::string in_40 = civil_from_days(days_from_civil(today_utc()) + 40).str();
  const std::string csv =
      "BpvoKenmerk;Brin;RioOnderwijsaanbiedercode;RioLocatiecode;Opleidingscode;Leerweg;LeerbedrijfID;Einddatum;"
      "StudentVoornaam;StudentAchternaam;StudentEmail\n"
      "B1;25BE;123A456;123X001;25180;BOL;100000001;" + in_40 + ";Test;Student;b1@school.example\n";
  std::string dir;
  std::string sent_id;
  {
    ConsumerOptions co;
    co.provider_port = p.port();
    co.inbox = true;
    Consumer first(co);
    dir = first.dir();
    first.keep_dir();
    first.kill_hard();
    // The state a crash leaves behind: one file moved to processing/ but not yet sent, and one
    // that was sent (SBB has it) but not yet moved to done/.
    std::ofstream(dir + "/inbox/processing/" + new_message_id().str().substr(9) + "__niet-verzonden.csv") << csv;
    auto id = new_message_id();
    sent_id = id.str();
    std::string other = csv;
    other.replace(other.find("B1;"), 3, "B2;");
    other.replace(other.find("b1@"), 3, "b2@");
    auto contract = gateway::load_contract(contract_dir(), "bpvmonitor");
    auto model = gateway::XsdModel::load(contract_dir());
    std::ofstream(dir + "/other.csv") << other;
    auto records = gateway::Inbox::read_records(dir + "/other.csv");
    auto xml = model->json_to_xml(contract.target_ns, "LeverStudentgegevensAanVerzoek", *records);
    auto cfg = client_config("school-25be", p.port(), kSchool25be);
    gateway::Client client(cfg);
    gateway::SendOptions o;
    o.message_id = id;
    auto ex = client.send(contract, *contract.by_name("LeverStudentgegevensAan"), *xml, o);
    ASSERT_TRUE(ex && !ex->is_fault);
    std::ofstream(dir + "/inbox/processing/" + id.str().substr(9) + "__verzonden.csv") << other;
  }
  ConsumerOptions co;
  co.provider_port = p.port();
  co.inbox = true;
  co.dir = dir;
  Consumer restarted(co);
  ASSERT_TRUE(eventually([&] {
    return fs::exists(dir + "/inbox/done/niet-verzonden.csv") && fs::exists(dir + "/inbox/done/verzonden.csv");
  })) << restarted.log();
  EXPECT_EQ(p.scalar("bpv", "SELECT count(*) FROM studentgegevens"), "2") << "B1 once, B2 once";
  std::ifstream answer(dir + "/inbox/done/verzonden.csv.antwoord.json");
  std::string text((std::istreambuf_iterator<char>(answer)), {});
  EXPECT_NE(text.find(sent_id), std::string::npos) << "resent with the same MessageID";
  EXPECT_NE(text.find("geaccepteerd"), std::string::npos) << "the stored answer, not a duplicate refusal: " << text;
}

TEST(Push, AfterTheRetryBudgetAMessageIsDeadUntilAnOperatorRetriesIt) {
  ProviderOptions o = provider_options();
  o.outbox_yaml = "outbox:\n  poll_ms: 50\n  max_attempts: 2\n  backoff_initial_ms: 100\n  backoff_max_ms: 200\n"
                  "  mutations_per_message: 10\n  mutation_poll_ms: 100\n  send_timeout_ms: 2000\n";
  Provider p(o);
  const unsigned short port = free_port();
  subscribe(p, kSchool25be, "ROC TEST Twente", port);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  record_mutations(p, 3);
  ASSERT_TRUE(eventually([&] { return p.scalar("store", "SELECT count(*) FROM outbox WHERE state = 'dead'") == "1"; }))
      << p.log().substr(0, 2000);
  auto list = p.edugate({"outbox", "list", "--state", "dead"});
  ASSERT_EQ(list.exit_code, 0);
  auto dead = nlohmann::json::parse(list.output);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0]["attempts"], 2);
  EXPECT_NE(dead[0]["last_error"].get<std::string>().find("TRANSPORT"), std::string::npos) << dead.dump();
  auto show = p.edugate({"outbox", "show", std::to_string(dead[0]["id"].get<long>())});
  EXPECT_NE(show.output.find("OntvangErkenningmutatiesVerzoek"), std::string::npos);
  ConsumerOptions co;
  co.provider_port = p.port();
  co.port = port;
  Consumer c(co);
  EXPECT_EQ(p.edugate({"outbox", "retry", std::to_string(dead[0]["id"].get<long>())}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return count(c.sink_path(), "erkenningmutaties") == 3; })) << c.log();
  EXPECT_NE(p.edugate({"outbox", "retry", std::to_string(dead[0]["id"].get<long>())}).exit_code, 0)
      << "a sent message is not sent again";
}
