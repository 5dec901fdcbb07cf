#include "kafka/producer.h"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <mutex>

#include "kafka/kafka_error.h"

namespace floe::kafka {

struct KafkaProducer::Impl {
  rd_kafka_t* rk = nullptr;
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> failed{0};
  std::mutex mu;
  std::string first_error;
  ~Impl() {
    if (rk) rd_kafka_destroy(rk);
  }
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (m->err) {
      self->failed.fetch_add(1);
      std::lock_guard<std::mutex> lock(self->mu);
      if (self->first_error.empty())
        self->first_error = std::string(rd_kafka_topic_name(m->rkt)) + ": " + rd_kafka_err2str(m->err);
    } else {
      self->delivered.fetch_add(1);
    }
  }
};

KafkaProducer::KafkaProducer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaProducer::~KafkaProducer() {
  if (impl_ && impl_->rk) rd_kafka_flush(impl_->rk, 5000);
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const std::map<std::string, std::string>& properties) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] : properties) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Error(KafkaError::kConfig, "producer property " + k + ": " + err);
    }
  }
  auto impl = std::make_unique<Impl>();
  rd_kafka_conf_set_dr_msg_cb(conf, &Impl::OnDelivery);
  rd_kafka_conf_set_opaque(conf, impl.get());
  impl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return Error(KafkaError::kConfig, std::string("cannot create producer: ") + err);
  }
  return std::unique_ptr<KafkaProducer>(new KafkaProducer(std::move(impl)));
}

Status KafkaProducer::Produce(std::string_view topic, int32_t partition, std::optional<std::string_view> key,
                              std::optional<std::string_view> value, int64_t timestamp_ms,
                              const std::vector<Header>& headers) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (!headers.empty()) {
    hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& h : headers)
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
  }
  const std::string topic_name(topic);
  void* value_ptr = value ? const_cast<char*>(value->data()) : nullptr;
  const size_t value_len = value ? value->size() : 0;
  const void* key_ptr = key ? key->data() : nullptr;
  const size_t key_len = key ? key->size() : 0;
  for (;;) {
    rd_kafka_resp_err_t e = rd_kafka_producev(
        impl_->rk, RD_KAFKA_V_TOPIC(topic_name.c_str()),
        RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(value_ptr, value_len),
        RD_KAFKA_V_KEY(key_ptr, key_len), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();  // librdkafka owns the headers now
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(impl_->rk, 50);
      continue;
    }
    if (hdrs) rd_kafka_headers_destroy(hdrs);
    return Error(KafkaError::kProduce, "produce to " + topic_name + ": " + rd_kafka_err2str(e));
  }
}

Status KafkaProducer::Flush(int timeout_ms) {
  rd_kafka_resp_err_t e = rd_kafka_flush(impl_->rk, timeout_ms);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Error(KafkaError::kTransport, std::string("flush: ") + rd_kafka_err2str(e) + " (" +
                                             std::to_string(rd_kafka_outq_len(impl_->rk)) + " messages pending)");
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->first_error.empty())
    return Error(KafkaError::kProduce, std::to_string(impl_->failed.load()) +
                                           " messages not delivered; first: " + impl_->first_error);
  return Status::Ok();
}

uint64_t KafkaProducer::delivered() const { return impl_->delivered.load(); }
uint64_t KafkaProducer::failed() const { return impl_->failed.load(); }

}  // namespace floe::kafka
