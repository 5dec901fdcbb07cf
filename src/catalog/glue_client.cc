#include "catalog/glue_client.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "catalog/catalog_error.h"

namespace floe::catalog {
namespace {

constexpr int64_t kMaxBackoffMs = 20000;
constexpr int kGetPartitionsPageSize = 1000;  // Glue's maximum MaxResults

std::string What(const std::string& database, const std::string& table = "") {
  return "database " + database + (table.empty() ? "" : ", table " + table);
}

// "com.amazonaws.glue#AlreadyExistsException" or "AlreadyExistsException:http://internal..." → the code.
std::string BareCode(std::string code) {
  if (size_t hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  if (size_t colon = code.find(':'); colon != std::string::npos) code.erase(colon);
  return code;
}

bool RetryableReply(long status, const std::string& code) {
  return code == "ThrottlingException" || status == 429 || status >= 500;
}

// A string member of a JSON object, "" when absent or not a string (Glue's replies are not trusted to be
// well-formed: nlohmann's value() would throw on a type mismatch).
std::string StringField(const nlohmann::ordered_json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

GlueClient::GlueClient(GlueOptions options)
    : options_(std::move(options)),
      scope_{"glue", options_.region, false},
      http_(storage::HttpClientOptions{options_.request_timeout_ms, 10000}) {
  endpoint_ = options_.endpoint.empty() ? "https://glue." + options_.region + ".amazonaws.com" : options_.endpoint;
  if (endpoint_.find("://") == std::string::npos) endpoint_ = "https://" + endpoint_;
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
  endpoint_ += "/";
}

nlohmann::ordered_json GlueClient::Body() const {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  if (!options_.catalog_id.empty()) body["CatalogId"] = options_.catalog_id;
  return body;
}

Status GlueClient::ErrorOf(const std::string& operation, const std::string& what, const Reply& reply) {
  std::string text = "Glue " + operation + " (" + what + ") failed: HTTP " + std::to_string(reply.status);
  if (!reply.error_code.empty()) text += " " + reply.error_code;
  if (!reply.error_message.empty()) text += ": " + reply.error_message;
  if (!reply.request_id.empty()) text += " (request id " + reply.request_id + ")";
  if (reply.attempts > 1) text += " after " + std::to_string(reply.attempts) + " attempts";
  // A missing database or table is worth telling apart: the publisher creates it and tries again.
  const CatalogError code =
      reply.error_code == "EntityNotFoundException" ? CatalogError::kNotFound : CatalogError::kPublish;
  return Error(code, std::move(text)).Retryable(reply.retryable);
}

Result<GlueClient::Reply> GlueClient::Call(const std::string& operation, const nlohmann::ordered_json& body,
                                           const std::string& what) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::string payload = body.dump();
  const std::string payload_hash = storage::PayloadSha256Hex(payload);
  for (int attempt = 0;; ++attempt) {
    storage::HttpRequest req{"POST", endpoint_,
                             {{"Content-Type", "application/x-amz-json-1.1"},
                              {"X-Amz-Target", "AWSGlue." + operation}},
                             payload};
    FLOE_RETURN_IF_ERROR(storage::SignRequest(req.method, req.url, req.headers, payload_hash, scope_,
                                              options_.credentials, options_.clock->NowMicros()));
    ++requests_;
    Result<storage::HttpResponse> r = http_.Send(req);
    const bool last_attempt = attempt >= options_.max_retries;
    if (!r.ok()) {
      if (last_attempt || !r.status().retryable()) {
        std::string text = "Glue " + operation + " (" + what + "): " + r.status().ToString();
        if (attempt > 0) text += " after " + std::to_string(attempt + 1) + " attempts";
        return Error(CatalogError::kPublish, std::move(text)).Retryable(r.status().retryable());
      }
    } else {
      Reply reply;
      reply.status = r->status;
      reply.attempts = attempt + 1;
      reply.body = nlohmann::ordered_json::parse(r->body, nullptr, /*allow_exceptions=*/false);
      if (const std::string* rid = r->Header("x-amzn-requestid")) reply.request_id = *rid;
      if (reply.status < 200 || reply.status >= 300) {
        if (reply.body.is_object()) {
          reply.error_code = BareCode(StringField(reply.body, "__type"));
          reply.error_message = StringField(reply.body, "Message");
          if (reply.error_message.empty()) reply.error_message = StringField(reply.body, "message");
        }
        if (const std::string* type = r->Header("x-amzn-errortype"); type && reply.error_code.empty()) {
          reply.error_code = BareCode(*type);
        }
        if (reply.error_code.empty()) reply.error_code = "HTTP" + std::to_string(reply.status);
        reply.retryable = RetryableReply(reply.status, reply.error_code);
      } else if (reply.body.is_discarded()) {
        return Error(CatalogError::kPublish, "Glue " + operation + " (" + what + "): the reply is not JSON");
      }
      if (!reply.retryable || last_attempt) return reply;
    }
    ++retries_;
    const int64_t cap = std::min<int64_t>(
        kMaxBackoffMs, static_cast<int64_t>(options_.retry_backoff_ms) << std::min(attempt, 20));
    const int64_t sleep_ms = cap > 0 ? std::uniform_int_distribution<int64_t>(0, cap)(rng) : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  }
}

Status GlueClient::CreateDatabase(const std::string& database) {
  nlohmann::ordered_json body = Body();
  body["DatabaseInput"] = {{"Name", database}};
  FLOE_ASSIGN_OR_RETURN(Reply reply, Call("CreateDatabase", body, What(database)));
  if (reply.ok() || reply.error_code == "AlreadyExistsException") return Status::Ok();
  return ErrorOf("CreateDatabase", What(database), reply);
}

Result<bool> GlueClient::CreateTable(const std::string& database, const nlohmann::ordered_json& table_input) {
  nlohmann::ordered_json body = Body();
  body["DatabaseName"] = database;
  body["TableInput"] = table_input;
  const std::string what = What(database, table_input.value("Name", std::string()));
  FLOE_ASSIGN_OR_RETURN(Reply reply, Call("CreateTable", body, what));
  if (reply.ok()) return true;
  if (reply.error_code == "AlreadyExistsException") return false;
  return ErrorOf("CreateTable", what, reply);
}

Status GlueClient::UpdateTable(const std::string& database, const nlohmann::ordered_json& table_input) {
  nlohmann::ordered_json body = Body();
  body["DatabaseName"] = database;
  body["TableInput"] = table_input;
  const std::string what = What(database, table_input.value("Name", std::string()));
  FLOE_ASSIGN_OR_RETURN(Reply reply, Call("UpdateTable", body, what));
  if (reply.ok()) return Status::Ok();
  return ErrorOf("UpdateTable", what, reply);
}

Status GlueClient::BatchCreatePartition(const std::string& database, const std::string& table,
                                        const std::vector<nlohmann::ordered_json>& partition_inputs) {
  const std::string what = What(database, table);
  std::vector<std::string> refused;  // "[values]: Code: message" of entries Glue did not create
  size_t refused_count = 0;
  for (size_t start = 0; start < partition_inputs.size(); start += kMaxPartitionsPerBatch) {
    const size_t end = std::min(partition_inputs.size(), start + kMaxPartitionsPerBatch);
    nlohmann::ordered_json body = Body();
    body["DatabaseName"] = database;
    body["TableName"] = table;
    body["PartitionInputList"] = nlohmann::ordered_json::array();
    for (size_t i = start; i < end; ++i) body["PartitionInputList"].push_back(partition_inputs[i]);
    FLOE_ASSIGN_OR_RETURN(Reply reply, Call("BatchCreatePartition", body, what));
    if (!reply.ok()) return ErrorOf("BatchCreatePartition", what, reply);
    if (!reply.body.contains("Errors") || !reply.body["Errors"].is_array()) continue;
    for (const auto& e : reply.body["Errors"]) {
      const nlohmann::ordered_json none;
      const auto detail = e.is_object() ? e.value("ErrorDetail", none) : none;
      const std::string code = StringField(detail, "ErrorCode");
      if (code == "AlreadyExistsException") continue;
      ++refused_count;
      if (refused.size() < 5) {
        const auto values = e.is_object() ? e.value("PartitionValues", none) : none;
        refused.push_back(values.dump() + ": " + code + ": " + StringField(detail, "ErrorMessage"));
      }
    }
  }
  if (refused_count == 0) return Status::Ok();
  std::string text = "Glue BatchCreatePartition (" + what + ") refused " + std::to_string(refused_count) +
                     " of " + std::to_string(partition_inputs.size()) + " partitions:";
  for (const auto& r : refused) text += " " + r + ";";
  if (refused_count > refused.size()) text += " ...";
  return Error(CatalogError::kPublish, std::move(text));
}

Result<std::vector<std::vector<std::string>>> GlueClient::GetPartitions(const std::string& database,
                                                                        const std::string& table) {
  const std::string what = What(database, table);
  std::vector<std::vector<std::string>> out;
  std::string token;
  do {
    nlohmann::ordered_json body = Body();
    body["DatabaseName"] = database;
    body["TableName"] = table;
    body["ExcludeColumnSchema"] = true;  // only the values are wanted
    body["MaxResults"] = kGetPartitionsPageSize;
    if (!token.empty()) body["NextToken"] = token;
    FLOE_ASSIGN_OR_RETURN(Reply reply, Call("GetPartitions", body, what));
    if (!reply.ok()) return ErrorOf("GetPartitions", what, reply);
    if (reply.body.contains("Partitions") && reply.body["Partitions"].is_array()) {
      for (const auto& p : reply.body["Partitions"]) {
        std::vector<std::string> values;
        const auto listed = p.is_object() ? p.value("Values", nlohmann::ordered_json()) : nlohmann::ordered_json();
        for (const auto& v : listed.is_array() ? listed : nlohmann::ordered_json::array()) {
          if (v.is_string()) values.push_back(v.get<std::string>());
        }
        out.push_back(std::move(values));
      }
    }
    const auto next = reply.body.find("NextToken");
    token = next != reply.body.end() && next->is_string() ? next->get<std::string>() : "";
  } while (!token.empty());
  return out;
}

}  // namespace floe::catalog
