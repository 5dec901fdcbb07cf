#include "registry/registry_server.h"

#include <pthread.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>
#include <string_view>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "registry/registry_service.h"

namespace floe::registry {
namespace {

using nlohmann::json;

constexpr char kResponseType[] = "application/vnd.schemaregistry.v1+json";
constexpr size_t kMaxRequestBytes = 16u << 20;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits the raw request path into percent-decoded segments. Working on the raw target (not httplib's
// decoded path) keeps an encoded '/' inside a subject name ("a%2Fb") from splitting it.
std::vector<std::string> PathSegments(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string> segments;
  size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string segment;
    for (size_t i = start; i < end; ++i) {
      if (path[i] == '%' && i + 2 < end && HexValue(path[i + 1]) >= 0 && HexValue(path[i + 2]) >= 0) {
        segment += static_cast<char>(HexValue(path[i + 1]) * 16 + HexValue(path[i + 2]));
        i += 2;
      } else {
        segment += path[i];
      }
    }
    segments.push_back(std::move(segment));
    start = end;
  }
  return segments;
}

std::string Dump(const json& body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

void ReplyJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(Dump(body), kResponseType);
}

void ReplyError(httplib::Response& res, int status, int error_code, const std::string& message) {
  ReplyJson(res, status, json{{"error_code", error_code}, {"message", message}});
}

void Reply(httplib::Response& res, const Result<json>& result) {
  if (result.ok()) {
    ReplyJson(res, 200, *result);
    return;
  }
  const RegistryError error = result.status().CodeAs<RegistryError>().value_or(RegistryError::kStore);
  const ConfluentCode code = ConfluentCodeFor(error);
  ReplyError(res, code.http_status, code.error_code, result.status().message());
}

bool AcceptedContentType(const httplib::Request& req) {
  if (!req.has_header("Content-Type")) return true;
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type.empty() || type == "application/vnd.schemaregistry.v1+json" ||
         type == "application/vnd.schemaregistry+json" || type == "application/json" ||
         type == "application/octet-stream";
}

bool FlagParam(const httplib::Request& req, const char* name) {
  return req.has_param(name) && req.get_param_value(name) == "true";
}

std::optional<int> ParseId(const std::string& s) {
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 1) return std::nullopt;
  return value;
}

}  // namespace

