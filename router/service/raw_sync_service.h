// RawSyncService: a synchronous gRPC service whose handlers parse their own requests.
//
// Why not the generated CaseIntakeService::Service: the protobuf runtime rejects a proto3
// string that is not UTF-8 while deserializing, before any handler runs, and gRPC then answers
// INTERNAL with an empty message (and the runtime logs a line for it). Adapters forward
// customer text from the outside world, so a broken byte in a tweet is a client error the
// client must be able to locate: INVALID_ARGUMENT "subject: must be valid UTF-8". Registering
// the methods with a grpc::ByteBuffer request and parsing with ParseRequest (the wire checks,
// wire_checks.h) gives exactly that; everything else (method names, response types,
// reflection, health) stays as generated.
//
// Subclasses register each method of their service in their constructor:
//
//   CaseIntakeService::CaseIntakeService(Engine* engine)
//       : RawSyncService("caserouter.v1.CaseIntakeService"), engine_(engine) {
//     AddUnary("SubmitCase", &CaseIntakeService::SubmitCase);
//   }
//   grpc::Status CaseIntakeService::SubmitCase(grpc::ServerContext* context,
//                                              const v1::SubmitCaseRequest& request,
//                                              v1::SubmitCaseResponse* response);
//
// The method name and the request/response types are checked against the generated
// descriptors when registering; a mismatch is a programming error and aborts at start-up.
//
// Cost: this uses grpc::internal::RpcMethodHandler and BidiStreamingHandler, the same
// templates generated code uses; they are stable within a gRPC release (Debian 12: 1.51) and
// must be re-checked on upgrade.
#ifndef CASEROUTER_ROUTER_SERVICE_RAW_SYNC_SERVICE_H_
#define CASEROUTER_ROUTER_SERVICE_RAW_SYNC_SERVICE_H_

#include <deque>
#include <functional>
#include <string>

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/method_handler.h>
#include <grpcpp/support/sync_stream.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "router/service/status_convert.h"

namespace caserouter {

// ParseRequest (wire_checks.h) of a request received as a ByteBuffer.
absl::Status ParseRequest(const grpc::ByteBuffer& buffer, google::protobuf::Message* request);
// ParseNumbersOnly (wire_checks.h) of a request that failed ParseRequest.
void ParseRequestNumbers(const grpc::ByteBuffer& buffer, google::protobuf::Message* request);

// The stream type of a bidirectional method registered with AddBidi.
template <typename Response>
using RawServerStream = grpc::ServerReaderWriter<Response, grpc::ByteBuffer>;

class RawSyncService : public grpc::Service {
 protected:
  // `service` is the full proto name, e.g. "caserouter.v1.CaseIntakeService".
  explicit RawSyncService(absl::string_view service);

  template <typename Impl, typename Request, typename Response>
  void AddUnary(absl::string_view method,
                grpc::Status (Impl::*handler)(grpc::ServerContext*, const Request&, Response*)) {
    const char* name = CheckedMethodName(method, Request::descriptor(), Response::descriptor(), false);
    Impl* impl = static_cast<Impl*>(this);
    AddMethod(new grpc::internal::RpcServiceMethod(
        name, grpc::internal::RpcMethod::NORMAL_RPC,
        new grpc::internal::RpcMethodHandler<RawSyncService, grpc::ByteBuffer, Response>(
            [impl, handler](RawSyncService*, grpc::ServerContext* context,
                            const grpc::ByteBuffer* raw, Response* response) {
              Request request;
              absl::Status parsed = ParseRequest(*raw, &request);
              if (!parsed.ok()) return ToGrpcStatus(parsed);
              return (impl->*handler)(context, request, response);
            },
            this)));
  }

  // A bidirectional stream; the handler reads ByteBuffers and parses them with ParseRequest,
  // so that one bad message can be answered without ending the stream.
  template <typename Impl, typename Request, typename Response>
  void AddBidi(absl::string_view method,
               grpc::Status (Impl::*handler)(grpc::ServerContext*, RawServerStream<Response>*),
               const Request* /*request_type*/ = nullptr) {
    const char* name = CheckedMethodName(method, Request::descriptor(), Response::descriptor(), true);
    Impl* impl = static_cast<Impl*>(this);
    AddMethod(new grpc::internal::RpcServiceMethod(
        name, grpc::internal::RpcMethod::BIDI_STREAMING,
        new grpc::internal::BidiStreamingHandler<RawSyncService, grpc::ByteBuffer, Response>(
            [impl, handler](RawSyncService*, grpc::ServerContext* context,
                            RawServerStream<Response>* stream) {
              return (impl->*handler)(context, stream);
            },
            this)));
  }

 private:
  // "/<service>/<method>", kept alive for the service's lifetime (gRPC keeps the pointer).
  const char* CheckedMethodName(absl::string_view method,
                                const google::protobuf::Descriptor* request,
                                const google::protobuf::Descriptor* response, bool bidi);

  const std::string service_;
  std::deque<std::string> method_names_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_RAW_SYNC_SERVICE_H_
