#include "loadgen/event_generator.h"

#include <fmt/format.h>

#include <array>

#include "common/time_util.h"

namespace floe::loadgen {
namespace {

constexpr std::array kCategories = {"real-estate", "vehicles", "video-games", "furniture", "jobs",
                                    "fashion",     "holidays", "electronics", "pets",      "books"};
constexpr std::array kCities = {"Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Nice"};
constexpr std::array kWords = {"vintage", "bike",  "sofa",   "flat",  "console", "jacket", "camera", "garden",
                               "table",   "lamp",  "guitar", "boots", "laptop",  "crib",   "kayak",  "piano"};
constexpr std::array kEvents = {"ad_published", "ad_viewed", "ad_replied", "ad_deleted"};

std::string FormatTime(int64_t micros, TimeFormat format, std::mt19937_64& rng) {
  switch (format) {
    case TimeFormat::kRfc3339: return '"' + FormatRfc3339Micros(micros) + '"';
    case TimeFormat::kRfc3339Offset: {
      // Same instant written in a +02:00 zone: the archiver must still place it by UTC.
      const int64_t local = micros + 2 * 3600 * int64_t{1'000'000};
      std::string s = FormatRfc3339Micros(local);
      s.pop_back();  // drop 'Z'
      return '"' + s + "+02:00\"";
    }
    case TimeFormat::kEpochMillis: return std::to_string(micros / 1000);
    case TimeFormat::kEpochSeconds: return std::to_string(micros / 1'000'000);
    case TimeFormat::kEpochMicros: return std::to_string(micros);
  }
  (void)rng;
  return "null";
}

}  // namespace

EventGenerator::EventGenerator(EventGeneratorOptions options) : options_(std::move(options)), rng_(options_.seed) {}

void EventGenerator::Next(uint64_t index, GeneratedEvent& out, bool with_channel) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double spread_micros = options_.spread_hours * 3600e6;
  const double progress = options_.count > 1 ? static_cast<double>(index) / static_cast<double>(options_.count - 1) : 1;
  int64_t t = options_.now_micros - static_cast<int64_t>(spread_micros * (1.0 - progress));
  // Truncate to milliseconds so every format (millis, seconds aside) round-trips exactly.
  t -= t % 1000;
  const double dice = unit(rng_);
  const bool missing = dice < options_.missing_time_fraction;
  const bool late = !missing && dice < options_.missing_time_fraction + options_.late_fraction;
  if (late) t -= static_cast<int64_t>((1.0 + 5.0 * unit(rng_)) * 3600e6);
  if (options_.time_format == TimeFormat::kEpochSeconds) t -= t % 1'000'000;

  const uint64_t user = rng_() % 50'000;
  const uint64_t ad = 1'000'000 + rng_() % 9'000'000;
  const char* category = kCategories[rng_() % kCategories.size()];
  const char* city = kCities[rng_() % kCities.size()];
  const double price = static_cast<double>(rng_() % 500'000) / 100.0;
  out.key = fmt::format("user-{}", user);
  out.business_time_micros = missing ? -1 : t;
  out.json.clear();
  fmt::format_to(std::back_inserter(out.json),
                 R"({{"event_id":"{:016x}-{:08x}","event_type":"{}","ad_id":{},"user_id":"user-{}",)"
                 R"("category":"{}","title":"{} {} {}","price":{:.2f},"currency":"EUR","is_pro":{},)",
                 rng_(), static_cast<uint32_t>(index), kEvents[rng_() % kEvents.size()], ad, user, category,
                 kWords[rng_() % kWords.size()], kWords[rng_() % kWords.size()], city, price,
                 (rng_() % 5 == 0) ? "true" : "false");
  if (with_channel)
    fmt::format_to(std::back_inserter(out.json), R"("channel":"{}",)", (rng_() % 3 == 0) ? "app" : "web");
  if (!missing)
    fmt::format_to(std::back_inserter(out.json), R"("{}":{},)", options_.time_field,
                   FormatTime(t, options_.time_format, rng_));
  fmt::format_to(std::back_inserter(out.json),
                 R"("location":{{"city":"{}","zip":"{:05d}","lat":{:.5f},"lon":{:.5f}}},"tags":["{}","{}"],)"
                 R"("views":{},"seq":{}}})",
                 city, static_cast<int>(rng_() % 95'000) + 1000, 42.0 + unit(rng_) * 9.0, -4.0 + unit(rng_) * 12.0,
                 kWords[rng_() % kWords.size()], category, rng_() % 10'000, index);
}

std::string EventAvroSchema(const std::string& time_field, int version) {
  std::string fields = R"([
    {"name":"event_id","type":"string"},
    {"name":"event_type","type":{"type":"enum","name":"EventType","symbols":["ad_published","ad_viewed","ad_replied","ad_deleted"]}},
    {"name":"ad_id","type":"long"},
    {"name":"user_id","type":"string"},
    {"name":"category","type":"string"},
    {"name":"title","type":"string"},
    {"name":"price","type":"double"},
    {"name":"currency","type":"string"},
    {"name":"is_pro","type":"boolean"},)";
  if (version >= 2) fields += R"(
    {"name":"channel","type":"string","default":"web"},)";
  fields += fmt::format(R"(
    {{"name":"{}","type":["null",{{"type":"long","logicalType":"timestamp-millis"}}],"default":null}},
    {{"name":"location","type":{{"type":"record","name":"Location","fields":[
      {{"name":"city","type":"string"}},{{"name":"zip","type":"string"}},
      {{"name":"lat","type":"double"}},{{"name":"lon","type":"double"}}]}}}},
    {{"name":"tags","type":{{"type":"array","items":"string"}}}},
    {{"name":"views","type":"long"}},
    {{"name":"seq","type":"long"}}])", time_field);
  return R"({"type":"record","name":"AdEvent","namespace":"com.floe.demo","fields":)" + fields + "}";
}

}  // namespace floe::loadgen
