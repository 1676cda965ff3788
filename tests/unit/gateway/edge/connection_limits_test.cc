#include "gateway/edge/connection_limits.h"

#include <gtest/gtest.h>

#include <vector>

using namespace edugate::gateway;
namespace ip = boost::asio::ip;
using Refusal = ConnectionLimits::Refusal;

namespace {
const auto kA = ip::make_address("192.0.2.1");
const auto kB = ip::make_address("192.0.2.2");
}  // namespace

TEST(ConnectionLimits, ThePerAddressCapRefusesOnlyThatAddress) {
  auto limits = std::make_shared<ConnectionLimits>(ConnectionCaps{0, 2, 0});
  Refusal why;
  std::vector<ConnectionLimits::Ticket> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(ConnectionLimits::admit(limits, kA, why));
    EXPECT_EQ(why, Refusal::none);
  }
  EXPECT_FALSE(ConnectionLimits::admit(limits, kA, why).held());
  EXPECT_EQ(why, Refusal::per_address);
  // An IPv4 peer arriving on a dual-stack socket is the same address.
  EXPECT_FALSE(ConnectionLimits::admit(limits, ip::make_address("::ffff:192.0.2.1"), why).held());
  EXPECT_EQ(why, Refusal::per_address);
  auto other = ConnectionLimits::admit(limits, kB, why);
  EXPECT_TRUE(other.held());
  EXPECT_EQ(limits->open(), 3);
  held.pop_back();  // a connection of A goes: A may connect again
  EXPECT_TRUE(ConnectionLimits::admit(limits, kA, why).held());
}

TEST(ConnectionLimits, TheTotalCapRefusesEveryone) {
  auto limits = std::make_shared<ConnectionLimits>(ConnectionCaps{2, 0, 0});
  Refusal why;
  auto a = ConnectionLimits::admit(limits, kA, why);
  auto b = ConnectionLimits::admit(limits, kB, why);
  EXPECT_FALSE(ConnectionLimits::admit(limits, ip::make_address("192.0.2.3"), why).held());
  EXPECT_EQ(why, Refusal::total);
  EXPECT_EQ(ConnectionLimits::name(why), "total");
}

TEST(ConnectionLimits, HandshakesInProgressAreCappedUntilTheyFinish) {
  auto limits = std::make_shared<ConnectionLimits>(ConnectionCaps{0, 0, 2});
  Refusal why;
  auto a = ConnectionLimits::admit(limits, kA, why);
  auto b = ConnectionLimits::admit(limits, kB, why);
  auto c = ConnectionLimits::admit(limits, kA, why);
  EXPECT_TRUE(c.held()) << "a connection that has sent nothing is not a handshake yet";
  EXPECT_EQ(limits->pending(), 0);
  EXPECT_TRUE(a.begin_handshake(why));
  EXPECT_TRUE(b.begin_handshake(why));
  EXPECT_FALSE(c.begin_handshake(why));
  EXPECT_EQ(why, Refusal::pending_handshakes);
  a.handshake_done();
  a.handshake_done();  // idempotent
  EXPECT_EQ(limits->pending(), 1);
  EXPECT_TRUE(c.begin_handshake(why));
  EXPECT_EQ(limits->open(), 3);
  EXPECT_EQ(limits->pending(), 2);
}

TEST(ConnectionLimits, NothingStaysCountedWhenConnectionsGo) {
  auto limits = std::make_shared<ConnectionLimits>(ConnectionCaps{10, 10, 10});
  Refusal why;
  {
    std::vector<ConnectionLimits::Ticket> held;
    for (int i = 0; i < 5; ++i) {
      held.push_back(ConnectionLimits::admit(limits, i % 2 ? kA : kB, why));
      EXPECT_TRUE(held.back().begin_handshake(why));
    }
    held[0].handshake_done();
    ConnectionLimits::Ticket moved = std::move(held[1]);
    EXPECT_FALSE(held[1].held());
    EXPECT_EQ(limits->open(), 5);
    EXPECT_EQ(limits->addresses(), 2u);
  }
  EXPECT_EQ(limits->open(), 0);
  EXPECT_EQ(limits->pending(), 0);
  EXPECT_EQ(limits->addresses(), 0u) << "no entry stays for an address that has gone";
  EXPECT_EQ(limits->from(kA), 0);
}
