#!/usr/bin/env bash
# Builds assets/vendor/plotly-bar-heatmap-scatter-<version>.min.js: plotly.js with only the trace
# types the app draws (issue 16). Reproducible: the npm packages are pinned in
# scripts/plotly_bundle/package-lock.json (plotly.js 4.1.1, the plotly.js of the installed `plotly`
# Python package; esbuild 0.28.2); the same lock gives the same file (its sha256 is in
# assets/vendor/README.md). Needs Node 20+ and npm; runs in a temporary folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/plotly_bundle/"{package.json,package-lock.json,entry.js,build.js} "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
version="$(node -p "require('$work/node_modules/plotly.js/package.json').version")"
out="$here/../assets/vendor/plotly-bar-heatmap-scatter-$version.min.js"
(cd "$work" && node build.js "$out")
cp "$work/node_modules/plotly.js/LICENSE" "$here/../assets/vendor/plotly.js-LICENSE"
sha256sum "$out"