Result<std::unique_ptr<RegistryServer>> RegistryServer::Start(RegistryServerOptions options,
                                                              std::shared_ptr<SchemaCompatibility> compatibility) {
  if (options.threads < 1) return Error(RegistryError::kInvalidArgument, "registry server needs at least one thread");
  if (!options.basic_auth_user_info.empty() && options.basic_auth_user_info.find(':') == std::string::npos) {
    return Error(RegistryError::kInvalidArgument, "registry server basic auth must be 'user:password'");
  }
  FLOE_ASSIGN_OR_RETURN(std::unique_ptr<SchemaRegistryService> service,
                        SchemaRegistryService::Open(options.data_file, std::move(compatibility),
                                                    options.default_compatibility));
  auto server = std::unique_ptr<RegistryServer>(new RegistryServer(std::move(options), std::move(service)));
  const RegistryServerOptions& opts = server->options_;
  httplib::Server& http = *server->http_;
  const size_t threads = static_cast<size_t>(opts.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_keep_alive_timeout(opts.keep_alive_seconds);
  http.set_payload_max_length(kMaxRequestBytes);
  // cpp-httplib's default adds SO_REUSEPORT, which lets a second registry silently share a busy port.
  // TCP_NODELAY (inherited by accepted sockets) because cpp-httplib writes headers and body separately,
  // which Nagle plus delayed ACKs turn into a 40 ms stall per response.
  http.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  server->InstallRoutes();

  int port = opts.port;
  if (port == 0) {
    port = http.bind_to_any_port(opts.host);
  } else if (!http.bind_to_port(opts.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Error(RegistryError::kUnavailable,
                 "registry server cannot listen on " + opts.host + ":" + std::to_string(opts.port));
  }
  server->port_ = port;
  server->listener_ = std::thread([&http] { http.listen_after_bind(); });
  // The socket already queues connections; waiting for the accept loop makes an immediate Stop() safe.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!http.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return server;
}

RegistryServer::RegistryServer(RegistryServerOptions options, std::unique_ptr<SchemaRegistryService> service)
    : options_(std::move(options)), service_(std::move(service)), http_(std::make_unique<httplib::Server>()) {
  if (!options_.basic_auth_user_info.empty()) expected_basic_ = "Basic " + Base64(options_.basic_auth_user_info);
  if (!options_.bearer_token.empty()) expected_bearer_ = "Bearer " + options_.bearer_token;
}

RegistryServer::~RegistryServer() { Stop(); }

std::string RegistryServer::url() const { return "http://" + options_.host + ":" + std::to_string(port_); }

void RegistryServer::Stop() {
  if (http_) http_->stop();
  if (listener_.joinable()) listener_.join();
}

void RegistryServer::InstallRoutes() {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    if (!expected_basic_.empty() || !expected_bearer_.empty()) {
      const std::string auth = req.get_header_value("Authorization");
      const bool ok = (!expected_basic_.empty() && auth == expected_basic_) ||
                      (!expected_bearer_.empty() && auth == expected_bearer_);
      if (!ok) {
        res.set_header("WWW-Authenticate", expected_basic_.empty() ? "Bearer" : "Basic realm=\"floe-registry\"");
        ReplyError(res, 401, 401, "Unauthorized");
        return;
      }
    }
    const std::string& method = req.method;
    const bool has_body = method == "POST" || method == "PUT";
    json body;
    if (has_body) {
      if (!AcceptedContentType(req)) {
        ReplyError(res, 415, 415, "HTTP 415 Unsupported Media Type");
        return;
      }
      body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded()) {
        ReplyError(res, 400, 400, "Request body is not valid JSON");
        return;
      }
    }
    const std::vector<std::string> seg = PathSegments(req.target);
    const size_t n = seg.size();
    SchemaRegistryService& svc = *service_;
    const bool include_deleted = FlagParam(req, "deleted");
    bool path_known = true;
    auto is = [&](const char* m) { return method == m; };

    if (n == 0) {
      if (is("GET")) return ReplyJson(res, 200, json::object());
    } else if (seg[0] == "schemas" && n >= 3 && n <= 4 && seg[1] == "ids") {
      std::optional<int> id = ParseId(seg[2]);
      if (is("GET")) {
        if (!id) return Reply(res, Error(RegistryError::kSchemaNotFound, "Schema " + seg[2] + " not found"));
        if (n == 3) return Reply(res, svc.GetSchemaById(*id));
        if (seg[3] == "versions") return Reply(res, svc.GetSchemaVersionsById(*id));
        if (seg[3] == "subjects") return Reply(res, svc.GetSchemaSubjectsById(*id));
        path_known = false;
      }
    } else if (seg[0] == "subjects") {
      if (n == 1) {
        if (is("GET")) return Reply(res, svc.ListSubjects(include_deleted));
      } else if (n == 2) {
        if (is("POST")) return Reply(res, svc.Lookup(seg[1], body, include_deleted));
        if (is("DELETE")) return Reply(res, svc.DeleteSubject(seg[1], FlagParam(req, "permanent")));
      } else if (seg[2] != "versions" || n > 5) {
        path_known = false;
      } else if (n == 3) {
        if (is("GET")) return Reply(res, svc.ListVersions(seg[1], include_deleted));
        if (is("POST")) return Reply(res, svc.Register(seg[1], body));
      } else if (n == 4) {
        if (is("GET")) return Reply(res, svc.GetVersion(seg[1], seg[3], include_deleted));
        if (is("DELETE")) return Reply(res, svc.DeleteVersion(seg[1], seg[3], FlagParam(req, "permanent")));
      } else if (seg[4] == "schema") {
        if (is("GET")) {
          Result<json> version = svc.GetVersion(seg[1], seg[3], include_deleted);
          if (!version.ok()) return Reply(res, version);
          res.status = 200;
          res.set_content((*version)["schema"].get<std::string>(), kResponseType);
          return;
        }
      } else {
        path_known = false;
      }
    } else if (seg[0] == "compatibility" && (n == 4 || n == 5) && seg[1] == "subjects" && seg[3] == "versions") {
      if (is("POST")) {
        std::optional<std::string_view> version;
        if (n == 5) version = seg[4];
        return Reply(res, svc.TestCompatibility(seg[2], version, body, FlagParam(req, "verbose")));
      }
    } else if (seg[0] == "config" && n <= 2) {
      const std::string subject = n == 2 ? seg[1] : std::string();
      if (is("GET")) return Reply(res, svc.GetConfig(subject, FlagParam(req, "defaultToGlobal")));
      if (is("PUT")) return Reply(res, svc.SetConfig(subject, body));
      if (is("DELETE")) return Reply(res, svc.DeleteConfig(subject));
    } else {
      path_known = false;
    }
    if (path_known) return ReplyError(res, 405, 405, "HTTP 405 Method Not Allowed");
    ReplyError(res, 404, 404, "HTTP 404 Not Found");
  };
  http_->Get(".*", handler);
  http_->Post(".*", handler);
  http_->Put(".*", handler);
  http_->Delete(".*", handler);
}

Status RunRegistryServer(const RegistryServerOptions& options, std::shared_ptr<SchemaCompatibility> compatibility,
                         const std::function<void(int port)>& on_listening) {
  sigset_t stop_signals;
  sigset_t previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  // Blocked before the server threads exist, so they inherit the mask and only sigwait below sees the signal.
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  Result<std::unique_ptr<RegistryServer>> server = RegistryServer::Start(options, std::move(compatibility));
  if (!server.ok()) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return server.status();
  }
  if (on_listening) on_listening((*server)->port());
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*server)->Stop();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return Status::Ok();
}

}  // namespace floe::registry
