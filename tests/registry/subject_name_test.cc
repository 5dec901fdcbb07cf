#include "registry/subject_name.h"

#include <gtest/gtest.h>

#include "registry/registry_error.h"
#include "registry/schema_compatibility.h"

namespace floe::registry {
namespace {

TEST(SubjectNameTest, StrategiesNameSubjectsLikeConfluent) {
  EXPECT_EQ(SubjectFor(SubjectNameStrategy::kTopicName, "ads", false, "x.Ad"), "ads-value");
  EXPECT_EQ(SubjectFor(SubjectNameStrategy::kTopicName, "ads", true, "x.Ad"), "ads-key");
  EXPECT_EQ(SubjectFor(SubjectNameStrategy::kRecordName, "ads", false, "x.Ad"), "x.Ad");
  EXPECT_EQ(SubjectFor(SubjectNameStrategy::kTopicRecordName, "ads", false, "x.Ad"), "ads-x.Ad");
}

TEST(SubjectNameTest, ParsesShortAndJavaClassNames) {
  EXPECT_EQ(*ParseSubjectNameStrategy("TopicNameStrategy"), SubjectNameStrategy::kTopicName);
  EXPECT_EQ(*ParseSubjectNameStrategy("io.confluent.kafka.serializers.subject.RecordNameStrategy"),
            SubjectNameStrategy::kRecordName);
  EXPECT_EQ(*ParseSubjectNameStrategy("topic_record_name"), SubjectNameStrategy::kTopicRecordName);
  Result<SubjectNameStrategy> bad = ParseSubjectNameStrategy("latest");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().Is(RegistryError::kInvalidArgument));
}

TEST(SubjectNameTest, AvroFullNameUsesNamespaceUnlessNameIsDotted) {
  EXPECT_EQ(*AvroFullName(R"({"type":"record","name":"Ad","namespace":"com.acme","fields":[]})"), "com.acme.Ad");
  EXPECT_EQ(*AvroFullName(R"({"type":"record","name":"org.x.Ad","namespace":"com.acme","fields":[]})"), "org.x.Ad");
  EXPECT_EQ(*AvroFullName(R"({"type":"enum","name":"Color","symbols":["R"]})"), "Color");
  EXPECT_TRUE(AvroFullName(R"("string")").status().Is(RegistryError::kInvalidArgument));
  EXPECT_TRUE(AvroFullName("{not json").status().Is(RegistryError::kInvalidArgument));
}

TEST(SubjectNameTest, CompatibilityLevelsAreCaseInsensitive) {
  EXPECT_EQ(*ParseCompatibilityLevel("full_transitive"), "FULL_TRANSITIVE");
  EXPECT_EQ(*ParseCompatibilityLevel("NONE"), "NONE");
  EXPECT_FALSE(ParseCompatibilityLevel("SIDEWAYS").has_value());
}

TEST(SubjectNameTest, ConfluentCodesRoundTrip) {
  for (RegistryError e : {RegistryError::kSubjectNotFound, RegistryError::kVersionNotFound,
                          RegistryError::kSchemaNotFound, RegistryError::kIncompatibleSchema,
                          RegistryError::kInvalidSchema, RegistryError::kInvalidVersion,
                          RegistryError::kInvalidCompatibilityLevel, RegistryError::kSubjectNotSoftDeleted,
                          RegistryError::kVersionNotSoftDeleted, RegistryError::kSubjectLevelConfigNotFound}) {
    ConfluentCode code = ConfluentCodeFor(e);
    EXPECT_EQ(ErrorFromConfluent(code.http_status, code.error_code), e);
  }
  EXPECT_EQ(ErrorFromConfluent(503, 0), RegistryError::kUnavailable);
  EXPECT_EQ(ErrorFromConfluent(429, 0), RegistryError::kUnavailable);
  EXPECT_EQ(ErrorFromConfluent(401, 0), RegistryError::kUnauthorized);
  EXPECT_EQ(ErrorFromConfluent(404, 404), RegistryError::kBadRequest);
  EXPECT_TRUE(Status(Error(RegistryError::kUnavailable, "down")).retryable());
  EXPECT_FALSE(Status(Error(RegistryError::kSchemaNotFound, "gone")).retryable());
}

}  // namespace
}  // namespace floe::registry
