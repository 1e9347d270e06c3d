#include "tools/load/echo_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "caserouter/v1/case_intake.grpc.pb.h"
#include "router/service/server_settings.h"

namespace caserouter::load {

class EchoServer::Intake final : public v1::CaseIntakeService::CallbackService {
 public:
  grpc::ServerUnaryReactor* SubmitCase(grpc::CallbackServerContext* context,
                                       const v1::SubmitCaseRequest* request,
                                       v1::SubmitCaseResponse* response) override {
    const int64_t n = calls_.fetch_add(1, std::memory_order_relaxed) + 1;
    // The case as the router would store it from this request, without the engine's terms.
    v1::Case* c = response->mutable_case_();
    c->set_case_id(absl::StrFormat("e%08d", n));
    c->set_channel(request->channel());
    c->set_customer_id(request->customer_id());
    c->set_topic(request->topic());
    *c->mutable_required_skills() = request->required_skills();
    c->set_language(request->language());
    c->set_authority_needed(request->authority_needed());
    c->set_customer_value(request->customer_value());
    c->set_sentiment(request->has_sentiment() ? request->sentiment() : 0);
    c->set_reach(request->reach());
    c->set_is_public(request->is_public());
    c->set_explicit_priority(request->explicit_priority());
    c->set_subject(request->subject());
    c->set_state(v1::CASE_STATE_QUEUED);
    const int64_t now = absl::ToUnixMicros(absl::Now());
    c->mutable_create_time()->set_seconds(now / 1000000);
    c->mutable_create_time()->set_nanos(static_cast<int32_t>(now % 1000000) * 1000);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  int64_t calls() const { return calls_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> calls_{0};
};

EchoServer::EchoServer() : intake_(std::make_unique<Intake>()) {}

EchoServer::~EchoServer() { Shutdown(); }

absl::StatusOr<std::unique_ptr<EchoServer>> EchoServer::Start(const std::string& address) {
  if (!absl::StartsWith(address, "127.0.0.1:")) {
    return absl::InvalidArgumentError("echo address: 127.0.0.1:<port> only");
  }
  auto echo = std::unique_ptr<EchoServer>(new EchoServer());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &echo->port_);
  builder.RegisterService(echo->intake_.get());
  // The router's quota at its default of 1,000 desk streams.
  ApplyServerSettings(builder);  // built exactly like the router's server
  echo->server_ = builder.BuildAndStart();
  if (echo->server_ == nullptr || echo->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("echo: cannot listen on ", address));
  }
  echo->server_->GetHealthCheckService()->SetServingStatus("", true);
  return echo;
}

int64_t EchoServer::calls() const { return intake_->calls(); }

void EchoServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

void EchoServer::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }
}

}  // namespace caserouter::load
