#!/usr/bin/env bash
# Runs the cargo-fuzz (libFuzzer) targets in fuzz/ for a bounded time each: scripts/fuzz.sh [seconds]
# (default 60 per target), or FUZZ_TARGETS="template python" scripts/fuzz.sh 300 for some of them.
#
# Needs only a nightly toolchain (`rustup toolchain install nightly`) and a C++ compiler: cargo-fuzz
# is installed from crates.io into target/tools on first use. Each target's corpus (fuzz/corpus,
# not committed) is seeded from fuzz/seeds and the repository's templates and Python files. A crash,
# hang (an input taking over FUZZ_TIMEOUT seconds, default 10) or out-of-memory input is copied to
# fuzz/regressions/<target>/, where `cargo test -p samwise-fuzzing` replays it on stable; the script
# then goes on with the other targets and exits 1.
#
# No sanitizer: the fuzzed crates deny unsafe code, so AddressSanitizer would find nothing in them
# and halve the speed; panics, overflow (debug assertions are on), hangs and memory blow-ups are what
# can go wrong. FUZZ_SANITIZER=address turns it on anyway.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
targets=${FUZZ_TARGETS:-template python lsp_frame dap_frame}
sanitizer=${FUZZ_SANITIZER:-none}
timeout=${FUZZ_TIMEOUT:-10}
cargo_fuzz_version=0.13.2

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz.sh: a nightly toolchain is needed (rustup toolchain install nightly)" >&2
  exit 2
fi
tools="$root/target/tools"
export PATH="$tools/bin:$PATH"
if ! cargo-fuzz --version 2>/dev/null | grep -q "$cargo_fuzz_version"; then
  echo "fuzz.sh: installing cargo-fuzz $cargo_fuzz_version into target/tools"
  cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked --root "$tools" --quiet
fi

# Seed corpora: the committed seeds plus the templates and Python files the tests use. Copies are
# named by content hash, so re-running adds nothing twice.
seed() {
  local target=$1
  shift
  mkdir -p "fuzz/corpus/$target"
  find "$@" -type f -size -256k -print0 2>/dev/null | while IFS= read -r -d '' f; do
    cp "$f" "fuzz/corpus/$target/seed-$(sha1sum <"$f" | cut -c1-16)"
  done
}
for target in $targets; do
  seed "$target" "fuzz/seeds/$target"
done
template_files() {
  find tests/corpus crates examples tests/fixtures -type f \
    \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) \
    -not -path '*/node_modules/*' -not -name 'package*.json' -not -name 'tsconfig.json'
}
python_files() {
  find crates examples tests/fixtures tests/corpus -type f -name '*.py' -not -path '*/node_modules/*'
}
case " $targets " in *" template "*) mapfile -t files < <(template_files) && seed template "${files[@]}" ;; esac
case " $targets " in *" python "*) mapfile -t files < <(python_files) && seed python "${files[@]}" ;; esac

build_flags=(--sanitizer "$sanitizer" --debug-assertions)
echo "fuzz.sh: building the fuzz targets (nightly, sanitizer: $sanitizer)"
(cd fuzz && cargo +nightly fuzz build "${build_flags[@]}")

failed=()
for target in $targets; do
  artifacts="fuzz/artifacts/$target"
  mkdir -p "$artifacts" "fuzz/regressions/$target"
  before=$(ls "$artifacts")
  echo "fuzz.sh: running $target for ${seconds}s"
  status=0
  kept=0
  (cd fuzz && cargo +nightly fuzz run "${build_flags[@]}" "$target" -- \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1) || status=$?
  for found in $(ls "$artifacts"); do
    if ! grep -qxF "$found" <<<"$before"; then
      cp "$artifacts/$found" "fuzz/regressions/$target/$found"
      echo "fuzz.sh: $target FAILED (exit $status): the input is kept as fuzz/regressions/$target/$found;" \
        "reproduce with: (cd fuzz && cargo +nightly fuzz run ${build_flags[*]} $target regressions/$target/$found)" >&2
      kept=1
    fi
  done
  if [ "$kept" -eq 1 ]; then
    failed+=("$target")
  elif [ "$status" -ne 0 ]; then
    echo "fuzz.sh: $target FAILED (exit $status) without leaving an input; see the output above" >&2
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: failures in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: no crash, hang or out-of-memory in $targets (${seconds}s each)"
