#include "catalog/s3_event.h"

#include <gtest/gtest.h>

#include "catalog/catalog_error.h"

namespace floe::catalog {
namespace {

// As Amazon S3 sends it (the documented sample, with a floe key: `+` in the file name is %2B, `=` is %3D).
constexpr const char* kPut = R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-west-2",
 "eventTime":"2024-05-01T12:00:03.123Z","eventName":"ObjectCreated:Put",
 "userIdentity":{"principalId":"AWS:AIDAJDPLRKLG7UEXAMPLE"},
 "requestParameters":{"sourceIPAddress":"127.0.0.1"},
 "responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
 "s3":{"s3SchemaVersion":"1.0","configurationId":"testConfigRule",
  "bucket":{"name":"lake-bucket","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::lake-bucket"},
  "object":{"key":"archive/default/ads/v%3D2/dt%3D2024-05-01/hour%3D12/ads%2B3%2B1200.parquet","size":48211,
   "eTag":"d41d8cd98f00b204e9800998ecf8427e","versionId":"096fKKXTRTtl3on89fVO.nfljtsv6qko",
   "sequencer":"0055AED6DCD90281E5"}}}]})";

TEST(S3Event, ParsesAnObjectCreatedPut) {
  auto events = ParseS3EventMessage(kPut);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  const S3ObjectEvent& e = (*events)[0];
  EXPECT_EQ(e.kind, S3ObjectEvent::Kind::kCreated);
  EXPECT_EQ(e.event_name, "ObjectCreated:Put");
  EXPECT_EQ(e.bucket, "lake-bucket");
  EXPECT_EQ(e.key, "archive/default/ads/v=2/dt=2024-05-01/hour=12/ads+3+1200.parquet");
  EXPECT_EQ(e.size, 48211u);
  EXPECT_EQ(e.event_time_micros, 1714564803123000);
}

TEST(S3Event, ParsesARemovalAndSeveralRecords) {
  auto events = ParseS3EventMessage(R"({"Records":[
    {"eventVersion":"2.1","eventSource":"aws:s3","eventTime":"2024-05-01T12:05:00.000Z",
     "eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},
     "object":{"key":"default/ads/dt%3D2024-05-01/ads%2B0%2B0.parquet","sequencer":"0055AED6DCD90281E6"}}},
    {"eventVersion":"2.1","eventSource":"aws:s3","eventTime":"2024-05-01T12:06:00.000Z",
     "eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},
     "object":{"key":"x.parquet","size":7}}},
    {"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectRestore:Completed",
     "s3":{"bucket":{"name":"b"},"object":{"key":"cold.parquet","size":1}}}]})");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);  // the restore is nothing the catalog follows
  EXPECT_EQ((*events)[0].kind, S3ObjectEvent::Kind::kRemoved);
  EXPECT_EQ((*events)[0].key, "default/ads/dt=2024-05-01/ads+0+0.parquet");
  EXPECT_EQ((*events)[0].size, 0u);
  EXPECT_EQ((*events)[1].kind, S3ObjectEvent::Kind::kCreated);
  EXPECT_EQ((*events)[1].event_name, "ObjectCreated:CompleteMultipartUpload");
  EXPECT_EQ((*events)[1].size, 7u);
}

TEST(S3Event, DecodesKeysAsFormUrlEncoded) {
  EXPECT_EQ(FormUrlDecode("red+flower.jpg"), "red flower.jpg");
  EXPECT_EQ(FormUrlDecode("a%2Bb%3Dc%2fd"), "a+b=c/d");
  EXPECT_EQ(FormUrlDecode("caf%C3%A9"), "caf\xC3\xA9");
  EXPECT_EQ(FormUrlDecode("100%"), "100%");     // no two hex digits: kept
  EXPECT_EQ(FormUrlDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(FormUrlDecode("%41"), "A");
}

TEST(S3Event, UnwrapsSnsEnvelopes) {
  // SNS to SQS/HTTP: the notification is the JSON string in Message.
  const std::string sqs = R"({"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    "TopicArn":"arn:aws:sns:us-west-2:123456789012:s3-events","Subject":"Amazon S3 Notification",
    "Message":"{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"2024-05-01T12:00:00.000Z\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"my+file.parquet\",\"size\":5}}}]}",
    "Timestamp":"2024-05-01T12:00:01.000Z","SignatureVersion":"1","Signature":"EXAMPLE",
    "SigningCertURL":"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0000.pem",
    "UnsubscribeURL":"https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe"})";
  auto events = ParseS3EventMessage(sqs);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].key, "my file.parquet");

  // SNS to Lambda: each record carries one notification.
  const std::string lambda = R"({"Records":[{"EventVersion":"1.0","EventSource":"aws:sns",
    "EventSubscriptionArn":"arn:aws:sns:us-west-2:123456789012:s3-events:1",
    "Sns":{"Type":"Notification","Message":"{\"Records\":[{\"eventName\":\"ObjectRemoved:DeleteMarkerCreated\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}"}}]})";
  events = ParseS3EventMessage(lambda);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind, S3ObjectEvent::Kind::kRemoved);
}

