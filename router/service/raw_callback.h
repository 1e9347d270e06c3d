// Raw callback methods: caserouter.v1 served through gRPC's callback API, with the service
// layer parsing every request itself.
//
// Why callbacks: the synchronous API holds a thread for every open call, so a replica with
// 10,000 agent desks needed 20,000 threads (a reader and a writer per desk stream). With the
// callback API a call is a reactor object; gRPC runs reactions on a small pool of its own,
// whatever the number of open calls, and nothing here ever blocks one of those threads: a
// unary call is finished from the engine's answer (engine_call.h), a desk stream writes one
// queued event at a time (agent_desk_service.h).
//
// Why raw: the protobuf runtime rejects a proto3 string that is not UTF-8 while
// deserializing, before any handler runs, and gRPC then answers INTERNAL with an empty
// message (and the runtime logs a line for it). Adapters forward customer text from the
// outside world, so a broken byte in a tweet is a client error the client must be able to
// locate: INVALID_ARGUMENT "subject: must be valid UTF-8". So every method is registered as
// a *raw* callback method, whose request (and response) is a grpc::ByteBuffer, and the
// service parses the request with ParseRequest (the wire checks, wire_checks.h) and
// serializes the response with SerializeResponse.
//
// How: the generated code's own WithRawCallbackMethod_<Method> templates, one per method,
// stacked on the generated Service. They are part of the generated API (regenerated with
// the matching gRPC plugin, no grpc::internal types named here), keep the method names and
// descriptors of the .proto, and leave reflection and health as generated:
//
//   class CaseIntakeService final
//       : public v1::CaseIntakeService::WithRawCallbackMethod_SubmitCase<...<
//             v1::CaseIntakeService::Service>> {
//     grpc::ServerUnaryReactor* SubmitCase(grpc::CallbackServerContext* context,
//                                          const grpc::ByteBuffer* request,
//                                          grpc::ByteBuffer* response) override;
//   };
//
// A method left out of the stack would stay synchronous (and need a thread per call):
// ServesOnlyCallbacks tells, and the service tests check it for every service.
//
// Thread safety: plain functions.
#ifndef CASEROUTER_ROUTER_SERVICE_RAW_CALLBACK_H_
#define CASEROUTER_ROUTER_SERVICE_RAW_CALLBACK_H_

#include <grpcpp/impl/service_type.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace caserouter {

// ParseRequest (wire_checks.h) of a request received as a ByteBuffer.
absl::Status ParseRequest(const grpc::ByteBuffer& buffer, google::protobuf::Message* request);
// ParseNumbersOnly (wire_checks.h) of a request that failed ParseRequest.
void ParseRequestNumbers(const grpc::ByteBuffer& buffer, google::protobuf::Message* request);

// `message` in wire form, replacing what `buffer` held.
void SerializeResponse(const google::protobuf::Message& message, grpc::ByteBuffer* buffer);

// True when every method of `service` is a callback method (none needs a thread per call).
bool ServesOnlyCallbacks(const grpc::Service& service);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_RAW_CALLBACK_H_
