// fault_proxy: an HTTP/1.1 proxy for tests that sits between floe and an S3 server and injects faults.
//
//   fault_proxy --upstream-port 4568 [--upstream-host 127.0.0.1] [--port 0] [--fault-rate 0.2]
//               [--seed 1] [--delay-ms 1500] [--faults error,slowdown,delay,drop,late-drop,truncate]
//
// Prints "listening <port>" on stdout when ready. On SIGTERM/SIGINT prints the request and fault counts
// on stderr and exits. Each request (read completely first, so the server never sees half a request)
// suffers a fault with probability --fault-rate, the kind picked uniformly from --faults:
//   error      answer 500 InternalError without forwarding
//   slowdown   answer 503 SlowDown without forwarding
//   delay      wait --delay-ms, then forward (longer than the client's timeout: a timeout the server
//              still acts on)
//   drop       close the connection without forwarding or answering
//   late-drop  forward, then close without answering (the server acted, the client never hears)
//   truncate   forward, then relay only half of the response body and close
// One request per client connection; requests must carry Content-Length (no chunked uploads).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

enum Fault { kError, kSlowDown, kDelay, kDrop, kLateDrop, kTruncate, kFaultCount };
const char* const kFaultNames[kFaultCount] = {"error", "slowdown", "delay", "drop", "late-drop", "truncate"};

struct Config {
  std::string upstream_host = "127.0.0.1";
  int upstream_port = 0;
  int port = 0;
  double rate = 0.2;
  uint64_t seed = 1;
  int delay_ms = 1500;
  std::vector<Fault> faults = {kError, kSlowDown, kDelay, kDrop, kLateDrop, kTruncate};
};

Config g_config;
std::atomic<long> g_requests{0};
std::atomic<long> g_counts[kFaultCount];
std::mutex g_rng_mu;
std::mt19937_64 g_rng;

bool SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads one request (head + Content-Length body) into out. False on EOF or malformed input.
bool ReadRequest(int fd, std::string& pending, std::string* out) {
  char buf[65536];
  size_t head_end;
  while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<size_t>(n));
  }
  std::string head = pending.substr(0, head_end + 4);
  size_t length = 0;
  std::string lower = head;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t cl = lower.find("\r\ncontent-length:");
  if (cl != std::string::npos) length = std::strtoull(head.c_str() + cl + 17, nullptr, 10);
  while (pending.size() < head.size() + length) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<size_t>(n));
  }
  *out = pending.substr(0, head.size() + length);
  pending.erase(0, head.size() + length);
  return true;
}

// Replaces any Connection header with "Connection: close".
std::string WithConnectionClose(const std::string& message) {
  const size_t head_end = message.find("\r\n\r\n");
  std::string head = message.substr(0, head_end);
  std::string out;
  size_t start = 0;
  while (start <= head.size()) {
    size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(start, end - start);
    std::string lower = line;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("connection:", 0) != 0 && lower.rfind("keep-alive:", 0) != 0) out += line + "\r\n";
    start = end + 2;
  }
  out += "Connection: close\r\n\r\n";
  out += message.substr(head_end + 4);
  return out;
}

// Sends the request upstream and reads the whole response (upstream closes after it).
bool Forward(const std::string& request, std::string* response) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(g_config.upstream_port));
  ::inet_pton(AF_INET, g_config.upstream_host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return false;
  }
  const std::string req = WithConnectionClose(request);
  bool ok = SendAll(fd, req.data(), req.size());
  char buf[65536];
  while (ok) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    response->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return ok && response->find("\r\n\r\n") != std::string::npos;
}

std::string ErrorResponse(int status, const char* reason, const char* code) {
  const std::string body = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>") + code +
                           "</Code><Message>injected by fault_proxy</Message><RequestId>fault-proxy</RequestId></Error>";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

int PickFault() {
  std::lock_guard<std::mutex> lock(g_rng_mu);
  if (g_config.faults.empty() || std::uniform_real_distribution<double>(0, 1)(g_rng) >= g_config.rate) return -1;
  return g_config.faults[std::uniform_int_distribution<size_t>(0, g_config.faults.size() - 1)(g_rng)];
}

void Serve(int client) {
  std::string pending, request;
  if (ReadRequest(client, pending, &request)) {
    g_requests.fetch_add(1);
    const int fault = PickFault();
    if (fault >= 0) g_counts[fault].fetch_add(1);
    std::string response;
    switch (fault) {
      case kError: response = ErrorResponse(500, "Internal Server Error", "InternalError"); break;
      case kSlowDown: response = ErrorResponse(503, "Slow Down", "SlowDown"); break;
      case kDrop: break;
      case kDelay:
        std::this_thread::sleep_for(std::chrono::milliseconds(g_config.delay_ms));
        [[fallthrough]];
      default:
        if (!Forward(request, &response)) response = ErrorResponse(502, "Bad Gateway", "InternalError");
        else response = WithConnectionClose(response);
    }
    if (fault == kLateDrop) response.clear();
    if (fault == kTruncate) {
      const size_t body_start = response.find("\r\n\r\n") + 4;
      response.resize(body_start + (response.size() - body_start) / 2);
      if (response.size() == body_start) response.resize(body_start / 2);  // empty body: cut the head
    }
    if (!response.empty()) SendAll(client, response.data(), response.size());
  }
  ::shutdown(client, SHUT_RDWR);
  ::close(client);
}

void PrintCounts() {
  std::string line = "fault_proxy: requests=" + std::to_string(g_requests.load());
  long total = 0;
  for (int f = 0; f < kFaultCount; ++f) {
    line += std::string(" ") + kFaultNames[f] + "=" + std::to_string(g_counts[f].load());
    total += g_counts[f].load();
  }
  line += " faults=" + std::to_string(total) + "\n";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

bool ParseArgs(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--upstream-host") g_config.upstream_host = value;
    else if (flag == "--upstream-port") g_config.upstream_port = std::atoi(value.c_str());
    else if (flag == "--port") g_config.port = std::atoi(value.c_str());
    else if (flag == "--fault-rate") g_config.rate = std::atof(value.c_str());
    else if (flag == "--seed") g_config.seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--delay-ms") g_config.delay_ms = std::atoi(value.c_str());
    else if (flag == "--faults") {
      g_config.faults.clear();
      size_t start = 0;
      while (start <= value.size()) {
        size_t end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        const std::string name = value.substr(start, end - start);
        bool known = false;
        for (int f = 0; f < kFaultCount; ++f) {
          if (name == kFaultNames[f]) {
            g_config.faults.push_back(static_cast<Fault>(f));
            known = true;
          }
        }
        if (!known && !name.empty()) return false;
        start = end + 1;
      }
    } else {
      return false;
    }
  }
  return g_config.upstream_port > 0 && (argc % 2) == 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ParseArgs(argc, argv)) {
    std::fprintf(stderr, "usage: %s --upstream-port N [--upstream-host H] [--port N] [--fault-rate R] [--seed S] "
                         "[--delay-ms MS] [--faults error,slowdown,delay,drop,late-drop,truncate]\n", argv[0]);
    return 2;
  }
  g_rng.seed(g_config.seed);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread; one thread waits for them
  std::thread([signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    PrintCounts();
    std::_Exit(0);
  }).detach();

  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(g_config.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 128) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("fault_proxy: listen");
    return 1;
  }
  std::printf("listening %d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  while (true) {
    const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread(Serve, client).detach();
  }
}
