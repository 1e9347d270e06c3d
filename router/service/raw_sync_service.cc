#include "router/service/raw_sync_service.h"

#include <cstdlib>

#include <grpcpp/support/slice.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "router/service/wire_checks.h"

namespace caserouter {

namespace {

// The payload in one piece; false when gRPC cannot give it.
bool Flatten(const grpc::ByteBuffer& buffer, grpc::Slice* slice) {
  return buffer.DumpToSingleSlice(slice).ok();
}

absl::string_view View(const grpc::Slice& slice) {
  return absl::string_view(reinterpret_cast<const char*>(slice.begin()), slice.size());
}

}  // namespace

absl::Status ParseRequest(const grpc::ByteBuffer& buffer, google::protobuf::Message* request) {
  grpc::Slice slice;
  if (!Flatten(buffer, &slice)) return absl::InvalidArgumentError("request: unreadable payload");
  return ParseRequest(View(slice), request);
}

void ParseRequestNumbers(const grpc::ByteBuffer& buffer, google::protobuf::Message* request) {
  grpc::Slice slice;
  if (Flatten(buffer, &slice)) {
    ParseNumbersOnly(View(slice), request);
  } else {
    request->Clear();
  }
}

RawSyncService::RawSyncService(absl::string_view service) : service_(service) {}

const char* RawSyncService::CheckedMethodName(absl::string_view method,
                                              const google::protobuf::Descriptor* request,
                                              const google::protobuf::Descriptor* response,
                                              bool bidi) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_);
  const google::protobuf::MethodDescriptor* m =
      service == nullptr ? nullptr : service->FindMethodByName(std::string(method));
  if (m == nullptr || m->input_type() != request || m->output_type() != response ||
      m->client_streaming() != bidi || m->server_streaming() != bidi) {
    absl::FPrintF(stderr, "caserouter: %s/%s does not match the generated descriptors\n",
                  service_, method);
    std::abort();
  }
  method_names_.push_back(absl::StrCat("/", service_, "/", method));
  return method_names_.back().c_str();
}

}  // namespace caserouter
