#!/usr/bin/env bash
# The live demo: a private redis-server (unless --redis is given), the router, a team of
# unattended agents and a stream of cases, with a progress line read from the router's own
# /metrics. Everything it starts is stopped when it ends (or on Ctrl-C).
#
# Security as in production (docs/security.md): the demo makes its own CA, the router's
# certificate and a token issuer with openssl (scripts/credentials.sh) in its temp dir, and
# serves gRPC over TLS with mTLS optional. The adapter authenticates with a client
# certificate (caserouter://default/adapter/demo-adapter); the supervisor that creates the
# agents and each agent use bearer tokens issued by caserouter-token.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"

seconds=60 trace=synthetic path="" speed="" rate=1 agents=5 redis=""
usage() {
  cat <<USAGE
Usage: scripts/demo.sh [options]
  --seconds N     how long the case stream runs (default 60; 0 = until Ctrl-C)
  --trace NAME    synthetic (default), bank or twcs
  --path FILE     the trace file (default: the shared data set beside this repository)
  --speed X       times real time for bank/twcs (default 60: an hour of trace per minute)
  --rate R        synthetic cases per second (default 1)
  --agents N      agents per team, three teams (default 5)
  --redis H:P     use this Redis instead of starting a private one
USAGE
}
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --trace) trace="$2"; shift 2 ;;
    --path) path="$2"; shift 2 ;;
    --speed) speed="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --agents) agents="$2"; shift 2 ;;
    --redis) redis="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "demo: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$trace" in synthetic|bank|twcs) ;; *) echo "demo: --trace must be synthetic, bank or twcs" >&2; exit 2 ;; esac

bash "$root/scripts/setup.sh" "$build"

work="$(mktemp -d)"
pids=()
redis_port=""
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n "$redis_port" ]] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [[ -z "$redis" ]]; then
  redis_port="$(free_port)"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly yes \
    --dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis="127.0.0.1:$redis_port"
  echo "demo: private redis-server on $redis (AOF in $work)"
fi

# Credentials, made for this run and removed with it.
pki="$work/pki"
bash "$root/scripts/credentials.sh" ca "$pki"
bash "$root/scripts/credentials.sh" client "$pki" default adapter demo-adapter
token() { "$build/tools/caserouter-token" --key="$pki/issuer.key" --domain=default "$@"; }
token --role=supervisor --name=demo-supervisor >"$pki/supervisor.jwt"
mkdir -p "$pki/agents"
tls=(--tls_ca="$pki/ca.crt")

"$build/router/caserouter" --grpc_address=127.0.0.1:0 --metrics_address=127.0.0.1:0 \
  --redis_address="$redis" --config="$root/deploy/caserouter.yaml" --instance_id=demo \
  --tls_cert="$pki/server.crt" --tls_key="$pki/server.key" --tls_client_ca="$pki/ca.crt" \
  --tls_require_client_cert=false --jwt_public_keys="$pki/issuer.pub" \
  --print_ports >"$work/ports" 2>"$work/router.log" &
pids+=($!)
for _ in $(seq 100); do grep -q metrics_port "$work/ports" 2>/dev/null && break; sleep 0.1; done
grpc_port="$(sed -n 's/.*grpc_port=\([0-9]*\).*/\1/p' "$work/ports")"
metrics_port="$(sed -n 's/.*metrics_port=\([0-9]*\).*/\1/p' "$work/ports")"
[[ -n "$grpc_port" && -n "$metrics_port" ]] || { echo "demo: the router did not start:" >&2; cat "$work/router.log" >&2; exit 1; }
target="127.0.0.1:$grpc_port"
metrics() { curl -s "http://127.0.0.1:$metrics_port/metrics"; }
for _ in $(seq 100); do metrics | grep -q '^caserouter_leader 1' && break; sleep 0.1; done
echo "demo: router on $target (TLS; CA, certificates and tokens in $pki), metrics on http://127.0.0.1:$metrics_port/metrics"

