#!/usr/bin/env bash
# Deploy Berthwise to an environment. Usage and procedure: see DEPLOYMENT_GUIDE.md
#   ./scripts/deploy.sh <staging|production> <version> [--skip-migrations]
set -euo pipefail

env="${1:?environment}"
version="${2:?version}"
skip_migrations="${3:-}"
ns="berthwise"
[ "$env" = "staging" ] && ns="berthwise-staging"

if [ "$skip_migrations" != "--skip-migrations" ]; then
  kubectl -n "$ns" create job "migrate-$version" --image="berthwise:$version" -- berthwise migrate
  kubectl -n "$ns" wait --for=condition=complete "job/migrate-$version" --timeout=600s
fi
kubectl -n "$ns" set image deploy/berthwise-api api="berthwise:$version"
kubectl -n "$ns" rollout status deploy/berthwise-api
kubectl -n "$ns" set image deploy/berthwise-worker worker="berthwise:$version"
kubectl -n "$ns" rollout status deploy/berthwise-worker
