#!/usr/bin/env bash
# Installs the Debian 12 packages ctnn needs. Idempotent: packages already present are skipped.
#   scripts/setup.sh          the library, examples and tests
#   scripts/setup.sh --bench  also the peers the benchmarks compare against (libtorch, Eigen, OpenBLAS)
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libxtensor-dev xtl-dev libxsimd-dev
  catch2 zlib1g-dev nlohmann-json3-dev libfmt-dev
  dataset-fashion-mnist gnuplot-nox
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(libtorch-dev libeigen3-dev libopenblas-dev libopenblas0-openmp libopenblas0-pthread hyperfine)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all ${#packages[@]} packages already installed"
fi
