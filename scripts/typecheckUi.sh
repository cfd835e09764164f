#!/usr/bin/env bash
# Type-checks each browser page (gateway/ui/<page>/) with its own tsconfig.json: pages differ in
# their JSX runtime, which one project could not express. A page without one fails here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0
for page in gateway/ui/*/; do
  [[ -f "$page/index.html" ]] || continue
  if [[ ! -f "$page/tsconfig.json" ]]; then
    echo "${page}: expected a tsconfig.json extending ../tsconfig.base.json" >&2
    status=1
    continue
  fi
  npx tsc --noEmit -p "$page" || status=1
done
exit "$status"
