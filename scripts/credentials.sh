#!/usr/bin/env bash
# Makes caserouter credentials with openssl, for a demo, a test or a small deployment without
# cert-manager (docs/security.md). Nothing here is ever committed: the files go where you say.
#
#   scripts/credentials.sh ca DIR [SAN,...]      a CA (DIR/ca.crt, ca.key), the router's
#                                                certificate (DIR/server.crt, server.key) for
#                                                the SANs (default DNS:localhost,IP:127.0.0.1),
#                                                and a token issuer (DIR/issuer.key, issuer.pub)
#   scripts/credentials.sh client DIR DOMAIN ROLE NAME
#                                                a client certificate for mTLS naming
#                                                caserouter://DOMAIN/ROLE/NAME (DIR/ROLE-NAME.crt,
#                                                ROLE-NAME.key), signed by DIR's CA
#
# Tokens: build/tools/caserouter-token --key=DIR/issuer.key --role=... --name=... (or --names=
# with --out_dir=). Keys are EC P-256; certificates last --days (default 30).
set -euo pipefail
days="${DAYS:-30}"
usage() { sed -n '2,17p' "$0" >&2; exit 2; }
(($# >= 2)) || usage
command="$1" dir="$2"
mkdir -p "$dir"
umask 077  # keys are secrets: owner only
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)

case "$command" in
  ca)
    sans="${3:-DNS:localhost,IP:127.0.0.1}"
    openssl req -x509 "${ec[@]}" -keyout "$dir/ca.key" -out "$dir/ca.crt" -days "$days" \
      -subj "/CN=caserouter CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' \
      "$sans" >"$dir/server.ext"
    openssl req "${ec[@]}" -keyout "$dir/server.key" -out "$dir/server.csr" \
      -subj "/CN=caserouter" 2>/dev/null
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
      -CAcreateserial -out "$dir/server.crt" -days "$days" -extfile "$dir/server.ext" 2>/dev/null
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/issuer.key"
    openssl pkey -in "$dir/issuer.key" -pubout -out "$dir/issuer.pub"
    chmod 644 "$dir/ca.crt" "$dir/server.crt" "$dir/issuer.pub"
    rm -f "$dir/server.csr" "$dir/server.ext"
    ;;
  client)
    (($# == 5)) || usage
    domain="$3" role="$4" name="$5"
    base="$dir/$role-$name"
    printf 'subjectAltName=URI:caserouter://%s/%s/%s\nextendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' \
      "$domain" "$role" "$name" >"$base.ext"
    openssl req "${ec[@]}" -keyout "$base.key" -out "$base.csr" -subj "/CN=$role-$name" 2>/dev/null
    openssl x509 -req -in "$base.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
      -out "$base.crt" -days "$days" -extfile "$base.ext" 2>/dev/null
    rm -f "$base.csr" "$base.ext"
    ;;
  *) usage ;;
esac
