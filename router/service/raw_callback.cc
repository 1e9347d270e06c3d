#include "router/service/raw_callback.h"

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/slice.h>

#include "absl/strings/string_view.h"
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

void SerializeResponse(const google::protobuf::Message& message, grpc::ByteBuffer* buffer) {
  // What gRPC's generated code does with a response: one slice of the exact size for small
  // messages, serialized in place.
  bool own_buffer = false;
  buffer->Clear();  // the serializer fills an empty buffer only
  (void)grpc::SerializationTraits<google::protobuf::Message>::Serialize(message, buffer,
                                                                        &own_buffer);
}

bool ServesOnlyCallbacks(const grpc::Service& service) {
  return service.has_callback_methods() && !service.has_synchronous_methods() &&
         !service.has_async_methods() && !service.has_generic_methods();
}

}  // namespace caserouter
