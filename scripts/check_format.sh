#!/usr/bin/env bash
# Fails when a C++ file of the tree is not formatted as .clang-format says (Debian's
# clang-format 14). Fix with: scripts/check_format.sh --fix
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -v '^cmake/layering_guard/')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/caserouter-format.$$; then
  grep -E "^[^ ].*: (error|warning)" /tmp/caserouter-format.$$ | cut -d: -f1 | sort -u | sed 's/^/not formatted: /'
  rm -f /tmp/caserouter-format.$$
  echo "check_format: run scripts/check_format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/caserouter-format.$$
echo "check_format: ${#files[@]} files formatted"