# Three teams with different skills and authority, so routing has choices to make.
case "$trace" in
  synthetic)
    teams=("billing-:billing:9,account:7,sales:5:300:en,de"
           "tech-:technical:9,outage:8,account:4:50:en"
           "flex-:billing:6,technical:6,account:6,sales:6,outage:6:150:en,de") ;;
  bank)
    teams=("retail-:retail:8,retail_english:6,new_customer:7,callback:6:0:he,en"
           "invest-:stocks:9,retail:5,callback:5:0:he,en"
           "web-:internet:9,retail:4,new_customer:5:0:he,en") ;;
  twcs)
    brands="amazonhelp:7,applesupport:7,uber_support:7,delta:7,chipotletweets:7,spotifycares:7"
    brands+=",comcastcares:7,tmobilehelp:7,sprintcare:7,americanair:7,britishairways:7,xboxsupport:7"
    teams=("social-:$brands:0:en" "care-:$brands:0:en" "brand-:$brands:0:en") ;;
esac
for team in "${teams[@]}"; do
  IFS=: read -r prefix rest <<<"$team"
  languages="${rest##*:}"; rest="${rest%:*}"
  authority="${rest##*:}"; skills="${rest%:*}"
  token --role=agent --names="$(seq -s, -f "$prefix%g" 1 "$agents")" --out_dir="$pki/agents"
  "$build/tools/caserouter-agent" --target="$target" "${tls[@]}" --create --auto --count="$agents" \
    --supervisor_token_file="$pki/supervisor.jwt" --token_dir="$pki/agents" \
    --id_prefix="$prefix" --skills="$skills" --languages="$languages" --authority="$authority" \
    --handle_seconds=6 --accept_delay=0.5s --resolve_rate=0.85 \
    --transfer_rate=0.05 --pending_rate=0.05 >>"$work/agents.log" 2>&1 &
  pids+=($!)
done

# The adapter's event feed (FollowCases, docs/events.md): which agent took each of its cases.
follow=(--target="$target" "${tls[@]}" --tls_cert="$pki/adapter-demo-adapter.crt"
  --tls_key="$pki/adapter-demo-adapter.key" follow)
"$build/tools/caserouter-adapter" "${follow[@]}" >"$work/events.log" 2>"$work/follow.log" &
pids+=($!)

replay=(--target="$target" "${tls[@]}" --tls_cert="$pki/adapter-demo-adapter.crt"
  --tls_key="$pki/adapter-demo-adapter.key" replay --trace="$trace" --seconds="$seconds")
case "$trace" in
  synthetic) replay+=(--rate="$rate") ;;
  *) replay+=(--speed="${speed:-60}"); [[ -n "$path" ]] && replay+=(--path="$path") ;;
esac
"$build/tools/caserouter-adapter" "${replay[@]}" >"$work/adapter.log" 2>&1 &
adapter=$!
pids+=($adapter)
echo "demo: $((agents * 3)) agents in three teams; replaying the $trace workload for ${seconds}s (0 = until Ctrl-C)"

sum() { metrics | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {printf "%d", s}'; }
resolved() { metrics | awk '$1 ~ /^caserouter_cases_completed_total{/ {t += $2; if ($1 ~ /resolved="true"/) r += $2} END {printf "%.0f", t ? 100*r/t : 0}'; }
start=$(date +%s)
while kill -0 "$adapter" 2>/dev/null; do
  sleep 2
  printf '\r[%4ss] received %5s | routed %5s | completed %5s (%3s%% resolved) | repeat contacts %4s | waiting %4s | assignment events %5s   ' \
    "$(( $(date +%s) - start ))" "$(sum caserouter_cases_received_total)" \
    "$(sum caserouter_cases_routed_total)" "$(sum caserouter_cases_completed_total)" \
    "$(resolved)" "$(sum caserouter_repeat_contacts_total)" "$(sum caserouter_queue_depth)" \
    "$(grep -c '  accepted  ' "$work/events.log" || true)"
done
echo
tail -n 3 "$work/adapter.log"
echo "demo: the adapter's last assignment events (its FollowCases feed):"
grep '  accepted  ' "$work/events.log" | tail -n 3 || true
echo "demo: routed $(sum caserouter_cases_routed_total) cases; stopping."