TEST(S3Event, TheTestEventHasNoRecords) {
  auto events = ParseS3EventMessage(R"({"Service":"Amazon S3","Event":"s3:TestEvent",
    "Time":"2014-10-13T15:57:02.089Z","Bucket":"lake-bucket","RequestId":"5582815E1AEA5ADF",
    "HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"})");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_TRUE(events->empty());
}

TEST(S3Event, MalformedMessagesAreNamedParseErrors) {
  struct Case {
    const char* message;
    const char* says;
  };
  for (const Case& c : {
           Case{R"({"Records":[}]})", "malformed JSON at byte 13"},  // the '}', counted from 1
           Case{R"({"Records":[{"eventName":)", "malformed JSON at byte"},
           Case{"", "malformed JSON at byte"},
           Case{"[1,2]", "not a JSON object"},
           Case{R"({"hello":"world"})", "not an S3 event notification"},
           Case{R"({"Records":{}})", "Records is not an array"},
           Case{R"({"Records":[{"s3":{}}]})", "record 0: no eventName"},
           Case{R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]})",
                "record 0 (ObjectCreated:Put): no s3.object.key"},
           Case{R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"k","size":"12"}}}]})",
                "s3.object.size is not a byte count"},
           Case{R"({"Type":"Notification","Message":{"Records":[]}})", "Message is not a string"},
           Case{R"({"Type":"Notification","Message":"{oops"})", "malformed JSON at byte"},
           Case{R"({"version":"0","detail-type":"Object Created","source":"aws.s3","detail":{}})",
                "EventBridge events are not accepted"},
       }) {
    auto events = ParseS3EventMessage(c.message);
    ASSERT_FALSE(events.ok()) << c.message;
    EXPECT_TRUE(events.status().Is(CatalogError::kParse)) << events.status().ToString();
    EXPECT_NE(events.status().message().find(c.says), std::string::npos)
        << c.message << " -> " << events.status().ToString();
  }
}

TEST(S3Event, MapsKeysIntoTheLakeAndIgnoresNonDataKeys) {
  const LakeLocation loc = LakeLocation::FromStoreUrl("s3://lake-bucket/archive/");
  EXPECT_EQ(loc.bucket, "lake-bucket");
  EXPECT_EQ(loc.prefix, "archive/");
  auto key_of = [&](const std::string& bucket, const std::string& key) {
    S3ObjectEvent e;
    e.bucket = bucket;
    e.key = key;
    return loc.LakeKeyOf(e);
  };
  EXPECT_EQ(key_of("lake-bucket", "archive/default/ads/dt=2024-05-01/ads+0+0.parquet"),
            "default/ads/dt=2024-05-01/ads+0+0.parquet");
  EXPECT_EQ(key_of("other-bucket", "archive/default/ads/dt=2024-05-01/ads+0+0.parquet"), "");
  EXPECT_EQ(key_of("lake-bucket", "elsewhere/default/ads/ads+0+0.parquet"), "");
  EXPECT_EQ(key_of("lake-bucket", "archive/_floe/catalog.db"), "");
  EXPECT_EQ(key_of("lake-bucket", "archive/default/ads/dt=2024-05-01/_SUCCESS"), "");
  EXPECT_EQ(key_of("lake-bucket", "archive/default/ads/_schemas/v=1.avsc"), "");
  EXPECT_EQ(key_of("lake-bucket", "archive/default/ads/dt=2024-05-01/.ads+0+0.parquet.tmp"), "");
  EXPECT_EQ(key_of("lake-bucket", "archive/default/ads/"), "");

  // A local lake (development, tests): any bucket, keys relative to its root.
  const LakeLocation local = LakeLocation::FromStoreUrl("file:///tmp/lake");
  S3ObjectEvent e;
  e.bucket = "anything";
  e.key = "default/ads/ads+0+0.parquet";
  EXPECT_EQ(local.LakeKeyOf(e), "default/ads/ads+0+0.parquet");
  EXPECT_EQ(LakeLocation::FromStoreUrl("s3://bucket").prefix, "");
}

}  // namespace
}  // namespace floe::catalog
